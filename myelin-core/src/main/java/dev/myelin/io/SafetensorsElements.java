package dev.myelin.io;

import dev.myelin.io.Safetensors.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts between a safetensors element type's little-endian bytes and Java floats and doubles.
 *
 * <p>F16 is IEEE 754 binary16 ({@link Float#float16ToFloat}, {@link Float#floatToFloat16}); BF16 is the
 * upper half of a float32's bits, so widening is a shift and narrowing rounds to nearest, ties to even,
 * keeping NaN a (quiet) NaN. Every conversion to float32 or float64 is exact or refused: I32 beyond
 * ±2^24 and I64 beyond ±2^53 have no exact float and are refused rather than silently rounded.
 */
final class SafetensorsElements {
    /** The largest magnitude up to which every integer is a float32. */
    private static final long FLOAT_EXACT = 1L << 24;
    /** The largest magnitude up to which every integer is a float64. */
    private static final long DOUBLE_EXACT = 1L << 53;

    private SafetensorsElements() {}

    private static ByteBuffer le(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** F32, F16, BF16, I32, U8 or I8 bytes as floats, exactly. */
    static float[] toFloats(String name, DType dtype, byte[] data) {
        float[] out = new float[data.length / dtype.bytes()];
        ByteBuffer in = le(data);
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(in.getShort(2 * i));
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) out[i] = bf16ToFloat(in.getShort(2 * i));
            }
            case I32 -> {
                for (int i = 0; i < out.length; i++) {
                    int v = in.getInt(4 * i);
                    if (Math.abs((long) v) > FLOAT_EXACT) throw notExact(name, dtype, v, i, "float32", "2^24");
                    out[i] = v;
                }
            }
            case U8 -> {
                for (int i = 0; i < out.length; i++) out[i] = data[i] & 0xFF;
            }
            case I8 -> {
                for (int i = 0; i < out.length; i++) out[i] = data[i];
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is read as float64, not float32");
        }
        return out;
    }

    /** F64 or I64 bytes as doubles, exactly. */
    static double[] toDoubles(String name, DType dtype, byte[] data) {
        double[] out = new double[data.length / dtype.bytes()];
        ByteBuffer in = le(data);
        switch (dtype) {
            case F64 -> in.asDoubleBuffer().get(out);
            case I64 -> {
                for (int i = 0; i < out.length; i++) {
                    long v = in.getLong(8 * i);
                    if (v > DOUBLE_EXACT || v < -DOUBLE_EXACT) throw notExact(name, dtype, v, i, "float64", "2^53");
                    out[i] = v;
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is read as float32, not float64");
        }
        return out;
    }

    /** Floats as F32, F16 or BF16 bytes (rounding to nearest, ties to even, for the 16-bit types). */
    static byte[] fromFloats(DType dtype, float[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(values);
            case F16 -> {
                for (float v : values) out.putShort(Float.floatToFloat16(v));
            }
            case BF16 -> {
                for (float v : values) out.putShort(floatToBf16(v));
            }
            default -> throw new IllegalArgumentException(dtype + " is not a floating-point type of 32 bits or less");
        }
        return out.array();
    }

    /** Doubles as F64 bytes, or as I64, I32, U8 or I8 bytes when every value is an integer in the type's range. */
    static byte[] fromDoubles(String name, DType dtype, double[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.F64) {
            out.asDoubleBuffer().put(values);
            return out.array();
        }
        double min = switch (dtype) {
            case I64 -> -DOUBLE_EXACT;
            case I32 -> Integer.MIN_VALUE;
            case U8 -> 0;
            case I8 -> Byte.MIN_VALUE;
            default -> throw new IllegalArgumentException(dtype + " is not F64 or an integer type");
        };
        double max = switch (dtype) {
            case I64 -> DOUBLE_EXACT;
            case I32 -> Integer.MAX_VALUE;
            case I8 -> Byte.MAX_VALUE;
            default -> 255;
        };
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < min || v > max) {
                throw new IllegalArgumentException("tensor '" + name + "': value " + v + " at index " + i + " is not an integer in [" + (long) min + ", " + (long) max + "], so it cannot be stored as " + dtype);
            }
            switch (dtype) {
                case I64 -> out.putLong((long) v);
                case I32 -> out.putInt((int) v);
                default -> out.put((byte) (int) v);
            }
        }
        return out.array();
    }

    /** A bfloat16 (the upper 16 bits of a float32) widened to float32: exact. */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** A float32 narrowed to bfloat16: round to nearest, ties to even; NaN stays a quiet NaN with its sign. */
    static short floatToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x0040);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    private static IllegalArgumentException notExact(String name, DType dtype, long v, int index, String target, String limit) {
        return new IllegalArgumentException("tensor '" + name + "': " + dtype + " value " + v + " at index " + index + " lies beyond ±" + limit
                + ", so no " + target + " holds it exactly (Myelin reads " + dtype + " tensors as " + target + ")");
    }
}
