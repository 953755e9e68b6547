package dev.myelin.backend.cpu;

import dev.myelin.backend.Int8Gemm;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API int8 × int8 → int32 product ({@link Int8Gemm}), for CPUs without a dot-product
 * instruction the Vector API could reach (AVX2 has no VNNI, and {@code vpmaddubsw}/{@code vpmaddwd} have no
 * Vector API operation). Integer multiplies ({@code vpmulld}) run at half the rate of float FMAs or less, so
 * the products run in float32 FMAs, which are exact here: every product is an integer of magnitude at most
 * 2^14, so any sum of up to {@value #KC} = 2^10 of them is an integer of magnitude at most 2^24, which
 * float32 holds exactly, whatever the order of the additions. The depth is therefore cut into chunks of at
 * most {@value #KC}; each chunk's float sums are converted to int (exactly) and added to {@code c} in int32.
 *
 * <p>Per chunk, a task converts its rows of {@code a} to floats once; each row of {@code b}'s panel is
 * loaded as L bytes and converted to L floats ({@code B2F}), multiplied by a broadcast element of {@code a}
 * and added to float accumulators: the outer-product form of {@link Sgemm}'s micro-kernel, 4 rows × 2
 * vectors at a time (a lone row: 1 × 4). The columns past the last whole vector run scalar in int.
 *
 * <p>Rows are split into tasks of a fixed size; since all sums are exact, the result is the reference's,
 * bit for bit, on any number of threads.
 */
final class Int8GemmKernel implements Int8Gemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Bytes as many as {@link #F} has lanes: one load converts to one float vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private static final int L = F.length();
    private static final int ROWS = 4;
    /** The most products one float sum may hold and stay exact: 2^10 · 2^14 = 2^24. */
    static final int KC = 1 << 10;
    /** Rows per task: a fixed size, so the split does not depend on the thread count. */
    private static final int TASK_ROWS = 32;
    /** Below this many multiply-adds one thread does all the work. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;
    /** Per thread: a task's rows of {@code a} as floats, for one chunk of the depth. */
    private static final ThreadLocal<float[]> A_FLOATS = ThreadLocal.withInitial(() -> new float[TASK_ROWS * KC]);

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

    /** Rows [from, to) of c, at most {@link #TASK_ROWS} of them at a time. */
    private static void rows(byte[] a, byte[] b, int[] c, int from, int to, int k, int n) {
        for (int start = from; start < to; start += TASK_ROWS) task(a, b, c, start, Math.min(to, start + TASK_ROWS), k, n);
    }

    private static void task(byte[] a, byte[] b, int[] c, int from, int to, int k, int n) {
        int vectorColumns = n - n % L;
        if (k == 0) {
            for (int i = from; i < to; i++) java.util.Arrays.fill(c, i * n, i * n + n, 0);
            return;
        }
        float[] af = A_FLOATS.get();
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean first = p0 == 0;
            toFloats(a, af, from, to, p0, kc, k);
            for (int i = from; i < to; i += ROWS) {
                int rows = Math.min(ROWS, to - i);
                int ai = (i - from) * kc;
                int j = 0;
                if (rows == ROWS) {
                    for (; j + 2 * L <= vectorColumns; j += 2 * L) block4x2(af, ai, kc, b, p0, c, i, j, n, first);
                    for (; j < vectorColumns; j += L) block4x1(af, ai, kc, b, p0, c, i, j, n, first);
                } else {
                    for (int r = 0; r < rows; r++) {
                        int jj = 0;
                        for (; jj + 4 * L <= vectorColumns; jj += 4 * L) block1x4(af, ai + r * kc, kc, b, p0, c, i + r, jj, n, first);
                        for (; jj < vectorColumns; jj += L) block1x1(af, ai + r * kc, kc, b, p0, c, i + r, jj, n, first);
                    }
                }
            }
        }
        // the columns past the last whole vector: exact int sums over the whole depth
        if (vectorColumns < n) {
            for (int i = from; i < to; i++) scalar(a, b, c, i, vectorColumns, n, k, n);
        }
    }

    /** Rows [from, to) of a, depth [p0, p0 + kc), as floats in {@code af [to − from, kc]}. */
    private static void toFloats(byte[] a, float[] af, int from, int to, int p0, int kc, int k) {
        for (int i = from, o = 0; i < to; i++, o += kc) {
            int src = i * k + p0, p = 0;
            for (; p + L <= kc; p += L) ((FloatVector) ByteVector.fromArray(B, a, src + p).convertShape(VectorOperators.B2F, F, 0)).intoArray(af, o + p);
            for (; p < kc; p++) af[o + p] = a[src + p];
        }
    }

    private static FloatVector load(byte[] b, int offset) {
        return (FloatVector) ByteVector.fromArray(B, b, offset).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Adds (or, for the first chunk, writes) an exact float sum, converted to int, into c at {@code offset}. */
    private static void store(FloatVector sum, int[] c, int offset, boolean first) {
        IntVector s = (IntVector) sum.convertShape(VectorOperators.F2I, I, 0);
        if (!first) s = s.add(IntVector.fromArray(I, c, offset));
        s.intoArray(c, offset);
    }

    private static void block4x2(float[] af, int ai, int kc, byte[] b, int p0, int[] c, int i, int j, int n, boolean first) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        int a0 = ai, a1 = a0 + kc, a2 = a1 + kc, a3 = a2 + kc;
        for (int p = 0, bp = p0 * n + j; p < kc; p++, bp += n) {
            FloatVector b0 = load(b, bp), b1 = load(b, bp + L);
            FloatVector x0 = FloatVector.broadcast(F, af[a0 + p]), x1 = FloatVector.broadcast(F, af[a1 + p]);
            FloatVector x2 = FloatVector.broadcast(F, af[a2 + p]), x3 = FloatVector.broadcast(F, af[a3 + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        int o = i * n + j;
        store(c00, c, o, first);
        store(c01, c, o + L, first);
        store(c10, c, o + n, first);
        store(c11, c, o + n + L, first);
        store(c20, c, o + 2 * n, first);
        store(c21, c, o + 2 * n + L, first);
        store(c30, c, o + 3 * n, first);
        store(c31, c, o + 3 * n + L, first);
    }

    private static void block4x1(float[] af, int ai, int kc, byte[] b, int p0, int[] c, int i, int j, int n, boolean first) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int a0 = ai, a1 = a0 + kc, a2 = a1 + kc, a3 = a2 + kc;
        for (int p = 0, bp = p0 * n + j; p < kc; p++, bp += n) {
            FloatVector b0 = load(b, bp);
            c0 = FloatVector.broadcast(F, af[a0 + p]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, af[a1 + p]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, af[a2 + p]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, af[a3 + p]).fma(b0, c3);
        }
        int o = i * n + j;
        store(c0, c, o, first);
        store(c1, c, o + n, first);
        store(c2, c, o + 2 * n, first);
        store(c3, c, o + 3 * n, first);
    }

    /** One row, 4 vectors: four independent FMA chains (a lone row is the batch-1 case). */
    private static void block1x4(float[] af, int ai, int kc, byte[] b, int p0, int[] c, int i, int j, int n, boolean first) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        for (int p = 0, bp = p0 * n + j; p < kc; p++, bp += n) {
            FloatVector x = FloatVector.broadcast(F, af[ai + p]);
            c0 = x.fma(load(b, bp), c0);
            c1 = x.fma(load(b, bp + L), c1);
            c2 = x.fma(load(b, bp + 2 * L), c2);
            c3 = x.fma(load(b, bp + 3 * L), c3);
        }
        int o = i * n + j;
        store(c0, c, o, first);
        store(c1, c, o + L, first);
        store(c2, c, o + 2 * L, first);
        store(c3, c, o + 3 * L, first);
    }

    private static void block1x1(float[] af, int ai, int kc, byte[] b, int p0, int[] c, int i, int j, int n, boolean first) {
        FloatVector c0 = FloatVector.zero(F);
        for (int p = 0, bp = p0 * n + j; p < kc; p++, bp += n) c0 = FloatVector.broadcast(F, af[ai + p]).fma(load(b, bp), c0);
        store(c0, c, i * n + j, first);
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
