package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.Safetensors.Contents;
import dev.myelin.io.Safetensors.DType;
import dev.myelin.io.Safetensors.Entry;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shared interop fixtures ({@code shared/fixtures/interop/safetensors}, never copied into the
 * repository): the reference writer's bytes, a valid Keras-3-named file, and the bad-input battery.
 */
class SafetensorsFixturesTest {
    /** The fixture folder, found by walking up from the working folder; the test is skipped when absent. */
    static Path fixtures() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/interop/safetensors");
            if (Files.isDirectory(candidate)) return candidate;
        }
        Assumptions.assumeTrue(false, "skipped: shared/fixtures/interop/safetensors is absent (looked upwards from " + Path.of("").toAbsolutePath() + ")");
        return null;
    }

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(fixtures().resolve(name));
    }

    private static Entry zeros(String name, DType dtype, long... shape) {
        long n = dtype.bytes();
        for (long d : shape) n *= d;
        return new Entry(name, dtype, shape, new byte[(int) n]);
    }

    // ---- the reference writer's bytes (huggingface/safetensors bindings/python/tests/test_simple.py) ----

    @Test
    void goldenI32ZerosIsReproducedFromScratchAndByReencoding() throws IOException {
        // save({"test": np.zeros((2, 2), dtype=np.int32)})
        byte[] golden = fixture("golden_i32_zeros_2x2.safetensors");
        assertArrayEquals(golden, Safetensors.encode(List.of(zeros("test", DType.I32, 2, 2)), null));
        Contents c = Safetensors.decode(golden, "golden");
        assertEquals(List.of(zeros("test", DType.I32, 2, 2)), c.entries());
        assertEquals(Map.of(), c.metadata());
        assertArrayEquals(golden, Safetensors.encode(c.entries(), c.metadata()));
    }

    @Test
    void goldenMetadataIsReproducedFromScratchAndByReencoding() throws IOException {
        // save({"test1": np.zeros((2, 2), dtype=np.int32)}, metadata={"framework": "pt"})
        byte[] golden = fixture("golden_metadata.safetensors");
        assertArrayEquals(golden, Safetensors.encode(List.of(zeros("test1", DType.I32, 2, 2)), Map.of("framework", "pt")));
        Contents c = Safetensors.decode(golden, "golden");
        assertEquals(Map.of("framework", "pt"), c.metadata());
        assertArrayEquals(golden, Safetensors.encode(c.entries(), c.metadata()));
    }

    @Test
    void goldenAlignmentOrderIsReproducedWhateverTheInputOrder() throws IOException {
        // save({"test1": zeros((2, 2), int32), "test2": zeros((2, 2), float16)}): I32 (wider) before F16
        byte[] golden = fixture("golden_alignment_i32_f16.safetensors");
        Entry i32 = zeros("test1", DType.I32, 2, 2), f16 = zeros("test2", DType.F16, 2, 2);
        assertArrayEquals(golden, Safetensors.encode(List.of(f16, i32), null));
        assertArrayEquals(golden, Safetensors.encode(List.of(i32, f16), Map.of()));
        Contents c = Safetensors.decode(golden, "golden");
        assertEquals(List.of(i32, f16), c.entries(), "entries come in the order of their offsets");
        assertArrayEquals(golden, Safetensors.encode(c.entries(), c.metadata()));
    }

    @Test
    void referenceUnitTestBytesAreReproduced() throws IOException {
        // safetensors/src/tensor.rs test_serialization: F32 "attn.0" [1, 2, 3] = 0..5; a 64-byte header needs no padding
        byte[] data = new byte[24];
        java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(new float[] {0, 1, 2, 3, 4, 5});
        byte[] out = Safetensors.encode(List.of(new Entry("attn.0", DType.F32, new long[] {1, 2, 3}, data)), null);
        String header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(8 + 64 + 24, out.length);
        assertEquals(64, out[0]);
        assertEquals(header, new String(out, 8, 64, java.nio.charset.StandardCharsets.US_ASCII));
        // test_empty: no tensors, then no tensors with metadata
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, Safetensors.encode(List.of(), null));
        byte[] withMetadata = Safetensors.encode(List.of(), Map.of("framework", "pt"));
        assertEquals(40, withMetadata[0]);
        assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new String(withMetadata, 8, 40, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Map.of("framework", "pt"), Safetensors.decode(withMetadata, "empty").metadata());
    }

    // ---- a valid file ----

    @Test
    void validDenseFileDecodesWithItsValues() throws IOException {
        Contents c = Safetensors.read(fixtures().resolve("valid_f32_dense.safetensors"));
        assertEquals(Map.of("format", "myelin-test"), c.metadata());
        assertEquals(List.of("layers/dense/vars/0", "layers/dense/vars/1"), c.entries().stream().map(Entry::name).toList());
        Map<String, Tensor> t = c.tensors();
        Tensor kernel = t.get("layers/dense/vars/0"), bias = t.get("layers/dense/vars/1");
        assertEquals(dev.myelin.backend.DType.FLOAT32, kernel.dtype());
        assertEquals(dev.myelin.tensor.Shape.of(2, 3), kernel.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, kernel.toFloatArray());
        assertEquals(dev.myelin.tensor.Shape.of(3), bias.shape());
        assertArrayEquals(new float[] {0.5f, -1, 2}, bias.toFloatArray());
        assertEquals(DType.F32, c.entry("layers/dense/vars/1").dtype());
        assertEquals(null, c.entry("layers/dense/vars/2"));
        byte[] bytes = fixture("valid_f32_dense.safetensors");
        assertArrayEquals(bytes, Safetensors.encode(c.entries(), c.metadata()), "a file in the reference layout re-encodes to its own bytes");
    }

    // ---- the bad-input battery ----

    /** A distinctive piece of the message for each bad file: what is wrong, in words. */
    private static final Map<String, String> BAD = new TreeMap<>(Map.ofEntries(
            Map.entry("bad_duplicate_key.safetensors", "duplicate key \"a\""),
            Map.entry("bad_header_len_exceeds_file.safetensors", "header length 1099511627776 exceeds the limit"),
            Map.entry("bad_header_len_over_100MB.safetensors", "header length 100000001 exceeds the limit of 100,000,000 bytes"),
            Map.entry("bad_metadata_not_strings.safetensors", "'__metadata__' value of 'x' must be a string, got the number 1"),
            Map.entry("bad_negative_dim.safetensors", "tensor 'a': shape holds the negative number -2"),
            Map.entry("bad_not_json_object.safetensors", "the header must be a JSON object, got an array"),
            Map.entry("bad_offsets_hole.safetensors", "tensor 'b' begins at byte 16 of the data but the previous tensor ('a') ends at 8: a gap of 8 bytes"),
            Map.entry("bad_offsets_overlap.safetensors", "overlapping offsets"),
            Map.entry("bad_offsets_past_end.safetensors", "tensor 'a' has data_offsets [0, 4096] past the end of the data, which holds 8 bytes"),
            Map.entry("bad_shape_overflow.safetensors", "overflows 64 bits"),
            Map.entry("bad_size_mismatch_shape_dtype.safetensors", "tensor 'a' needs 12 bytes for F32 [3] but its data_offsets [0, 8] span 8"),
            Map.entry("bad_trailing_bytes.safetensors", "8 trailing bytes after the last tensor's data"),
            Map.entry("bad_truncated_8_bytes.safetensors", "3 bytes is too short for a safetensors file"),
            Map.entry("bad_unknown_dtype.safetensors", "tensor 'a': unknown dtype \"F33\"")));

    @Test
    void everyBadFileIsRefusedSayingWhatIsWrong() throws IOException {
        Path dir = fixtures();
        List<String> present;
        try (Stream<Path> files = Files.list(dir)) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("bad_")).sorted().toList();
        }
        assertEquals(List.copyOf(BAD.keySet()), present, "every bad_* fixture has an expected message here");
        for (Map.Entry<String, String> bad : BAD.entrySet()) {
            Path file = dir.resolve(bad.getKey());
            FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.read(file), bad.getKey());
            assertTrue(e.getMessage().startsWith(file + ": "), "the message names the file: " + e.getMessage());
            assertTrue(e.getMessage().contains(bad.getValue()), bad.getKey() + ": expected \"" + bad.getValue() + "\" in: " + e.getMessage());
            FileFormatException fromBytes = assertThrows(FileFormatException.class, () -> Safetensors.decode(Files.readAllBytes(file), "entry.safetensors"));
            assertTrue(fromBytes.getMessage().startsWith("entry.safetensors: "), fromBytes.getMessage());
        }
    }
}
