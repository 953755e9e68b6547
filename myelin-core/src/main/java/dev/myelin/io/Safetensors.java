package dev.myelin.io;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, the
 * weights file of Hugging Face, Keras 3 ({@code model.weights.safetensors}) and most model hubs.
 *
 * <p>The format: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * object (padded with trailing spaces); then the data buffer. The header maps each tensor's name to
 * {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}}, offsets relative to the data
 * buffer, little-endian, row-major; the optional key {@code "__metadata__"} holds an object of strings.
 *
 * <p>Reading follows the reference implementation's rules and refuses, with a {@link FileFormatException}
 * naming the source and the tensor, a header longer than {@value #MAX_HEADER_BYTES} bytes or than the file,
 * a header that is not a strict JSON object (duplicate keys included), an unknown dtype, a negative or
 * non-integer dimension, a size that overflows or differs from {@code product(shape) * dtype.bytes()}, and
 * offsets that, sorted, leave a gap, overlap, or do not end exactly at the end of the file. Writing gives
 * the reference writer's bytes: {@code __metadata__} first, then the tensors by dtype alignment (widest
 * first) and name, compact JSON padded with spaces to a multiple of 8 bytes.
 *
 * <p>Example:
 * <pre>{@code
 * Safetensors.write(Path.of("model.safetensors"), Map.of("dense/kernel", kernel), Map.of("format", "pt"));
 * Map<String, Tensor> weights = Safetensors.read(Path.of("model.safetensors")).tensors();
 * }</pre>
 */
public final class Safetensors {
    /** The longest header a reader accepts, as in the reference implementation. */
    public static final int MAX_HEADER_BYTES = 100_000_000;
    /** The header key that holds the free-form string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private Safetensors() {}

    /**
     * The format's element types that Myelin reads and writes (the format also has BOOL, I16, U16, U32,
     * U64 and F8 types, which are refused by name); I8 holds int8-quantized weights. Declared in the
     * reference's order, whose reverse is the order tensors are written in (widest alignment first).
     */
    public enum DType {
        U8(1, 1),
        I8(1, 2),
        F16(2, 7),
        BF16(2, 8),
        I32(4, 9),
        F32(4, 11),
        F64(8, 12),
        I64(8, 13);

        private final int bytes;
        /** The position of this type in the reference implementation's {@code Dtype} enum. */
        final int referenceOrder;

        DType(int bytes, int referenceOrder) {
            this.bytes = bytes;
            this.referenceOrder = referenceOrder;
        }

        /** Size of one element in bytes. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One tensor: its name, element type, shape and little-endian row-major bytes, of length
     * {@code product(shape) * dtype.bytes()} (a scalar has shape {@code []} and one element).
     *
     * <p>{@code data} is held as given, not copied, because weights can be large: treat it as read-only.
     * {@code shape} is copied. Equality, hash code and {@code toString} go by content.
     *
     * <p>Throws {@link IllegalArgumentException} naming the tensor when the name is {@value Safetensors#METADATA_KEY} or
     * cannot be written as UTF-8, a dimension is negative, or the data length does not match the shape.
     */
    public record Entry(String name, DType dtype, long[] shape, byte[] data) {
        public Entry {
            Objects.requireNonNull(name, "tensor name");
            Objects.requireNonNull(dtype, () -> "dtype of tensor '" + name + "'");
            Objects.requireNonNull(shape, () -> "shape of tensor '" + name + "'");
            Objects.requireNonNull(data, () -> "data of tensor '" + name + "'");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("a tensor cannot be named '" + METADATA_KEY + "': the header keeps that key for metadata");
            String bad = SafetensorsHeader.unpairedSurrogate(name);
            if (bad != null) throw new IllegalArgumentException("tensor name '" + name + "' " + bad + ", so it cannot be written as UTF-8");
            shape = shape.clone();
            long expected = SafetensorsHeader.byteSize(shape, dtype);
            if (expected < 0) throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has a negative dimension or too many bytes");
            if (expected != data.length) {
                throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " " + Arrays.toString(shape) + " needs " + expected + " bytes, got " + data.length);
            }
        }

        /** A copy of the shape. */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /**
         * The tensor's values as F32 (a float32 tensor) or F64 (a float64 tensor), row-major, whatever the
         * tensor's strides.
         */
        public static Entry of(String name, Tensor t) {
            return of(name, t, t.dtype() == dev.myelin.backend.DType.FLOAT64 ? DType.F64 : DType.F32);
        }

        /**
         * The tensor's values stored as {@code as}: F32, F16 and BF16 go through float32 and round to nearest
         * (ties to even), as PyTorch casts; the integer types take only integral values in range (U8: 0 to 255,
         * I8: −128 to 127).
         *
         * @throws IllegalArgumentException naming the tensor and the first value an integer type cannot hold
         */
        public static Entry of(String name, Tensor t, DType as) {
            long[] shape = Arrays.stream(t.shape().toArray()).asLongStream().toArray();
            byte[] data = switch (as) {
                case F32, F16, BF16 -> SafetensorsElements.fromFloats(as, t.toFloatArray());
                case F64, I64, I32, U8, I8 -> SafetensorsElements.fromDoubles(name, as, t.toDoubleArray());
            };
            return new Entry(name, as, shape, data);
        }

