package dev.myelin.backend;


/**
 * float32 elements in a Java array (CPU).
 *
 * <p>Ownership, for the buffer pool ({@code dev.myelin.tensor.BufferPool}): each tensor made on this storage
 * is counted ({@link #attachTensor}), and a storage allocated while a backward walk ran is stamped with that
 * walk's id ({@link #markWalk}). Only a storage {@link #exclusiveTo} the walk (one tensor ever made on it, so no
 * view or detached copy shares it) can give its array up ({@link #surrender}); after that every access throws,
 * so a stale reference fails loudly instead of reading an array that now belongs to another tensor.
 *
 * <p>Activations follow the same rule at the scale of a step: a storage allocated while a
 * {@code BufferPool.Scope} was open on its thread carries that scope's id ({@link #markScope}), and only a storage
 * {@link #exclusiveToScope} it (one tensor ever made on it, not {@link #keep kept}) can be surrendered when the scope
 * proves it dead. A layer's weight or a state kept across calls is {@link #keep kept}: never surrendered.
 *
 * <p>User code may hand back a result it holds ({@code BufferPool.release}): only a storage the library allocated
 * for a result ({@link #markAllocated}: no caller can hold its array, unlike one made from a user's data) with one
 * tensor ever made on it, not kept ({@link #exclusive}).
 */
public final class FloatStorage extends Storage {
    private float[] data;
    private int tensors;
    private long walk;
    private long scope;
    private boolean kept;
    private boolean allocated;
    private String surrenderedBy;

    public FloatStorage(float[] data) {
        this.data = data;
    }

    /** The backing array; kernels read and write it directly. */
    public float[] data() {
        float[] d = data;
        if (d == null) {
            throw new IllegalStateException("this tensor's array went back to the buffer pool " + surrenderedBy
                    + "; a reference to it was kept and read afterwards (copy the values, e.g. with mul(1.0), to keep them)");
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
        return walk == walkId && walkId != 0 && tensors == 1 && data != null && !kept;
    }

    /** Stamps this storage as allocated while step scope {@code scopeId} (positive) was open on this thread. */
    public void markScope(long scopeId) {
        scope = scopeId;
    }

    /** True when step scope {@code scopeId} allocated this storage, only one tensor was ever made on it, and it is not kept. */
    public boolean exclusiveToScope(long scopeId) {
        return scope == scopeId && scopeId != 0 && tensors == 1 && data != null && !kept;
    }

    /** Marks this storage as allocated by the library for an operation's result: no code outside holds its array. */
    public void markAllocated() {
        allocated = true;
    }

    /**
     * True when the library allocated this storage for a result ({@link #markAllocated}), only one tensor was ever made
     * on it, it is not kept and not yet surrendered: whoever holds that tensor holds the only reference to the array.
     */
    public boolean exclusive() {
        return allocated && tensors == 1 && data != null && !kept;
    }

    /** Marks this storage as held beyond any step (a weight, a layer's state): it is never surrendered. */
    public void keep() {
        kept = true;
    }

    /**
     * Gives the array up (to a pool): this storage is unusable afterwards, and a later access throws naming
     * {@code by} (such as "after the backward pass that made it"). Only for an exclusive storage.
     */
    public float[] surrender(String by) {
        float[] d = data();
        data = null;
        surrenderedBy = by;
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
