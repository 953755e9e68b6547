package dev.myelin.backend;


/**
 * float32 elements in a Java array (CPU).
 *
 * <p>Ownership, for the buffer pool ({@code dev.myelin.tensor.BufferPool}): each tensor made on this storage
 * is counted ({@link #attachTensor}), and a storage allocated while a backward walk ran is stamped with that
 * walk's id ({@link #markWalk}). Only a storage {@link #exclusiveTo} the walk (one tensor ever made on it, so no
 * view or detached copy shares it) can give its array up ({@link #surrender}); after that every access throws,
 * so a stale reference fails loudly instead of reading an array that now belongs to another tensor.
 */
public final class FloatStorage extends Storage {
    private float[] data;
    private int tensors;
    private long walk;

    public FloatStorage(float[] data) {
        this.data = data;
    }

    /** The backing array; kernels read and write it directly. */
    public float[] data() {
        float[] d = data;
        if (d == null) {
            throw new IllegalStateException("this tensor's array went back to the buffer pool after the backward pass that"
                    + " made it had used it: a gradient was read after its backward walk let go of it");
        }
        return d;
    }

    /** Counts one more tensor made on this storage (views and detached tensors share it). */
    public void attachTensor() {
        tensors++;
    }

    /** Stamps this storage as allocated by backward walk {@code walkId} (positive). */
    public void markWalk(long walkId) {
        walk = walkId;
    }

    /** True when backward walk {@code walkId} allocated this storage and only one tensor was ever made on it. */
    public boolean exclusiveTo(long walkId) {
        return walk == walkId && walkId != 0 && tensors == 1 && data != null;
    }

    /** Gives the array up (to a pool): this storage is unusable afterwards. Only for an {@link #exclusiveTo} storage. */
    public float[] surrender() {
        float[] d = data();
        data = null;
        return d;
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    @Override
    public int length() {
        return data().length;
    }

    @Override
    public double get(int i) {
        return data()[i];
    }

    @Override
    public void set(int i, double value) {
        data()[i] = (float) value;
    }
}
