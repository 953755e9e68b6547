package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.Safetensors.Contents;
import dev.myelin.io.Safetensors.DType;
import dev.myelin.io.Safetensors.Entry;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path dir;

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Contents roundTrip(List<Entry> entries, Map<String, String> metadata) throws FileFormatException {
        byte[] bytes = Safetensors.encode(entries, metadata);
        assertEquals(0, (bytes.length - 8 - entries.stream().mapToInt(e -> e.data().length).sum()) % 8, "the header is padded to a multiple of 8");
        return Safetensors.decode(bytes, "round trip");
    }

    private static String header(byte[] file) {
        int n = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return new String(file, 8, n, StandardCharsets.UTF_8);
    }

    // ---- every dtype ----

    @Test
    void everyDtypeRoundTripsBitForBitAndReadsExactly() throws IOException {
        ByteBuffer f64 = le(24).putDouble(Math.PI).putDouble(-0.0).putDouble(Double.MIN_VALUE);
        ByteBuffer f32 = le(12).putFloat(1.1f).putFloat(Float.NEGATIVE_INFINITY).putFloat(Float.MIN_VALUE);
        ByteBuffer f16 = le(6).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001); // 1, -2, 2^-24
        ByteBuffer bf16 = le(6).putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x0001); // 1, -3, 2^-133
        ByteBuffer i64 = le(24).putLong(-(1L << 53)).putLong(7).putLong(1L << 53);
        ByteBuffer i32 = le(12).putInt(-(1 << 24)).putInt(-5).putInt(1 << 24);
        byte[] u8 = {0, 127, (byte) 255};
        List<Entry> entries = List.of(
                new Entry("f64", DType.F64, new long[] {3}, f64.array()),
                new Entry("f32", DType.F32, new long[] {3}, f32.array()),
                new Entry("f16", DType.F16, new long[] {3}, f16.array()),
                new Entry("bf16", DType.BF16, new long[] {3}, bf16.array()),
                new Entry("i64", DType.I64, new long[] {3}, i64.array()),
                new Entry("i32", DType.I32, new long[] {3}, i32.array()),
                new Entry("u8", DType.U8, new long[] {3}, u8));
        Contents c = roundTrip(entries, null);
        assertEquals(List.of("i64", "f64", "f32", "i32", "bf16", "f16", "u8"), c.entries().stream().map(Entry::name).toList(),
                "the reference's order: I64, F64, F32, I32, BF16, F16, U8");
        for (Entry e : entries) assertEquals(e, c.entry(e.name()));

        Map<String, Tensor> t = c.tensors();
        assertEquals(dev.myelin.backend.DType.FLOAT64, t.get("f64").dtype());
        assertArrayEquals(new double[] {Math.PI, -0.0, Double.MIN_VALUE}, t.get("f64").toDoubleArray());
        assertArrayEquals(new float[] {1.1f, Float.NEGATIVE_INFINITY, Float.MIN_VALUE}, t.get("f32").toFloatArray());
        assertArrayEquals(new float[] {1, -2, 0x1p-24f}, t.get("f16").toFloatArray());
        assertArrayEquals(new float[] {1, -3, 0x1p-133f}, t.get("bf16").toFloatArray());
        assertEquals(dev.myelin.backend.DType.FLOAT64, t.get("i64").dtype());
        assertArrayEquals(new double[] {-0x1p53, 7, 0x1p53}, t.get("i64").toDoubleArray());
        assertEquals(dev.myelin.backend.DType.FLOAT32, t.get("i32").dtype());
        assertArrayEquals(new float[] {-0x1p24f, -5, 0x1p24f}, t.get("i32").toFloatArray());
        assertArrayEquals(new float[] {0, 127, 255}, t.get("u8").toFloatArray());
        assertEquals(8, DType.F64.bytes());
        assertEquals(2, DType.BF16.bytes());
        assertEquals(1, DType.U8.bytes());
    }

    @Test
    void integersWithoutAnExactFloatAreRefusedNotRounded() {
        Entry i64 = new Entry("step", DType.I64, new long[] {2}, le(16).putLong(1).putLong((1L << 53) + 1).array());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, i64::toTensor);
        assertTrue(e.getMessage().contains("tensor 'step': I64 value 9007199254740993 at index 1 lies beyond ±2^53"), e.getMessage());
        Entry i32 = new Entry("ids", DType.I32, new long[] {1}, le(4).putInt(-(1 << 24) - 1).array());
        e = assertThrows(IllegalArgumentException.class, i32::toTensor);
        assertTrue(e.getMessage().contains("tensor 'ids': I32 value -16777217 at index 0 lies beyond ±2^24"), e.getMessage());
    }

    @Test
    void halfPrecisionSpecialValuesWidenExactly() {
        short[] f16 = {0x0000, (short) 0x8000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, (short) 0xFC00, 0x7E00};
        float[] f16Values = {0f, -0f, 0x1p-24f, 0x3FFp-24f, 0x1p-14f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        assertWidens(DType.F16, f16, f16Values);
        short[] bf16 = {0x0000, (short) 0x8000, 0x0001, 0x007F, 0x0080, 0x7F7F, 0x7F80, (short) 0xFF80, 0x7FC0};
        float[] bf16Values = {0f, -0f, 0x1p-133f, 0x7Fp-133f, 0x1p-126f, 0x1.FEp127f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        assertWidens(DType.BF16, bf16, bf16Values);
    }

    private static void assertWidens(DType dtype, short[] bits, float[] expected) {
        ByteBuffer b = le(2 * bits.length);
        for (short s : bits) b.putShort(s);
        float[] got = new Entry("h", dtype, new long[] {bits.length}, b.array()).toTensor().toFloatArray();
        for (int i = 0; i < got.length; i++) {
            // compare bits so that -0 and +0 differ and NaN equals NaN
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), dtype + " bits " + Integer.toHexString(bits[i] & 0xFFFF) + " -> " + got[i]);
        }
    }

    @Test
    void narrowingToHalfPrecisionRoundsToNearestEven() {
        // F16 has 10 fraction bits: 1 + 2^-11 is half way between 1 and 1 + 2^-10 (ties to even: 1);
        // 1 + 3·2^-11 is half way between 1 + 2^-10 and 1 + 2^-9 (ties to even: 1 + 2^-9); 65520 overflows to inf.
        float[] in = {-0f, 1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 1 + 0x1p-11f + 0x1p-20f, 65520f, 0x1p-25f, 0x1.8p-25f, Float.NaN, Float.NEGATIVE_INFINITY};
        float[] f16 = {-0f, 1, 1 + 0x1p-9f, 1 + 0x1p-10f, Float.POSITIVE_INFINITY, 0, 0x1p-24f, Float.NaN, Float.NEGATIVE_INFINITY};
        assertNarrows(DType.F16, in, f16);
        // BF16 has 7 fraction bits: 1 + 2^-8 ties to 1, 1 + 3·2^-8 ties to 1 + 2^-6; the largest float rounds to inf.
        float[] inB = {-0f, 1 + 0x1p-8f, 1 + 3 * 0x1p-8f, 1 + 0x1p-8f + 0x1p-20f, Float.MAX_VALUE, 0x1p-134f, 0x1.8p-134f, Float.NaN, Float.NEGATIVE_INFINITY};
        float[] bf16 = {-0f, 1, 1 + 0x1p-6f, 1 + 0x1p-7f, Float.POSITIVE_INFINITY, 0, 0x1p-133f, Float.NaN, Float.NEGATIVE_INFINITY};
        assertNarrows(DType.BF16, inB, bf16);
    }

    private static void assertNarrows(DType dtype, float[] in, float[] expected) {
        Entry e = Entry.of("h", Tensor.of(in, in.length), dtype);
        assertEquals(dtype, e.dtype());
        assertEquals(2L * in.length, e.data().length);
        float[] got = e.toTensor().toFloatArray();
        for (int i = 0; i < in.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), dtype + " of " + in[i] + " gave " + got[i]);
        }
    }

    @Test
    void tensorsOfIntegerTypesMustHoldIntegersInRange() {
        Tensor t = Tensor.of(new float[] {0, 255, 3}, 3);
        assertArrayEquals(new byte[] {0, (byte) 255, 3}, Entry.of("u", t, DType.U8).data());
        assertArrayEquals(le(12).putInt(0).putInt(255).putInt(3).array(), Entry.of("i", t, DType.I32).data());
        assertArrayEquals(t.toFloatArray(), Entry.of("l", t, DType.I64).toTensor().toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Entry.of("u", Tensor.of(new float[] {1, 256}, 2), DType.U8));
        assertTrue(e.getMessage().contains("tensor 'u': value 256.0 at index 1 is not an integer in [0, 255]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Entry.of("i", Tensor.of(new float[] {0.5f}, 1), DType.I32));
        assertTrue(e.getMessage().contains("value 0.5 at index 0 is not an integer"), e.getMessage());
    }

    // ---- tensors ----

    @Test
    void tensorsRoundTripWithTheirDtypeShapeAndValues() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("dense/kernel", Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
        in.put("dense/bias", Tensor.of(new double[] {0.1, -0.2}, 2));
        in.put("scalar", Tensor.scalar(7));
        in.put("empty", Tensor.of(new float[0], 0));
        in.put("empty2d", Tensor.zeros(3, 0));
        in.put("transposed", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1));
        Contents c = Safetensors.decode(Safetensors.encode(in, Map.of()), "tensors");
        Map<String, Tensor> out = c.tensors();
        assertEquals(in.keySet(), out.keySet());
        for (String name : in.keySet()) {
            Tensor a = in.get(name), b = out.get(name);
            assertEquals(a.shape(), b.shape(), name);
            assertEquals(a.dtype(), b.dtype(), name);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), name);
        }
        assertEquals(DType.F64, c.entry("dense/bias").dtype());
        assertArrayEquals(new long[0], c.entry("scalar").shape(), "a scalar has shape []");
        assertArrayEquals(new long[] {0}, c.entry("empty").shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, out.get("transposed").toFloatArray(), "a view is written in its own row-major order");
        assertEquals(Shape.of(3, 2), out.get("transposed").shape());
    }

    @Test
    void emptyTensorsShareAnOffsetAndStillRoundTrip() throws IOException {
        List<Entry> entries = List.of(new Entry("a", DType.F32, new long[] {0}, new byte[0]), new Entry("b", DType.F32, new long[] {2, 0}, new byte[0]),
                new Entry("c", DType.F32, new long[] {1}, new byte[4]), new Entry("d", DType.U8, new long[] {0, 5}, new byte[0]));
        Contents c = roundTrip(entries, null);
        assertEquals(List.of("a", "b", "c", "d"), c.entries().stream().map(Entry::name).toList());
        assertEquals(entries, c.entries());
        assertEquals(Shape.of(2, 0), c.tensors().get("b").shape());
    }

    // ---- metadata and names ----

    @Test
    void metadataAndNamesWithQuotesBackslashesControlsAndNonAsciiRoundTrip() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta \"quoted\"", "back\\slash / slash");
        metadata.put("ünïcødé ключ 鍵 🔑", "tab\tnew\nline\rform\fback\bbell\u0007del\u007Fnull\u0000");
        metadata.put("alpha", "");
        String name = "layer \"1\"\\kernel ✓ 🔑\n";
        Entry e = new Entry(name, DType.U8, new long[] {1}, new byte[] {9});
        byte[] bytes = Safetensors.encode(List.of(e), metadata);
        String header = header(bytes);
        assertTrue(header.startsWith("{\"__metadata__\":{\"zeta \\\"quoted\\\"\":\"back\\\\slash / slash\",\"ünïcødé ключ 鍵 🔑\":"
                + "\"tab\\tnew\\nline\\rform\\fback\\bbell\\u0007del\u007Fnull\\u0000\",\"alpha\":\"\"},"), header);
        assertTrue(header.contains("\"layer \\\"1\\\"\\\\kernel ✓ 🔑\\n\":{\"dtype\":\"U8\""), "serde_json's escaping: " + header);
        Contents c = Safetensors.decode(bytes, "meta");
        assertEquals(metadata, c.metadata());
        assertEquals(List.copyOf(metadata.keySet()), List.copyOf(c.metadata().keySet()), "metadata keeps header order");
        assertEquals(e, c.entry(name));
        assertArrayEquals(bytes, Safetensors.encode(c.entries(), c.metadata()));
    }

    @Test
    void namesSortByUtf8BytesAsTheReferenceDoes() throws IOException {
        // UTF-16 order puts U+FF21 ('Ａ') after U+1F511 (a surrogate pair); UTF-8 (code point) order puts it before.
        Entry a = new Entry("\uFF21", DType.U8, new long[0], new byte[] {1});
        Entry b = new Entry("\uD83D\uDD11", DType.U8, new long[0], new byte[] {2});
        Entry c = new Entry("B", DType.U8, new long[0], new byte[] {3});
        List<Entry> decoded = roundTrip(List.of(b, a, c), null).entries();
        assertEquals(List.of(c, a, b), decoded);
    }

    @Test
    void writingRefusesWhatNoReaderCouldRead() {
        Entry e = new Entry("x", DType.U8, new long[] {1}, new byte[1]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(List.of(e, e), null)).getMessage().contains("two tensors are named 'x'"));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(List.of(e), nullValue));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(List.of(e), Map.of("k", "\uD800")))
                .getMessage().contains("unpaired surrogate U+D800"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Entry("__metadata__", DType.U8, new long[] {1}, new byte[1]))
                .getMessage().contains("cannot be named '__metadata__'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Entry("w", DType.F32, new long[] {2, 3}, new byte[23]))
                .getMessage().contains("tensor 'w': F32 [2, 3] needs 24 bytes, got 23"));
        assertThrows(IllegalArgumentException.class, () -> new Entry("w", DType.F32, new long[] {-1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Entry("w", DType.F32, new long[] {1L << 62, 1L << 62}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Entry("x\uDC00", DType.U8, new long[] {1}, new byte[1]));
    }

    @Test
    void entriesCompareByContentAndCopyTheirShape() {
        long[] shape = {2};
        Entry a = new Entry("a", DType.U8, shape, new byte[] {1, 2});
        shape[0] = 5;
        assertArrayEquals(new long[] {2}, a.shape(), "the shape is copied in");
        a.shape()[0] = 7;
        assertArrayEquals(new long[] {2}, a.shape(), "and out");
        assertEquals(a, new Entry("a", DType.U8, new long[] {2}, new byte[] {1, 2}));
        assertEquals(a.hashCode(), new Entry("a", DType.U8, new long[] {2}, new byte[] {1, 2}).hashCode());
        assertNotEquals(a, new Entry("a", DType.U8, new long[] {2}, new byte[] {1, 3}));
        assertNotEquals(a, new Entry("a", DType.U8, new long[] {1, 2}, new byte[] {1, 2}));
        assertNotEquals(a, new Entry("b", DType.U8, new long[] {2}, new byte[] {1, 2}));
        assertEquals("Entry[a, U8 [2], 2 bytes]", a.toString());
    }

    @Test
    void contentsRefusesDuplicateNamesAndFindsEntries() {
        Entry a = new Entry("a", DType.U8, new long[] {1}, new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> new Contents(Map.of(), List.of(a, a)));
        Contents c = new Contents(null, List.of(a));
        assertEquals(Map.of(), c.metadata());
        assertEquals(a, c.entry("a"));
        assertEquals(null, c.entry("b"));
    }

    // ---- the reader's edge cases beyond the fixtures ----

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return le(8 + h.length + dataBytes).putLong(h.length).put(h).array();
    }

    private static String refusal(byte[] bytes) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.decode(bytes, "t.safetensors"));
        assertTrue(e.getMessage().startsWith("t.safetensors: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readerEdgeCases() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertEquals(1, Safetensors.decode(file("{" + a + "}   \n\t ", 8), "ok").entries().size(), "white space after the object (the padding) is accepted");
        assertTrue(refusal(le(16).putLong(9).array()).contains("header length 9 exceeds the 8 bytes that follow it"));
        assertTrue(refusal(le(8).putLong(-1).array()).contains("header length 18446744073709551615 exceeds the limit"));
        byte[] badUtf8 = file("{\"\u00e9\":1}", 0);
        badUtf8[10] = (byte) 0xC0;
        assertTrue(refusal(badUtf8).contains("not valid UTF-8"));
        assertTrue(refusal(file("{\"a\":1", 0)).contains("not valid JSON"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2)).contains("dtype BOOL is not supported"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 0)).contains("tensor 'a' has no \"data_offsets\""));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8)).contains("got the number 2.0"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]}}", 8)).contains("beyond 2^63"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8)).contains("data_offsets must be [begin, end], got 3 numbers"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8)).contains("a gap of 8 bytes"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 8))
                .contains("tensor 'b' has data_offsets [8, 4] that end before they begin"));
        assertTrue(refusal(file("{\"a\":[1]}", 0)).contains("tensor 'a' must be an object with dtype, shape and data_offsets, got an array"));
        assertTrue(refusal(file("{\"__metadata__\":[]}", 0)).contains("'__metadata__' must be an object of strings, got an array"));
        assertTrue(refusal(file("{\"\\ud800\":{}}", 0)).contains("unpaired surrogate"));
        assertTrue(refusal(file("{}", 4)).contains("4 trailing bytes after the header, which names no tensor"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).contains("the first tensor must begin at 0"));
        Contents extra = Safetensors.decode(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"extra\":true}}", 1), "x");
        assertEquals(1, extra.entries().size(), "keys the reference ignores are ignored");
    }

    // ---- files ----

    @Test
    void writeThenReadAFileAtomically() throws IOException {
        Path f = dir.resolve("sub/model.safetensors");
        Map<String, Tensor> w = Map.of("w", Tensor.of(new float[] {1, 2}, 2));
        Safetensors.write(f, w, Map.of("format", "pt"));
        assertArrayEquals(Safetensors.encode(w, Map.of("format", "pt")), Files.readAllBytes(f));
        Contents c = Safetensors.read(f);
        assertArrayEquals(new float[] {1, 2}, c.tensors().get("w").toFloatArray());

        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("v", Tensor.of(new float[] {3}, 1)), bad));
        assertEquals(c, Safetensors.read(f), "a failed write leaves the old file whole");
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(List.of(f), s.toList(), "no temporary file is left");
        }
        assertFalse(Files.exists(dir.resolve("absent.safetensors")));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Safetensors.read(dir.resolve("absent.safetensors")));
    }
}
