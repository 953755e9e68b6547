package dev.myelin.backend.cpu;

import dev.myelin.backend.Int8Gemm;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API int8 × int8 → int32 product ({@link Int8Gemm}), for CPUs without a dot-product
 * instruction the Vector API could reach (AVX2 has no VNNI, and {@code vpmaddubsw}/{@code vpmaddwd} have no
 * Vector API operation): each row of {@code b}'s panel is loaded as L bytes and widened to L int lanes
 * ({@code B2I}, one sign-extending load), then multiplied by a broadcast element of {@code a} and added to
 * int accumulators: the outer-product form of {@link Sgemm}'s micro-kernel, 4 rows × 2 vectors at a time.
 * Tails (rows below 4, columns below a vector) run the same sums scalar.
 *
 * <p>Rows are split into tasks of a fixed size; since integer sums are exact, the result is the
 * reference's, bit for bit, on any number of threads.
 */
final class Int8GemmKernel implements Int8Gemm {
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Bytes as many as {@link #I} has int lanes: one load widens to one int vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(I.length() * 8));
    private static final int L = I.length();
    private static final int ROWS = 4;
    /** Rows per task: a fixed size, so the split does not depend on the thread count. */
    private static final int TASK_ROWS = 32;
    /** Below this many multiply-adds one thread does all the work. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;

    @Override
    public void multiply(byte[] a, byte[] b, int[] c, int m, int k, int n) {
        Int8Gemm.checkSizes(a, b, c, m, k, n);
        if ((long) m * k * n < PARALLEL_MIN_WORK || m <= TASK_ROWS) {
            rows(a, b, c, 0, m, k, n);
            return;
        }
        int tasks = (m + TASK_ROWS - 1) / TASK_ROWS;
        Parallel.forRange(tasks, t -> rows(a, b, c, t * TASK_ROWS, Math.min(m, (t + 1) * TASK_ROWS), k, n));
    }

    /** Rows [from, to) of c. */
    private static void rows(byte[] a, byte[] b, int[] c, int from, int to, int k, int n) {
        int i = from;
        for (; i + ROWS <= to; i += ROWS) {
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) block4x2(a, b, c, i, j, k, n);
            for (; j + L <= n; j += L) block4x1(a, b, c, i, j, k, n);
            for (int r = i; r < i + ROWS; r++) scalar(a, b, c, r, j, n, k, n);
        }
        for (; i < to; i++) {
            int j = 0;
            for (; j + L <= n; j += L) block1x1(a, b, c, i, j, k, n);
            scalar(a, b, c, i, j, n, k, n);
        }
    }

    private static IntVector widen(byte[] b, int offset) {
        return (IntVector) ByteVector.fromArray(B, b, offset).convertShape(VectorOperators.B2I, I, 0);
    }

    private static void block4x2(byte[] a, byte[] b, int[] c, int i, int j, int k, int n) {
        IntVector c00 = IntVector.zero(I), c01 = IntVector.zero(I), c10 = IntVector.zero(I), c11 = IntVector.zero(I);
        IntVector c20 = IntVector.zero(I), c21 = IntVector.zero(I), c30 = IntVector.zero(I), c31 = IntVector.zero(I);
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0, bp = j; p < k; p++, bp += n) {
            IntVector b0 = widen(b, bp), b1 = widen(b, bp + L);
            int x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
            c00 = c00.add(b0.mul(x0));
            c01 = c01.add(b1.mul(x0));
            c10 = c10.add(b0.mul(x1));
            c11 = c11.add(b1.mul(x1));
            c20 = c20.add(b0.mul(x2));
            c21 = c21.add(b1.mul(x2));
            c30 = c30.add(b0.mul(x3));
            c31 = c31.add(b1.mul(x3));
        }
        int o = i * n + j;
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        c10.intoArray(c, o + n);
        c11.intoArray(c, o + n + L);
        c20.intoArray(c, o + 2 * n);
        c21.intoArray(c, o + 2 * n + L);
        c30.intoArray(c, o + 3 * n);
        c31.intoArray(c, o + 3 * n + L);
    }

    private static void block4x1(byte[] a, byte[] b, int[] c, int i, int j, int k, int n) {
        IntVector c0 = IntVector.zero(I), c1 = IntVector.zero(I), c2 = IntVector.zero(I), c3 = IntVector.zero(I);
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0, bp = j; p < k; p++, bp += n) {
            IntVector b0 = widen(b, bp);
            c0 = c0.add(b0.mul(a[a0 + p]));
            c1 = c1.add(b0.mul(a[a1 + p]));
            c2 = c2.add(b0.mul(a[a2 + p]));
            c3 = c3.add(b0.mul(a[a3 + p]));
        }
        int o = i * n + j;
        c0.intoArray(c, o);
        c1.intoArray(c, o + n);
        c2.intoArray(c, o + 2 * n);
        c3.intoArray(c, o + 3 * n);
    }

    private static void block1x1(byte[] a, byte[] b, int[] c, int i, int j, int k, int n) {
        IntVector c0 = IntVector.zero(I);
        int a0 = i * k;
        for (int p = 0, bp = j; p < k; p++, bp += n) c0 = c0.add(widen(b, bp).mul(a[a0 + p]));
        c0.intoArray(c, i * n + j);
    }

    /** Row i, columns [from, to): the reference's sums. */
    private static void scalar(byte[] a, byte[] b, int[] c, int i, int from, int to, int k, int n) {
        for (int j = from; j < to; j++) {
            int sum = 0;
            for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
            c[i * n + j] = sum;
        }
    }
}
