package dev.myelin.backend.naive;

import dev.myelin.backend.DType;
import dev.myelin.backend.Storage;

/**
 * The naive backend's own storage: every element kept as a double, rounded to float on each write for
 * float32 (so float32 results round as on any float32 backend). It is not a FloatStorage on purpose:
 * code that casts storages to reach Java arrays fails on it.
 */
final class NaiveStorage extends Storage {
    private final DType dtype;
    private final double[] values;

    NaiveStorage(DType dtype, int length) {
        this.dtype = dtype;
        this.values = new double[length];
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return values.length;
    }

    @Override
    public double get(int i) {
        return values[i];
    }

    @Override
    public void set(int i, double value) {
        values[i] = dtype == DType.FLOAT32 ? (float) value : value;
    }
}
