package dev.myelin.io;

import dev.myelin.io.Safetensors.Contents;
import dev.myelin.io.Safetensors.DType;
import dev.myelin.io.Safetensors.Entry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks and decodes a safetensors file by the reference reader's rules ({@code SafeTensors::read_metadata}
 * and {@code Metadata::validate}); every violation is a {@link FileFormatException} that names the source
 * and the tensor. Nothing is allocated from a size read in the header before it has been checked against
 * the bytes actually present.
 */
final class SafetensorsDecoder {
    /** Types of the format that Myelin does not read: named in the error instead of "unknown". */
    private static final Set<String> UNSUPPORTED = Set.of("BOOL", "I16", "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    private final String source;

    private SafetensorsDecoder(String source) {
        this.source = source;
    }

    /** One tensor as the header describes it. */
    private record Info(String name, DType dtype, long[] shape, long begin, long end) {}

    static Contents decode(byte[] bytes, String source) throws FileFormatException {
        return new SafetensorsDecoder(source).decode(bytes);
    }

    private Contents decode(byte[] bytes) throws FileFormatException {
        if (bytes.length < 8) {
            throw fail(bytes.length + " bytes is too short for a safetensors file, which starts with an 8-byte header length");
        }
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > Safetensors.MAX_HEADER_BYTES) {
            throw fail("header length " + Long.toUnsignedString(n) + " exceeds the limit of " + String.format("%,d", Safetensors.MAX_HEADER_BYTES) + " bytes");
        }
        if (n > bytes.length - 8L) {
            throw fail("header length " + n + " exceeds the " + (bytes.length - 8) + " bytes that follow it (a truncated file, or not safetensors)");
        }
        Map<?, ?> header = parseHeader(bytes, (int) n);

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Info> infos = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String key = (String) e.getKey();
            checkText("key", key);
            if (key.equals(Safetensors.METADATA_KEY)) metadata = metadata(e.getValue());
            else infos.add(info(key, e.getValue()));
        }
        // The reference sorts by (begin, end); a stable sort keeps header order among empty tensors at one offset.
        infos.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));

        long dataLength = bytes.length - 8L - n;
        long expected = 0;
        String previous = null;
        for (Info t : infos) {
            if (t.begin() > expected) {
                throw fail("tensor '" + t.name() + "' begins at byte " + t.begin() + " of the data but " + after(previous, expected)
                        + ": a gap of " + (t.begin() - expected) + " bytes (offsets must be contiguous)");
            }
            if (t.begin() < expected) {
                throw fail("tensor '" + t.name() + "' begins at byte " + t.begin() + " of the data, before " + after(previous, expected)
                        + ": overlapping offsets");
            }
            if (t.end() < t.begin()) {
                throw fail("tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end() + "] that end before they begin");
            }
            long size = SafetensorsHeader.byteSize(t.shape(), t.dtype());
            if (size < 0) {
                throw fail("tensor '" + t.name() + "': shape " + Arrays.toString(t.shape()) + " of " + t.dtype() + " overflows 64 bits when counted in bytes");
            }
            if (size != t.end() - t.begin()) {
                throw fail("tensor '" + t.name() + "' needs " + size + " bytes for " + t.dtype() + " " + Arrays.toString(t.shape())
                        + " but its data_offsets [" + t.begin() + ", " + t.end() + "] span " + (t.end() - t.begin()));
            }
            if (t.end() > dataLength) {
                throw fail("tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end() + "] past the end of the data, which holds "
                        + dataLength + " bytes (a truncated file?)");
            }
            expected = t.end();
            previous = t.name();
        }
        if (expected != dataLength) {
            throw fail((dataLength - expected) + " trailing bytes after " + (previous == null ? "the header, which names no tensor" : "the last tensor's data ('" + previous + "' ends at byte " + expected + ")")
                    + ": the tensors must cover the data exactly");
        }

        List<Entry> entries = new ArrayList<>(infos.size());
        int base = 8 + (int) n;
        for (Info t : infos) {
            byte[] data = Arrays.copyOfRange(bytes, base + (int) t.begin(), base + (int) t.end());
            entries.add(new Entry(t.name(), t.dtype(), t.shape(), data));
        }
        return new Contents(metadata, entries);
    }

    private Map<?, ?> parseHeader(byte[] bytes, int n) throws FileFormatException {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, n));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw fail("the header is not valid UTF-8 (" + e.getMessage() + ")");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (JsonException e) {
            throw fail("the header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) throw fail("the header must be a JSON object, got " + kind(root));
        return map;
    }

    private Map<String, String> metadata(Object value) throws FileFormatException {
        if (!(value instanceof Map<?, ?> map)) throw fail("'" + Safetensors.METADATA_KEY + "' must be an object of strings, got " + kind(value));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            checkText("metadata key", key);
            if (!(e.getValue() instanceof String s)) {
                throw fail("'" + Safetensors.METADATA_KEY + "' value of '" + key + "' must be a string, got " + kind(e.getValue()));
            }
            checkText("metadata value of '" + key + "'", s);
            out.put(key, s);
        }
        return out;
    }

    private Info info(String name, Object value) throws FileFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw fail("tensor '" + name + "' must be an object with dtype, shape and data_offsets, got " + kind(value));
        }
        // Other keys are ignored, as the reference reader ignores them.
        Object dtypeName = required(map, name, "dtype");
        if (!(dtypeName instanceof String s)) throw fail("tensor '" + name + "': dtype must be a string, got " + kind(dtypeName));
        DType dtype = dtype(name, s);
        List<?> shapeList = list(map, name, "shape");
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = nonNegative(name, "shape", shapeList.get(i));
        List<?> offsets = list(map, name, "data_offsets");
        if (offsets.size() != 2) throw fail("tensor '" + name + "': data_offsets must be [begin, end], got " + offsets.size() + " numbers");
        return new Info(name, dtype, shape, nonNegative(name, "data_offsets", offsets.get(0)), nonNegative(name, "data_offsets", offsets.get(1)));
    }

    private DType dtype(String tensor, String name) throws FileFormatException {
        for (DType t : DType.values()) {
            if (t.name().equals(name)) return t;
        }
        String known = Arrays.toString(DType.values());
        if (UNSUPPORTED.contains(name)) throw fail("tensor '" + tensor + "': dtype " + name + " is not supported; Myelin reads " + known);
        throw fail("tensor '" + tensor + "': unknown dtype \"" + name + "\"; expected one of " + known);
    }

    private Object required(Map<?, ?> map, String tensor, String key) throws FileFormatException {
        if (!map.containsKey(key)) throw fail("tensor '" + tensor + "' has no \"" + key + "\"");
        return map.get(key);
    }

    private List<?> list(Map<?, ?> map, String tensor, String key) throws FileFormatException {
        Object v = required(map, tensor, key);
        if (!(v instanceof List<?> l)) throw fail("tensor '" + tensor + "': " + key + " must be an array of non-negative integers, got " + kind(v));
        return l;
    }

    private long nonNegative(String tensor, String key, Object v) throws FileFormatException {
        if (v instanceof Long l) {
            if (l < 0) throw fail("tensor '" + tensor + "': " + key + " holds the negative number " + l + "; expected non-negative integers");
            return l;
        }
        String got = v instanceof Double d ? "the number " + (d == Math.rint(d) && Math.abs(d) >= 0x1p63 ? "beyond 2^63" : d.toString()) : kind(v);
        throw fail("tensor '" + tensor + "': " + key + " must hold non-negative integers below 2^63, got " + got);
    }

    private void checkText(String what, String s) throws FileFormatException {
        String bad = SafetensorsHeader.unpairedSurrogate(s);
        if (bad != null) throw fail("the header's " + what + " '" + s + "' " + bad + " (invalid in UTF-8)");
    }

    private static String after(String previous, long expected) {
        return previous == null ? "the first tensor must begin at 0" : "the previous tensor ('" + previous + "') ends at " + expected;
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case Boolean b -> b.toString();
            default -> "the number " + v;
        };
    }

    private FileFormatException fail(String message) {
        return new FileFormatException(source + ": " + message);
    }

    private FileFormatException fail(String message, Throwable cause) {
        return new FileFormatException(source + ": " + message, cause);
    }
}
