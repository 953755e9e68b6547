package dev.myelin.backend;

/**
 * The integer matrix product of int8-quantized layers: {@code c[i, j] = Σ_p a[i, p] · b[p, j]} over int8
 * operands, accumulated exactly in int32 (every product is at most 128·128 = 2^14 in magnitude, so up to
 * {@value #MAX_DEPTH} = 2^17 − 1 of them cannot overflow). Being exact, the result does not depend on the
 * order of the additions, the vector width or the number of threads.
 *
 * <p>Shapes: {@code a [m, k]}, {@code b [k, n]} (a Dense kernel {@code [in, units]}, or a Conv2D kernel
 * {@code [kh·kw·in, filters]}), {@code c [m, n]}, all row-major and dense in plain Java arrays. {@code c} is
 * written, not accumulated into.
 *
 * <p>A backend offers a fast one through {@link Backend#int8Gemm}; {@link #REFERENCE} is the scalar
 * definition every other one must match bit for bit.
 */
@FunctionalInterface
public interface Int8Gemm {
    /** The largest {@code k} whose sums cannot overflow an int: {@code (2^17 − 1)·2^14 < 2^31}. */
    int MAX_DEPTH = (1 << 17) - 1;

    /** The scalar definition. */
    Int8Gemm REFERENCE = Int8Gemm::multiplyScalar;

    /**
     * {@code c = a · b}.
     *
     * @throws IllegalArgumentException when a size is negative, {@code k} exceeds {@value #MAX_DEPTH} or an
     *     array is shorter than its shape
     */
    void multiply(byte[] a, byte[] b, int[] c, int m, int k, int n);

    /** Checks the sizes of a call (for implementations, before they touch the arrays). */
    static void checkSizes(byte[] a, byte[] b, int[] c, int m, int k, int n) {
        if (m < 0 || k < 0 || n < 0) throw new IllegalArgumentException("int8 gemm: sizes must be >= 0, got m=" + m + ", k=" + k + ", n=" + n);
        if (k > MAX_DEPTH) throw new IllegalArgumentException("int8 gemm: depth k=" + k + " exceeds " + MAX_DEPTH + ", where an int32 sum of int8 products could overflow");
        if (a.length < (long) m * k || b.length < (long) k * n || c.length < (long) m * n) {
            throw new IllegalArgumentException("int8 gemm: arrays of " + a.length + ", " + b.length + ", " + c.length + " elements are too short for m="
                    + m + ", k=" + k + ", n=" + n);
        }
    }

    private static void multiplyScalar(byte[] a, byte[] b, int[] c, int m, int k, int n) {
        checkSizes(a, b, c, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                c[i * n + j] = sum;
            }
        }
    }
}
