package dev.myelin.onnx.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the protobuf wire format (see {@link WireReader}): fields in the order they are written, repeated
 * numbers packed (as proto3 and the ONNX writers do; proto2 readers accept both forms). A nested message is
 * written to its own writer first and then copied in with its length.
 */
public final class WireWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void key(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void rawFixed32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    /** A varint field (int32, int64, enum, bool); negative values take 10 bytes, as protobuf writes them. */
    public WireWriter varint(int field, long value) {
        key(field, WireReader.VARINT);
        rawVarint(value);
        return this;
    }

    public WireWriter float32(int field, float value) {
        key(field, WireReader.FIXED32);
        rawFixed32(Float.floatToRawIntBits(value));
        return this;
    }

    public WireWriter bytes(int field, byte[] value) {
        key(field, WireReader.LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    public WireWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public WireWriter message(int field, WireWriter message) {
        key(field, WireReader.LENGTH_DELIMITED);
        rawVarint(message.out.size());
        out.writeBytes(message.out.toByteArray());
        return this;
    }

    /** A packed repeated varint field (nothing when empty). */
    public WireWriter packedVarints(int field, long[] values) {
        if (values.length == 0) return this;
        WireWriter run = new WireWriter();
        for (long v : values) run.rawVarint(v);
        return bytes(field, run.toByteArray());
    }

    /** A packed repeated float field (nothing when empty). */
    public WireWriter packedFloats(int field, float[] values) {
        if (values.length == 0) return this;
        WireWriter run = new WireWriter();
        for (float v : values) run.rawFixed32(Float.floatToRawIntBits(v));
        return bytes(field, run.toByteArray());
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
