package dev.myelin.tensor;

import java.util.Arrays;

/**
 * An immutable tensor shape: the size of each dimension, outermost first. Images are
 * {@code [batch, height, width, channels]} (channels-last, as Keras).
 *
 * <p>Negative axis arguments count from the end, as in NumPy: -1 is the last dimension.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape with the given dimensions (copied); every dimension must be >= 0. */
    public static Shape of(int... dims) {
        if (dims.length == 0) return SCALAR;
        long size = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than 2^31-1 elements");
            }
        }
        return new Shape(dims.clone());
    }

    /** The shape of a scalar: rank 0, one element. */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[axis(axis)];
    }

    /** Number of elements (1 for a scalar). */
    public int size() {
        int s = 1;
        for (int d : dims) s *= d;
        return s;
    }

    /** A copy of the dimensions. */
    public int[] toArray() {
        return dims.clone();
    }

    /** This shape without its last dimension ({@code [batch, classes]} → {@code [batch]}); a scalar has none to drop. */
    public Shape withoutLast() {
        if (dims.length == 0) throw new IllegalArgumentException("a scalar shape has no last dimension");
        return Shape.of(Arrays.copyOf(dims, dims.length - 1));
    }

    /** True when one of the two shapes is the other with a trailing dimension of size 1, as {@code [b]} and {@code [b, 1]}. */
    public boolean equalsUpToTrailingOne(Shape other) {
        Shape longer = rank() > other.rank() ? this : other, shorter = longer == this ? other : this;
        return longer.rank() == shorter.rank() + 1 && longer.dim(-1) == 1 && longer.withoutLast().equals(shorter);
    }

    /** The multi-index of the element at row-major position {@code flat}. */
    public int[] unravel(int flat) {
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = flat % dims[i];
            flat /= dims[i];
        }
        return idx;
    }

    /** Normalizes an axis (negative counts from the end) and checks it is in range. */
    public int axis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this);
        }
        return a;
    }

    /** Row-major (C-order) strides of this shape, in elements. */
    public int[] contiguousStrides() {
        int[] strides = new int[dims.length];
        int s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(dims[i], 1);
        }
        return strides;
    }

    /** This shape with dimension {@code axis} replaced by {@code size}. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[axis(axis)] = size;
        return of(d);
    }

    /**
     * The NumPy broadcast of two shapes: dimensions are aligned from the right and must be equal or 1.
     *
     * @throws IllegalArgumentException naming both shapes when they are incompatible
     */
    public static Shape broadcast(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + a + " and " + b + " cannot be broadcast together"
                        + " (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return of(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Like {@code [32, 28, 28, 1]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
