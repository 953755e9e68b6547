package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format (proto2) from a byte array: a sequence of fields, each a key
 * ({@code field number << 3 | wire type}) and a value: a varint (type 0), 8 bytes (type 1), a length and
 * that many bytes (type 2: strings, bytes, nested messages, packed repeated numbers) or 4 bytes (type 5).
 *
 * <p>Untrusted input: every length is checked against the bytes left in the enclosing message before
 * anything is allocated, nesting is limited to {@link #MAX_DEPTH}, and every failure is a
 * {@link FileFormatException} naming the offset and what was expected. Unknown fields are skipped; the
 * deprecated group wire types (3, 4) are refused.
 */
public final class WireReader {
    /** Deepest message nesting accepted (ONNX needs about 8; subgraphs add a few levels each). */
    public static final int MAX_DEPTH = 64;

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int FIXED32 = 5;

    private final byte[] buf;
    private final String source;
    private final int depth;
    private final int limit;
    private int pos;
    private int key;

    /** A reader over all of {@code bytes}; {@code source} names the file in messages. */
    public WireReader(byte[] bytes, String source) {
        this(bytes, source, 0, 0, bytes.length);
    }

    private WireReader(byte[] buf, String source, int depth, int start, int limit) {
        this.buf = buf;
        this.source = source;
        this.depth = depth;
        this.pos = start;
        this.limit = limit;
    }

    /** Whether another field follows in this message. */
    public boolean hasMore() {
        return pos < limit;
    }

    /** Reads the next field's key; returns its field number (the wire type is {@link #wireType()}). */
    public int nextField() throws FileFormatException {
        int at = pos;
        long k = varint();
        int field = (int) (k >>> 3);
        if (k >>> 3 > 0x1FFFFFFF || field == 0) throw error(at, "invalid field number " + (k >>> 3));
        key = (int) k;
        int type = wireType();
        if (type != VARINT && type != FIXED64 && type != LENGTH_DELIMITED && type != FIXED32) {
            throw error(at, "unsupported wire type " + type + " in field " + field);
        }
        return field;
    }

    /** The wire type of the field just read by {@link #nextField()}. */
    public int wireType() {
        return key & 7;
    }

    /** A varint (up to 10 bytes). */
    public long varint() throws FileFormatException {
        long result = 0;
        int at = pos;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) throw error(at, "truncated varint");
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) return result;
        }
        throw error(at, "varint longer than 10 bytes");
    }

    /** A varint field's value as an int32 (protobuf encodes negative int32 in 10 bytes; the low 32 bits count). */
    public int int32() throws FileFormatException {
        return (int) varint();
    }

    public int fixed32() throws FileFormatException {
        require(4, "fixed32");
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long fixed64() throws FileFormatException {
        long lo = fixed32() & 0xFFFFFFFFL;
        long hi = fixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    public float float32() throws FileFormatException {
        return Float.intBitsToFloat(fixed32());
    }

    public double float64() throws FileFormatException {
        return Double.longBitsToDouble(fixed64());
    }

    /** The length of a length-delimited field, checked against the bytes left. */
    private int length(String what) throws FileFormatException {
        int at = pos;
        long n = varint();
        if (n < 0 || n > limit - pos) {
            throw error(at, what + " of " + Long.toUnsignedString(n) + " bytes, but only " + (limit - pos) + " bytes are left in the message");
        }
        return (int) n;
    }

    /** A length-delimited field's bytes (copied). */
    public byte[] bytes() throws FileFormatException {
        int n = length("a bytes field");
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A length-delimited field as UTF-8 text. */
    public String string() throws FileFormatException {
        int n = length("a string");
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** A nested message: a reader over its bytes, one level deeper (refused past {@link #MAX_DEPTH}). */
    public WireReader message() throws FileFormatException {
        if (depth + 1 > MAX_DEPTH) throw error(pos, "messages nested deeper than " + MAX_DEPTH + " levels");
        int n = length("a nested message");
        WireReader sub = new WireReader(buf, source, depth + 1, pos, pos + n);
        pos += n;
        return sub;
    }

    /**
     * The values of a repeated varint field: all of a packed run (wire type 2) or the one value of an
     * unpacked element (wire type 0), appended to {@code into}.
     */
    public void varints(LongList into) throws FileFormatException {
        if (wireType() == VARINT) {
            into.add(varint());
            return;
        }
        expect(LENGTH_DELIMITED, "a repeated integer");
        int n = length("a packed integer run");
        int end = pos + n;
        WireReader run = new WireReader(buf, source, depth, pos, end);
        while (run.hasMore()) into.add(run.varint());
        pos = end;
    }

    /** The values of a repeated float field: packed (wire type 2, a multiple of 4 bytes) or one unpacked value (wire type 5). */
    public void floats(FloatList into) throws FileFormatException {
        if (wireType() == FIXED32) {
            into.add(float32());
            return;
        }
        expect(LENGTH_DELIMITED, "a repeated float");
        int at = pos;
        int n = length("a packed float run");
        if (n % 4 != 0) throw error(at, "a packed float run of " + n + " bytes (not a multiple of 4)");
        into.reserve(n / 4);
        for (int end = pos + n; pos < end; ) into.add(float32());
    }

    /** The values of a repeated double field: packed or one unpacked value (wire type 1). */
    public void doubles(java.util.List<Double> into) throws FileFormatException {
        if (wireType() == FIXED64) {
            into.add(float64());
            return;
        }
        expect(LENGTH_DELIMITED, "a repeated double");
        int at = pos;
        int n = length("a packed double run");
        if (n % 8 != 0) throw error(at, "a packed double run of " + n + " bytes (not a multiple of 8)");
        for (int end = pos + n; pos < end; ) into.add(float64());
    }

    /** Checks the current field's wire type. */
    public void expect(int type, String what) throws FileFormatException {
        if (wireType() != type) throw error(pos, what + " (field " + (key >>> 3) + ") has wire type " + wireType() + ", expected " + type);
    }

    /** Skips the current field's value. */
    public void skip() throws FileFormatException {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> {
                require(8, "fixed64");
                pos += 8;
            }
            case FIXED32 -> {
                require(4, "fixed32");
                pos += 4;
            }
            case LENGTH_DELIMITED -> {
                int n = length("a skipped field"); // read before pos: "pos += length()" would add to the old pos
                pos += n;
            }
            default -> throw error(pos, "unsupported wire type " + wireType());
        }
    }

    private void require(int n, String what) throws FileFormatException {
        if (limit - pos < n) throw error(pos, "truncated " + what + " (" + n + " bytes needed, " + (limit - pos) + " left)");
    }

    /** An error naming the source and byte offset. */
    public FileFormatException error(int at, String message) {
        return new FileFormatException(source + ": malformed protobuf at byte " + at + ": " + message);
    }
}
