package dev.myelin.backend;


/** float64 elements in a Java array (CPU). */
public final class DoubleStorage extends Storage {
    private final double[] data;

    public DoubleStorage(double[] data) {
        this.data = data;
    }

    /** The backing array; kernels read and write it directly. */
    public double[] data() {
        return data;
    }

    @Override
    public DType dtype() {
        return DType.FLOAT64;
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
        data[i] = value;
    }
}
