package dev.myelin.io;

import dev.myelin.io.Safetensors.DType;
import dev.myelin.io.Safetensors.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays out a safetensors file as the reference writer ({@code safetensors::tensor::prepare}) does, so that
 * the same tensors give the same bytes: tensors sorted by dtype in the reverse of the reference's
 * {@code Dtype} order (widest alignment first) and then by name (UTF-8 byte order, as Rust compares
 * strings); a compact JSON header ({@code serde_json}'s escaping) with {@code __metadata__} first;
 * spaces appended to a multiple of 8 bytes so that every tensor's data starts aligned.
 *
 * <p>{@link Json#write} indents its output, so the header has this small writer of its own.
 */
final class SafetensorsHeader {
    private SafetensorsHeader() {}

    /** The header bytes (padded), the entries in file order and the data buffer's length. */
    record Prepared(byte[] header, List<Entry> sorted, long dataBytes) {}

    static Prepared prepare(List<Entry> entries, Map<String, String> metadata) {
        List<Entry> sorted = new ArrayList<>(entries);
        Set<String> names = new HashSet<>();
        for (Entry e : sorted) {
            if (e == null) throw new IllegalArgumentException("a safetensors entry is null");
            if (!names.add(e.name())) throw new IllegalArgumentException("two tensors are named '" + e.name() + "'");
        }
        sorted.sort(Comparator.<Entry>comparingInt(e -> -e.dtype().referenceOrder).thenComparing(e -> e.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));

        StringBuilder json = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            Json.quote(Safetensors.METADATA_KEY, json);
            json.append(":{");
            boolean first = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                String key = m.getKey(), value = m.getValue();
                if (key == null || value == null) throw new IllegalArgumentException("safetensors metadata cannot hold null (key " + key + ", value " + value + ")");
                checkWritable("metadata key '" + key + "'", key);
                checkWritable("metadata value of '" + key + "'", value);
                if (!first) json.append(',');
                first = false;
                Json.quote(key, json);
                json.append(':');
                Json.quote(value, json);
            }
            json.append('}');
        }
        long offset = 0;
        for (Entry e : sorted) {
            if (json.length() > 1) json.append(',');
            Json.quote(e.name(), json);
            json.append(":{\"dtype\":\"").append(e.dtype().name()).append("\",\"shape\":[");
            long[] shape = e.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) json.append(',');
                json.append(shape[i]);
            }
            long end = offset + e.data().length;
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
            if (json.length() > Safetensors.MAX_HEADER_BYTES) throw headerTooLong(json.length());
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = text.length + (8 - text.length % 8) % 8;
        if (padded > Safetensors.MAX_HEADER_BYTES) throw headerTooLong(padded);
        byte[] header = Arrays.copyOf(text, padded);
        Arrays.fill(header, text.length, padded, (byte) ' ');
        return new Prepared(header, List.copyOf(sorted), offset);
    }

    /** {@code product(shape) * dtype.bytes()}, or -1 when a dimension is negative or the product overflows a long. */
    static long byteSize(long[] shape, DType dtype) {
        long n = dtype.bytes();
        for (long d : shape) {
            if (d < 0) return -1;
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException overflow) {
                return -1;
            }
        }
        return n;
    }

    /** What is wrong with {@code s} as UTF-8 text ("holds an unpaired surrogate U+D800 at index 3"), or null. */
    static String unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "holds an unpaired surrogate U+" + String.format("%04X", (int) c) + " at index " + i;
            }
        }
        return null;
    }

    private static void checkWritable(String what, String s) {
        String bad = unpairedSurrogate(s);
        if (bad != null) throw new IllegalArgumentException(what + " " + bad + ", so it cannot be written as UTF-8");
    }

    private static IllegalArgumentException headerTooLong(long length) {
        return new IllegalArgumentException("the safetensors header would be " + length + " bytes, more than the " + Safetensors.MAX_HEADER_BYTES + " a reader accepts");
    }
}
