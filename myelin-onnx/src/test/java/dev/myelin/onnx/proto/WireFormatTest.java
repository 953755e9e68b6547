package dev.myelin.onnx.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protobuf wire format: what protobuf writes is read, in both repeated-field forms, and damage is refused. */
class WireFormatTest {
    /** Hand-assembled bytes, as protoc-generated code would write them. */
    private static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Bytes key(int field, int type) {
            return varint((long) field << 3 | type);
        }

        Bytes fixed32(int v) {
            for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
            return this;
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    @Test
    void varintsRoundTripIncludingNegativeAndLargeValues() throws Exception {
        long[] values = {0, 1, 127, 128, 300, Integer.MAX_VALUE, -1, Long.MIN_VALUE, Long.MAX_VALUE};
        WireWriter w = new WireWriter();
        for (long v : values) w.varint(1, v);
        WireReader r = new WireReader(w.toByteArray(), "t");
        for (long v : values) {
            assertEquals(1, r.nextField());
            assertEquals(v, r.varint());
        }
        assertTrue(!r.hasMore());
        assertEquals(10, new WireWriter().varint(1, -1).size() - 1, "a negative varint takes 10 bytes");
    }

    @Test
    void repeatedFieldsAreReadPackedAndUnpacked() throws Exception {
        // TensorProto: dims (1) unpacked, float_data (4) unpacked then packed, int64_data (7) packed
        byte[] packedFloats = new Bytes().fixed32(Float.floatToIntBits(3f)).fixed32(Float.floatToIntBits(4f)).bytes();
        byte[] packedLongs = new Bytes().varint(5).varint(-6).bytes();
        byte[] b = new Bytes()
                .key(1, 0).varint(2).key(1, 0).varint(2)
                .key(2, 0).varint(TensorProto.FLOAT)
                .key(4, 5).fixed32(Float.floatToIntBits(1f)).key(4, 5).fixed32(Float.floatToIntBits(2f))
                .key(4, 2).varint(packedFloats.length).raw(packedFloats)
                .key(7, 2).varint(packedLongs.length).raw(packedLongs)
                .key(8, 2).varint(1).raw(new byte[] {'w'})
                .bytes();
        TensorProto t = TensorProto.parse(b, "t");
        assertArrayEquals(new long[] {2, 2}, t.dims());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.floats());
        assertArrayEquals(new long[] {5, -6}, t.int64Data());
        assertEquals("w", t.name());
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() throws Exception {
        byte[] b = new Bytes()
                .key(99, 0).varint(12345)
                .key(98, 1).raw(new byte[8])
                .key(97, 2).varint(3).raw(new byte[] {1, 2, 3})
                .key(96, 5).fixed32(7)
                .key(1, 2).varint(2).raw("ai".getBytes())
                .key(2, 0).varint(13)
                .bytes();
        OperatorSetIdProto o = OperatorSetIdProto.decode(new WireReader(b, "t"));
        assertEquals(new OperatorSetIdProto("ai", 13), o);
    }

    @Test
    void damageIsRefusedWithTheOffset() {
        // a length past the end
        byte[] pastEnd = new Bytes().key(8, 2).varint(1000).raw(new byte[3]).bytes();
        var e = assertThrows(FileFormatException.class, () -> TensorProto.parse(pastEnd, "t"));
        assertTrue(e.getMessage().contains("1000 bytes, but only 3 bytes are left"), e.getMessage());
        // a varint that never ends
        byte[] endless = new byte[12];
        java.util.Arrays.fill(endless, (byte) 0xFF);
        assertThrows(FileFormatException.class, () -> TensorProto.parse(endless, "t"));
        // group wire types and field 0
        assertTrue(assertThrows(FileFormatException.class, () -> TensorProto.parse(new Bytes().key(5, 3).bytes(), "t")).getMessage().contains("wire type 3"));
        assertTrue(assertThrows(FileFormatException.class, () -> TensorProto.parse(new byte[] {0}, "t")).getMessage().contains("field number 0"));
        // a packed float run not a multiple of 4
        byte[] odd = new Bytes().key(4, 2).varint(3).raw(new byte[3]).bytes();
        assertTrue(assertThrows(FileFormatException.class, () -> TensorProto.parse(odd, "t")).getMessage().contains("not a multiple of 4"));
    }

    @Test
    void modelRoundTripsThroughTheWriterAndReader() throws Exception {
        TensorProto w = TensorProto.ofFloats("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        NodeProto n = new NodeProto("n", "Gemm", "", List.of("x", "w"), List.of("y"),
                List.of(AttributeProto.ofInt("transB", 0), AttributeProto.ofFloat("alpha", 1.5f), AttributeProto.ofInts("k", 1, -2),
                        AttributeProto.ofStrings("s", "a", "b"), AttributeProto.ofString("mode", "x")));
        GraphProto g = new GraphProto("g", List.of(n), List.of(w), List.of(ValueInfoProto.floatTensor("x", java.util.Arrays.asList(null, 2L))),
                List.of(ValueInfoProto.floatTensor("y", java.util.Arrays.asList(null, 3L))), List.of());
        ModelProto back = ModelProto.parse(new ModelProto(8, List.of(new OperatorSetIdProto("", 17)), "p", "1", g).toByteArray(), "t");
        assertEquals(8, back.irVersion());
        assertEquals(17, back.defaultOpset());
        NodeProto m = back.graph().nodes().getFirst();
        assertEquals(List.of("x", "w"), m.inputs());
        assertEquals(1.5f, m.attribute("alpha").f());
        assertArrayEquals(new long[] {1, -2}, m.attribute("k").ints());
        assertEquals(List.of("a", "b"), m.attribute("s").texts());
        assertEquals("x", m.attribute("mode").text());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, back.graph().initializers().getFirst().floats());
        ValueInfoProto x = back.graph().inputs().getFirst();
        assertEquals(java.util.Arrays.asList(null, 2L), x.dims());
        assertEquals("N", x.dimParams().getFirst());
    }
}