        /**
         * The values as a tensor: F32 as float32 and F64 as float64 (bit for bit); F16, BF16, I32, U8 and I8 as
         * float32, exactly; I64 as float64.
         *
         * @throws IllegalArgumentException naming the tensor when an I32 value lies beyond ±2^24 or an I64
         *     value beyond ±2^53 (no float holds it exactly), or a dimension exceeds what a tensor holds
         */
        public Tensor toTensor() {
            int[] dims = new int[shape.length];
            for (int i = 0; i < dims.length; i++) {
                if (shape[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor '" + name + "': dimension " + shape[i] + " of shape " + Arrays.toString(shape) + " exceeds what a Myelin tensor holds");
                dims[i] = (int) shape[i];
            }
            MemoryCheck.elementCount("tensor '" + name + "'", shape);
            return switch (dtype) {
                case F64, I64 -> Tensor.of(SafetensorsElements.toDoubles(name, dtype, data), dims);
                default -> Tensor.of(SafetensorsElements.toFloats(name, dtype, data), dims);
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape) && Arrays.equals(data, e.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "Entry[" + name + ", " + dtype + " " + Arrays.toString(shape) + ", " + data.length + " bytes]";
        }
    }

    /**
     * A decoded file: the metadata in header order and the tensors in the order of their offsets.
     *
     * <p>Throws {@link IllegalArgumentException} when two entries share a name or metadata holds null.
     */
    public record Contents(Map<String, String> metadata, List<Entry> entries) {
        public Contents {
            Map<String, String> m = new LinkedHashMap<>();
            if (metadata != null) {
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    m.put(Objects.requireNonNull(e.getKey(), "metadata key"), Objects.requireNonNull(e.getValue(), () -> "metadata value of '" + e.getKey() + "'"));
                }
            }
            metadata = Collections.unmodifiableMap(m);
            entries = List.copyOf(entries);
            Set<String> names = new HashSet<>();
            for (Entry e : entries) {
                if (!names.add(e.name())) throw new IllegalArgumentException("two tensors are named '" + e.name() + "'");
            }
        }

        /** The entry named {@code name}, or null when there is none. */
        public Entry entry(String name) {
            for (Entry e : entries) {
                if (e.name().equals(name)) return e;
            }
            return null;
        }

        /** Every entry as a tensor ({@link Entry#toTensor}), by name, in the order of the entries. */
        public Map<String, Tensor> tensors() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : entries) out.put(e.name(), e.toTensor());
            return out;
        }
    }

    /**
     * The bytes of a file holding {@code entries} and {@code metadata} (null or empty: no
     * {@code __metadata__} key), exactly as the reference writer lays them out.
     *
     * @throws IllegalArgumentException when two entries share a name, metadata holds null or an unpaired
     *     surrogate, the header would exceed {@value #MAX_HEADER_BYTES} bytes or the file a Java array
     */
    public static byte[] encode(List<Entry> entries, Map<String, String> metadata) {
        SafetensorsHeader.Prepared p = SafetensorsHeader.prepare(entries, metadata);
        long total = 8L + p.header().length + p.dataBytes();
        if (total > MemoryCheck.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("a safetensors file of " + MemoryCheck.bytes(total) + " exceeds the largest array Java allows: write it to a file with Safetensors.write");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(p.header().length).put(p.header());
        for (Entry e : p.sorted()) out.put(e.data);
        return out.array();
    }

    /** {@link #encode(List, Map)} of every tensor as {@link Entry#of(String, Tensor)} (F32 or F64). */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        return encode(entriesOf(tensors), metadata);
    }

    /**
     * Writes {@code tensors} (as {@link Entry#of(String, Tensor)}) and {@code metadata} to {@code file}
     * through {@link AtomicFiles}: the file holds either its old contents or the whole new file.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, entriesOf(tensors), metadata);
    }

    /** Writes {@code entries} and {@code metadata} to {@code file} atomically, with {@link #encode(List, Map)}'s bytes. */
    public static void write(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        SafetensorsHeader.Prepared p = SafetensorsHeader.prepare(entries, metadata);
        AtomicFiles.write(file, out -> {
            OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
            buffered.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(p.header().length).array());
            buffered.write(p.header());
            for (Entry e : p.sorted()) buffered.write(e.data);
            buffered.flush();
        });
    }

    /**
     * Decodes a whole safetensors file held in memory.
     *
     * @param source names the file (or zip entry) in error messages
     * @throws FileFormatException naming {@code source}, the tensor and what was expected, for any input
     *     that breaks the format's rules
     */
    public static Contents decode(byte[] bytes, String source) throws FileFormatException {
        return SafetensorsDecoder.decode(Objects.requireNonNull(bytes, "bytes"), source == null ? "safetensors data" : source);
    }

    /**
     * Reads and decodes {@code file}, after checking that its size fits a Java array and the free heap.
     *
     * @throws FileFormatException when the file breaks the format's rules or exceeds 2 GB
     * @throws IOException when it cannot be read or the heap cannot hold it
     */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MemoryCheck.MAX_ARRAY_LENGTH) {
            throw new FileFormatException(file + ": " + MemoryCheck.bytes(size) + " is more than the " + MemoryCheck.bytes(MemoryCheck.MAX_ARRAY_LENGTH)
                    + " a Java array holds; Myelin reads safetensors files up to that size");
        }
        String shortfall = MemoryCheck.shortfall("reading " + file, 2 * size); // the file's bytes, then each tensor's copy
        if (shortfall != null) throw new IOException(shortfall);
        return decode(Files.readAllBytes(file), file.toString());
    }

    private static List<Entry> entriesOf(Map<String, Tensor> tensors) {
        List<Entry> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) entries.add(Entry.of(e.getKey(), e.getValue()));
        return entries;
    }
}
