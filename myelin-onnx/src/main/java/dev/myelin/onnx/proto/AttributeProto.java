package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX {@code AttributeProto}: a named operator argument of one {@code type}: a float, an int, a string, a
 * tensor, a graph, or a list of floats, ints or strings. Fields of the other types are null.
 */
public record AttributeProto(String name, int type, float f, long i, byte[] s, TensorProto t, GraphProto g,
                             float[] floats, long[] ints, List<byte[]> strings) {
    public static final int FLOAT = 1;
    public static final int INT = 2;
    public static final int STRING = 3;
    public static final int TENSOR = 4;
    public static final int GRAPH = 5;
    public static final int FLOATS = 6;
    public static final int INTS = 7;
    public static final int STRINGS = 8;

    public static AttributeProto ofFloat(String name, float value) {
        return new AttributeProto(name, FLOAT, value, 0, null, null, null, null, null, null);
    }

    public static AttributeProto ofInt(String name, long value) {
        return new AttributeProto(name, INT, 0, value, null, null, null, null, null, null);
    }

    public static AttributeProto ofString(String name, String value) {
        return new AttributeProto(name, STRING, 0, 0, value.getBytes(StandardCharsets.UTF_8), null, null, null, null, null);
    }

    public static AttributeProto ofInts(String name, long... values) {
        return new AttributeProto(name, INTS, 0, 0, null, null, null, null, values.clone(), null);
    }

    public static AttributeProto ofFloats(String name, float... values) {
        return new AttributeProto(name, FLOATS, 0, 0, null, null, null, values.clone(), null, null);
    }

    public static AttributeProto ofStrings(String name, String... values) {
        List<byte[]> list = new ArrayList<>();
        for (String v : values) list.add(v.getBytes(StandardCharsets.UTF_8));
        return new AttributeProto(name, STRINGS, 0, 0, null, null, null, null, null, list);
    }

    public static AttributeProto ofTensor(String name, TensorProto value) {
        return new AttributeProto(name, TENSOR, 0, 0, null, value, null, null, null, null);
    }

    /** The string value as UTF-8 text. */
    public String text() {
        return s == null ? "" : new String(s, StandardCharsets.UTF_8);
    }

    /** The strings as text. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        if (strings != null) for (byte[] b : strings) out.add(new String(b, StandardCharsets.UTF_8));
        return out;
    }

    static AttributeProto decode(WireReader r) throws FileFormatException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        byte[] s = null;
        TensorProto t = null;
        GraphProto g = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        List<byte[]> strings = new ArrayList<>();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> name = r.string();
                case 20 -> type = r.int32();
                case 2 -> {
                    r.expect(WireReader.FIXED32, "attribute float");
                    f = r.float32();
                }
                case 3 -> i = r.varint();
                case 4 -> s = r.bytes();
                case 5 -> t = TensorProto.decode(r.message());
                case 6 -> g = GraphProto.decode(r.message());
                case 7 -> r.floats(floats);
                case 8 -> r.varints(ints);
                case 9 -> strings.add(r.bytes());
                default -> r.skip();
            }
        }
        return new AttributeProto(name, type, f, i, s, t, g, floats.toArray(), ints.toArray(), strings);
    }

    WireWriter encode() {
        WireWriter w = new WireWriter().string(1, name);
        switch (type) {
            case FLOAT -> w.float32(2, f);
            case INT -> w.varint(3, i);
            case STRING -> w.bytes(4, s);
            case TENSOR -> w.message(5, t.encode());
            case GRAPH -> w.message(6, g.encode());
            case FLOATS -> w.packedFloats(7, floats);
            case INTS -> w.packedVarints(8, ints);
            case STRINGS -> strings.forEach(b -> w.bytes(9, b));
            default -> throw new IllegalStateException("attribute '" + name + "' of unsupported type " + type);
        }
        return w.varint(20, type);
    }
}
