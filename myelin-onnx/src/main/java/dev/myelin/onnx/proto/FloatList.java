package dev.myelin.onnx.proto;

import java.util.Arrays;

/** A growable list of {@code float}s (repeated float fields), without boxing. */
public final class FloatList {
    private float[] values = new float[4];
    private int size;

    public void add(float v) {
        if (size == values.length) values = Arrays.copyOf(values, Math.max(8, size * 2));
        values[size++] = v;
    }

    /** Makes room for {@code more} values (their bytes were already checked to be in the buffer). */
    void reserve(int more) {
        if (size + more > values.length) values = Arrays.copyOf(values, size + more);
    }

    public int size() {
        return size;
    }

    public float[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
