package dev.myelin.onnx.proto;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.io.FileFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX {@code TensorProto}: a named constant tensor. The elements are either in {@code raw_data}
 * (little-endian bytes, what exporters write) or in the typed field for the type ({@code float_data},
 * {@code int32_data} for the small integer types, {@code int64_data}, {@code double_data}).
 * Tensors stored outside the file ({@code data_location = EXTERNAL}) are refused when read.
 *
 * @param dims     the shape (a scalar has none)
 * @param dataType {@link #FLOAT}, {@link #INT64}, ... (ONNX's {@code TensorProto.DataType})
 */
public record TensorProto(String name, long[] dims, int dataType, byte[] rawData, float[] floatData, long[] int32Data,
                          long[] int64Data, double[] doubleData, boolean external) {
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int BOOL = 9;
    public static final int DOUBLE = 11;

    /** A float32 tensor, its elements in {@code raw_data}. */
    public static TensorProto ofFloats(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TensorProto(name, dims.clone(), FLOAT, b.array(), null, null, null, null, false);
    }

    /** An int64 tensor, its elements in {@code raw_data}. */
    public static TensorProto ofLongs(String name, long[] dims, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new TensorProto(name, dims.clone(), INT64, b.array(), null, null, null, null, false);
    }

    /** The number of elements, checked: no negative dimension and a count that fits an array. */
    public int elementCount() throws FileFormatException {
        for (long d : dims) {
            if (d < 0) throw new FileFormatException("tensor '" + name + "' has a negative dimension in " + Arrays.toString(dims));
        }
        try {
            return MemoryCheck.elementCount("tensor '" + name + "'", dims);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " is too large: " + e.getMessage(), e);
        }
    }

    /** The elements as float32 (from a float, double or integer tensor), checked against the shape. */
    public float[] floats() throws FileFormatException {
        int n = elementCount();
        checkStoredHere();
        switch (dataType) {
            case FLOAT -> checkLength(n, 4, floatData);
            case DOUBLE -> checkLength(n, 8, doubleData);
            default -> { }
        }
        float[] out = new float[n];
        switch (dataType) {
            case FLOAT -> {
                if (rawData != null) {
                    checkRawLength(n, 4);
                    ByteBuffer.wrap(rawData).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
                } else {
                    checkTypedLength(floatData, n);
                    System.arraycopy(floatData, 0, out, 0, n);
                }
            }
            case DOUBLE -> {
                if (rawData != null) {
                    checkRawLength(n, 8);
                    var d = ByteBuffer.wrap(rawData).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
                    for (int i = 0; i < n; i++) out[i] = (float) d.get(i);
                } else {
                    checkTypedLength(doubleData, n);
                    for (int i = 0; i < n; i++) out[i] = (float) doubleData[i];
                }
            }
            case INT64, INT32, INT8, UINT8, BOOL -> {
                long[] v = longs();
                for (int i = 0; i < n; i++) out[i] = v[i];
            }
            default -> throw new FileFormatException("tensor '" + name + "' has data type " + typeName(dataType) + "; Myelin reads float, double and integer tensors");
        }
        return out;
    }

    /** The elements as integers (from an int64, int32, int8, uint8 or bool tensor), checked against the shape. */
    public long[] longs() throws FileFormatException {
        int n = elementCount();
        checkStoredHere();
        switch (dataType) {
            case INT64 -> checkLength(n, 8, int64Data);
            case INT32 -> checkLength(n, 4, int32Data);
            case INT8, UINT8, BOOL -> checkLength(n, 1, int32Data);
            default -> { }
        }
        long[] out = new long[n];
        switch (dataType) {
            case INT64 -> {
                if (rawData != null) {
                    checkRawLength(n, 8);
                    ByteBuffer.wrap(rawData).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
                } else {
                    checkTypedLength(int64Data, n);
                    System.arraycopy(int64Data, 0, out, 0, n);
                }
            }
            case INT32 -> {
                if (rawData != null) {
                    checkRawLength(n, 4);
                    var b = ByteBuffer.wrap(rawData).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                    for (int i = 0; i < n; i++) out[i] = b.get(i);
                } else {
                    checkTypedLength(int32Data, n);
                    for (int i = 0; i < n; i++) out[i] = (int) int32Data[i];
                }
            }
            case INT8, UINT8, BOOL -> {
                if (rawData != null) {
                    checkRawLength(n, 1);
                    for (int i = 0; i < n; i++) out[i] = dataType == INT8 ? rawData[i] : rawData[i] & 0xFF;
                } else {
                    checkTypedLength(int32Data, n);
                    System.arraycopy(int32Data, 0, out, 0, n);
                }
            }
            default -> throw new FileFormatException("tensor '" + name + "' has data type " + typeName(dataType) + " where integers were expected");
        }
        return out;
    }

    /** Checks the stored elements against the shape before anything of the shape's size is allocated. */
    private void checkLength(int n, int elementSize, Object typed) throws FileFormatException {
        if (rawData != null) checkRawLength(n, elementSize);
        else checkTypedLength(typed, n);
    }

    private void checkStoredHere() throws FileFormatException {
        if (external) throw new FileFormatException("tensor '" + name + "' is stored in an external file; Myelin reads ONNX files with their weights inside");
    }

    private void checkRawLength(int n, int elementSize) throws FileFormatException {
        if (rawData.length != (long) n * elementSize) {
            throw new FileFormatException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " and type " + typeName(dataType) + " needs "
                    + (long) n * elementSize + " bytes of raw_data but has " + rawData.length);
        }
    }

    private void checkTypedLength(Object array, int n) throws FileFormatException {
        int len = array == null ? 0 : java.lang.reflect.Array.getLength(array);
        if (len != n) {
            throw new FileFormatException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " holds " + len + " elements of type "
                    + typeName(dataType) + ", expected " + n);
        }
    }

    /** ONNX's name of a data type, such as {@code FLOAT} or {@code INT64}. */
    public static String typeName(int type) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE",
                "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
        return type >= 0 && type < names.length ? names[type] : "type " + type;
    }

    static TensorProto decode(WireReader r) throws FileFormatException {
        String name = "";
        LongList dims = new LongList();
        int type = 0;
        byte[] raw = null;
        FloatList floats = null;
        LongList int32s = null;
        LongList int64s = null;
        List<Double> doubles = null;
        boolean external = false;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> r.varints(dims);
                case 2 -> type = r.int32();
                case 4 -> r.floats(floats == null ? floats = new FloatList() : floats);
                case 5 -> r.varints(int32s == null ? int32s = new LongList() : int32s);
                case 7 -> r.varints(int64s == null ? int64s = new LongList() : int64s);
                case 8 -> name = r.string();
                case 9 -> raw = r.bytes();
                case 10 -> r.doubles(doubles == null ? doubles = new ArrayList<>() : doubles);
                case 14 -> external = r.varint() == 1;
                default -> r.skip();
            }
        }
        double[] d = doubles == null ? null : doubles.stream().mapToDouble(Double::doubleValue).toArray();
        return new TensorProto(name, dims.toArray(), type, raw, floats == null ? null : floats.toArray(), int32s == null ? null : int32s.toArray(),
                int64s == null ? null : int64s.toArray(), d, external);
    }

    /** A tensor file ({@code input_0.pb} of the ONNX test data): one serialized TensorProto. */
    public static TensorProto parse(byte[] bytes, String source) throws FileFormatException {
        return decode(new WireReader(bytes, source));
    }

    WireWriter encode() {
        WireWriter w = new WireWriter().packedVarints(1, dims).varint(2, dataType);
        if (floatData != null) w.packedFloats(4, floatData);
        if (int64Data != null) w.packedVarints(7, int64Data);
        w.string(8, name);
        if (rawData != null) w.bytes(9, rawData);
        return w;
    }

    public byte[] toByteArray() {
        return encode().toByteArray();
    }
}
