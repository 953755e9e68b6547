package dev.myelin.backend;


/**
 * A flat buffer of elements owned by a backend. Tensors are strided views of a storage; several
 * tensors may share one.
 *
 * <p>The version counter is bumped by every in-place write, so that autograd can detect that a tensor
 * its graph still needs was modified.
 */
public abstract class Storage {
    private int version;

    public abstract DType dtype();

    /** Number of elements. */
    public abstract int length();

    /** Element {@code i} widened to double (slow path: references and tests). */
    public abstract double get(int i);

    /** Sets element {@code i}, rounding to the storage's type (slow path). */
    public abstract void set(int i, double value);

    /** How many in-place writes this storage has seen. */
    public final int version() {
        return version;
    }

    /** Records an in-place write. */
    public final void bumpVersion() {
        version++;
    }
}
