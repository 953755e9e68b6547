package dev.myelin.backend;


/** float32 elements in a Java array (CPU). */
public final class FloatStorage extends Storage {
    private final float[] data;

    public FloatStorage(float[] data) {
        this.data = data;
    }

    /** The backing array; kernels read and write it directly. */
    public float[] data() {
        return data;
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public double get(int i) {
        return data[i];
    }

    @Override
    public void set(int i, double value) {
        data[i] = (float) value;
    }
}
