package dev.myelin.backend;


/**
 * What a kernel sees of a tensor: a storage, a shape, strides in elements (0 for a broadcast dimension)
 * and an offset. The arrays are not copied; kernels must not modify them.
 */
public record View(Storage storage, int[] shape, int[] strides, int offset) {

    public int rank() {
        return shape.length;
    }

    public DType dtype() {
        return storage.dtype();
    }

    /** Number of elements. */
    public int size() {
        int s = 1;
        for (int d : shape) s *= d;
        return s;
    }

    /** True when the elements are laid out row-major without gaps. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Storage index of the element at {@code index} (one entry per dimension). */
    public int indexOf(int[] index) {
        int p = offset;
        for (int i = 0; i < index.length; i++) p += index[i] * strides[i];
        return p;
    }

    /**
     * Storage index of the {@code linear}-th element in row-major order (slow path for references).
     */
    public int indexOfLinear(int linear) {
        int p = offset;
        for (int i = shape.length - 1; i >= 0; i--) {
            int d = shape[i];
            if (d == 0) return offset;
            p += (linear % d) * strides[i];
            linear /= d;
        }
        return p;
    }
}
