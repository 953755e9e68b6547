package dev.myelin.backend.cpu;

import dev.myelin.backend.Bf16Gemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API float32 × bfloat16 → float32 product ({@link Bf16Gemm}). The Vector API has no bfloat16
 * type or arithmetic (nothing reaches AVX-512 BF16's {@code vdpbf16ps}), so on every CPU each row of
 * {@code b}'s panel is loaded as L shorts (half a float vector's bytes), sign-extended to L int lanes
 * ({@code S2I}), shifted left by 16 and reinterpreted as L floats, which is the exact float32 value of each
 * bfloat16; then it is multiplied by a broadcast element of {@code a} and added to float accumulators with
 * one fused multiply-add: the outer-product form of {@link Sgemm}'s micro-kernel, 4 rows × 2 vectors (or,
 * for a lone row, 1 × 4), with the scalar {@link Math#fma} for the column tail.
 *
 * <p>Each element of {@code c} is summed over p in order from 0 with one FMA per term, whatever block or
 * task computes it, so the result is {@link Bf16Gemm#REFERENCE}'s bit for bit on any number of threads.
 * The work is split into a fixed grid of row and column blocks (columns too, so a single row, batch 1,
 * still uses every thread).
 */
final class Bf16GemmKernel implements Bf16Gemm {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts as many as {@link #F} has lanes: one load widens to one float vector. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final int L = F.length();
    private static final int ROWS = 4;
    /** Rows and columns per task: fixed sizes, so the split does not depend on the thread count. */
    private static final int TASK_ROWS = 32;
    private static final int TASK_COLUMNS = 128;
    /** Below this many multiply-adds one thread does all the work. */
    private static final long PARALLEL_MIN_WORK = 1L << 16;

    @Override
    public void multiply(float[] a, short[] b, float[] c, int m, int k, int n) {
        Bf16Gemm.checkSizes(a, b, c, m, k, n);
        int rowTasks = (m + TASK_ROWS - 1) / TASK_ROWS, columnTasks = (n + TASK_COLUMNS - 1) / TASK_COLUMNS;
        if ((long) m * k * n < PARALLEL_MIN_WORK || (long) rowTasks * columnTasks <= 1) {
            block(a, b, c, 0, m, 0, n, k, n);
            return;
        }
        Parallel.forRange(rowTasks * columnTasks, t -> {
            int r = t / columnTasks, q = t % columnTasks;
            block(a, b, c, r * TASK_ROWS, Math.min(m, (r + 1) * TASK_ROWS), q * TASK_COLUMNS, Math.min(n, (q + 1) * TASK_COLUMNS), k, n);
        });
    }

    /** Rows [rowFrom, rowTo) and columns [colFrom, colTo) of c. */
    private static void block(float[] a, short[] b, float[] c, int rowFrom, int rowTo, int colFrom, int colTo, int k, int n) {
        int i = rowFrom;
        for (; i + ROWS <= rowTo; i += ROWS) {
            int j = colFrom;
            for (; j + 2 * L <= colTo; j += 2 * L) block4x2(a, b, c, i, j, k, n);
            for (; j + L <= colTo; j += L) block4x1(a, b, c, i, j, k, n);
            for (int r = i; r < i + ROWS; r++) scalar(a, b, c, r, j, colTo, k, n);
        }
        for (; i < rowTo; i++) {
            int j = colFrom;
            for (; j + 4 * L <= colTo; j += 4 * L) block1x4(a, b, c, i, j, k, n);
            for (; j + L <= colTo; j += L) block1x1(a, b, c, i, j, k, n);
            scalar(a, b, c, i, j, colTo, k, n);
        }
    }

    /** L bfloat16 values from {@code b[offset..]} as float32: sign-extend to int, shift into the high half. */
    private static FloatVector widen(short[] b, int offset) {
        IntVector bits = (IntVector) ShortVector.fromArray(H, b, offset).convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static void block4x2(float[] a, short[] b, float[] c, int i, int j, int k, int n) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0, bp = j; p < k; p++, bp += n) {
            FloatVector b0 = widen(b, bp), b1 = widen(b, bp + L);
            FloatVector x0 = FloatVector.broadcast(F, a[a0 + p]), x1 = FloatVector.broadcast(F, a[a1 + p]);
            FloatVector x2 = FloatVector.broadcast(F, a[a2 + p]), x3 = FloatVector.broadcast(F, a[a3 + p]);
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
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        c10.intoArray(c, o + n);
        c11.intoArray(c, o + n + L);
        c20.intoArray(c, o + 2 * n);
        c21.intoArray(c, o + 2 * n + L);
        c30.intoArray(c, o + 3 * n);
        c31.intoArray(c, o + 3 * n + L);
    }

    private static void block4x1(float[] a, short[] b, float[] c, int i, int j, int k, int n) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0, bp = j; p < k; p++, bp += n) {
            FloatVector b0 = widen(b, bp);
            c0 = FloatVector.broadcast(F, a[a0 + p]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[a1 + p]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[a2 + p]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[a3 + p]).fma(b0, c3);
        }
        int o = i * n + j;
        c0.intoArray(c, o);
        c1.intoArray(c, o + n);
        c2.intoArray(c, o + 2 * n);
        c3.intoArray(c, o + 3 * n);
    }

    /** One row, 4 vectors: four independent FMA chains (a lone row is the batch-1 case). */
    private static void block1x4(float[] a, short[] b, float[] c, int i, int j, int k, int n) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int a0 = i * k;
        for (int p = 0, bp = j; p < k; p++, bp += n) {
            FloatVector x = FloatVector.broadcast(F, a[a0 + p]);
            c0 = x.fma(widen(b, bp), c0);
            c1 = x.fma(widen(b, bp + L), c1);
            c2 = x.fma(widen(b, bp + 2 * L), c2);
            c3 = x.fma(widen(b, bp + 3 * L), c3);
        }
        int o = i * n + j;
        c0.intoArray(c, o);
        c1.intoArray(c, o + L);
        c2.intoArray(c, o + 2 * L);
        c3.intoArray(c, o + 3 * L);
    }

    private static void block1x1(float[] a, short[] b, float[] c, int i, int j, int k, int n) {
        FloatVector c0 = FloatVector.zero(F);
        int a0 = i * k;
        for (int p = 0, bp = j; p < k; p++, bp += n) c0 = FloatVector.broadcast(F, a[a0 + p]).fma(widen(b, bp), c0);
        c0.intoArray(c, i * n + j);
    }

    /** Row i, columns [from, to): the reference's sums. */
    private static void scalar(float[] a, short[] b, float[] c, int i, int from, int to, int k, int n) {
        for (int j = from; j < to; j++) {
            float sum = 0;
            for (int p = 0; p < k; p++) sum = Math.fma(a[i * k + p], Bf16Gemm.widen(b[p * n + j]), sum);
            c[i * n + j] = sum;
        }
    }
}
