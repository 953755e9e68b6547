package dev.myelin.backend;


/**
 * What a kernel sees of a tensor: a storage, a shape, strides in elements (0 for a broadcast dimension)
 * and an offset. The arrays are not copied; kernels must not modify them.
 */
public record View(Storage storage, int[] shape, int[] strides, int offset) {

    /** A contiguous row-major view of {@code storage} from its first element. */
    public static View contiguous(Storage storage, int[] shape) {
        return new View(storage, shape, contiguousStrides(shape), 0);
    }

    /** Row-major strides, in elements, of a contiguous array of {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

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
