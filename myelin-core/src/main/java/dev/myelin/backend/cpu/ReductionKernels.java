package dev.myelin.backend.cpu;

import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 reductions (sum, max, min over axes) and arg-max / arg-min along one axis.
 *
 * <p>Implementation overview. The reduced axes must merge into one run of length {@code len} and
 * stride {@code rs} in x (true whenever they are adjacent in a contiguous tensor, and for any single
 * axis); otherwise {@link #reduce} returns {@code false} and the caller falls back to the reference.
 * Then:
 * <ul>
 *   <li>rows ({@code rs == 1}, trailing axes): each output is one contiguous row, summed by four vector
 *       accumulators over fixed chunks of {@value #CHUNK} elements; a chunk's lanes are added in
 *       double, in lane order, and the chunk sums in chunk order. Many rows are split over tasks by
 *       rows; a few long rows by chunks, whose partial sums are combined in the same order. A strided
 *       row (any other layout) is gathered a chunk at a time and reduced the same way.</li>
 *   <li>columns (leading or middle axes, the kept last axis contiguous): out[j] accumulates
 *       x[i, j] row after row, vectorized over j (the bias-gradient pattern). More than
 *       {@value #ROW_BLOCK} rows are cut into blocks of that many whose partial results are combined
 *       in block order, which gives parallel work when there are few columns.</li>
 * </ul>
 * All splits depend on the shape only and every partial result is combined in a fixed order, so
 * results are bit-identical for any thread count. Lane sums never use {@code reduceLanes(ADD)}, whose
 * order is unspecified and may differ between interpreted and compiled code.
 *
 * <p>Accuracy: sums accumulate in float within a chunk or row block, so their error against the
 * reference's double sum is bounded by about (k + 2)·ε·Σ|x| with k ≤ {@value #CHUNK}/64 + 1 for rows
 * and k ≤ {@value #ROW_BLOCK} + (blocks) for columns (ε = 2^-24). Max and min are exact, NaN
 * propagating; which of −0 and +0 a tie returns may differ from the reference.
 */
final class ReductionKernels {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    static final int CHUNK = 1024;
    static final int ROW_BLOCK = 256;

    private ReductionKernels() {}

    /** Reduces x into out, or returns false (nothing written) when the layout is not one it handles. */
    static boolean reduce(ReduceOp op, View x, View out) {
        int rank = x.rank();
        if (out.size() == 0) return true;
        if (x.size() == 0) return false;
        // The reduced axes, merged from the innermost outwards into one run (len, rs).
        int len = 1, rs = 0, groups = 0;
        for (int d = rank - 1; d >= 0; d--) {
            if (out.shape()[d] != 1 || x.shape()[d] == 1) continue;
            int n = x.shape()[d], s = x.strides()[d];
            if (groups == 0) {
                len = n;
                rs = s;
                groups = 1;
            } else if (s == rs * len) {
                len *= n;
            } else {
                return false;
            }
        }
        if (groups == 0) {   // nothing reduced: out = x
            ElementwiseKernels.copy(new View(x.storage(), out.shape(), x.strides(), x.offset()), out);
            return true;
        }
        View xk = new View(x.storage(), out.shape(), x.strides(), x.offset());
        float[] xd = ElementwiseKernels.data(x);
        if (rs == 1 || !reduceColumns(op, xd, xk, out, len, rs)) reduceRows(op, xd, xk, out, len, rs);
        return true;
    }

    // ---- rows ----

    private static void reduceRows(ReduceOp op, float[] x, View xk, View out, int len, int rs) {
        float[] o = ElementwiseKernels.data(out);
        RowLoop loop = RowLoop.of(out.shape(), out, xk);
        int os = loop.innerStride(0), xs = loop.innerStride(1);
        if (op == ReduceOp.SUM && out.size() <= 8 && len >= 2 * RowLoop.TASK_WORK) {
            // Few long rows: each row's chunks in parallel, combined as rowSum would.
            loop.forEachSequential((pos, n, scratch) -> {
                for (int k = 0; k < n; k++) o[pos[0] + k * os] = (float) rowSumParallel(x, pos[1] + k * xs, rs, len);
            });
            return;
        }
        loop.forEach(len, (pos, n, scratch) -> {
            float[] buf = rs == 1 ? null : scratch.get(0, CHUNK);
            for (int k = 0; k < n; k++) {
                int xo = pos[1] + k * xs;
                o[pos[0] + k * os] = switch (op) {
                    case SUM -> (float) rowSum(x, xo, rs, len, buf);
                    case MAX, MIN -> rowExtremum(op == ReduceOp.MAX, x, xo, rs, len, buf);
                };
            }
        });
    }

    /**
     * Σ x[off + i·stride] for i &lt; len, as sums of chunks of {@value #CHUNK} added in order; a strided
     * row is gathered into buf a chunk at a time.
     */
    static double rowSum(float[] x, int off, int stride, int len, float[] buf) {
        double total = 0;
        for (int c = 0; c < len; c += CHUNK) total += chunkSum(x, off + c * stride, stride, Math.min(CHUNK, len - c), buf);
        return total;
    }

    private static double rowSumParallel(float[] x, int off, int stride, int len) {
        int chunks = (len + CHUNK - 1) / CHUNK;
        int perTask = (int) (RowLoop.TASK_WORK / CHUNK);
        double[] partial = new double[chunks];
        Parallel.forRange((chunks + perTask - 1) / perTask, t -> {
            float[] buf = stride == 1 ? null : new float[CHUNK];
            for (int c = t * perTask; c < Math.min(chunks, (t + 1) * perTask); c++) {
                partial[c] = chunkSum(x, off + c * CHUNK * stride, stride, Math.min(CHUNK, len - c * CHUNK), buf);
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    private static double chunkSum(float[] x, int off, int stride, int n, float[] buf) {
        if (stride == 1) return chunkSum(x, off, n);
        ElementwiseKernels.gather(x, off, stride, buf, n);
        return chunkSum(buf, 0, n);
    }

    /** Max or min of x[off + i·stride], i &lt; len (len ≥ 1), NaN if any element is NaN. */
    private static float rowExtremum(boolean max, float[] x, int off, int stride, int len, float[] buf) {
        if (stride == 1) return max ? rowMax(x, off, len) : rowMin(x, off, len);
        float m = max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        for (int c = 0; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            ElementwiseKernels.gather(x, off + c * stride, stride, buf, n);
            m = max ? Math.max(m, rowMax(buf, 0, n)) : Math.min(m, rowMin(buf, 0, n));
        }
        return m;
    }

    /** Sum of n ≤ CHUNK elements: four float accumulators, then lanes and tail in double. */
    private static double chunkSum(float[] x, int off, int n) {
        if (n < L) {   // no whole vector: the same double sum of the tail, without the lanes of zeros
            double s = 0;
            for (int i = 0; i < n; i++) s += x[off + i];
            return s;
        }
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int ub = n - 4 * L; i <= ub; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
            a2 = a2.add(FloatVector.fromArray(S, x, off + i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, x, off + i + 3 * L));
        }
        for (int ub = S.loopBound(n); i < ub; i += L) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        FloatVector acc = a0.add(a1).add(a2.add(a3));
        double s = 0;
        for (int l = 0; l < L; l++) s += acc.lane(l);
        for (; i < n; i++) s += x[off + i];
        return s;
    }

    /** Maximum of a row (len ≥ 1), NaN if any element is NaN. */
    static float rowMax(float[] x, int off, int len) {
        if (len < L) {   // no whole vector: the same fold from −∞, without reading lanes of −∞
            float m = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) m = Math.max(m, x[off + i]);
            return m;
        }
        FloatVector a0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int ub = len - 4 * L; i <= ub; i += 4 * L) {
            a0 = a0.max(FloatVector.fromArray(S, x, off + i));
            a1 = a1.max(FloatVector.fromArray(S, x, off + i + L));
            a2 = a2.max(FloatVector.fromArray(S, x, off + i + 2 * L));
            a3 = a3.max(FloatVector.fromArray(S, x, off + i + 3 * L));
        }
        for (int ub = S.loopBound(len); i < ub; i += L) a0 = a0.max(FloatVector.fromArray(S, x, off + i));
        FloatVector acc = a0.max(a1).max(a2.max(a3));
        float m = Float.NEGATIVE_INFINITY;
        for (int l = 0; l < L; l++) m = Math.max(m, acc.lane(l));
        for (; i < len; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /** Minimum of a row (len ≥ 1), NaN if any element is NaN. */
    static float rowMin(float[] x, int off, int len) {
        FloatVector a0 = FloatVector.broadcast(S, Float.POSITIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int ub = len - 4 * L; i <= ub; i += 4 * L) {
            a0 = a0.min(FloatVector.fromArray(S, x, off + i));
            a1 = a1.min(FloatVector.fromArray(S, x, off + i + L));
            a2 = a2.min(FloatVector.fromArray(S, x, off + i + 2 * L));
            a3 = a3.min(FloatVector.fromArray(S, x, off + i + 3 * L));
        }
        for (int ub = S.loopBound(len); i < ub; i += L) a0 = a0.min(FloatVector.fromArray(S, x, off + i));
        FloatVector acc = a0.min(a1).min(a2.min(a3));
        float m = Float.POSITIVE_INFINITY;
        for (int l = 0; l < L; l++) m = Math.min(m, acc.lane(l));
        for (; i < len; i++) m = Math.min(m, x[off + i]);
        return m;
    }

    // ---- columns ----

    private static boolean reduceColumns(ReduceOp op, float[] x, View xk, View out, int len, int rs) {
        int size = out.size();
        int[] contiguous = View.contiguousStrides(out.shape());
        boolean direct = out.isContiguous();
        // Partial results of each row block, laid out as a contiguous copy of out.
        int blocks = (len + ROW_BLOCK - 1) / ROW_BLOCK;
        float[] buf = direct && blocks == 1 ? ElementwiseKernels.data(out) : new float[blocks * size];
        int base = direct && blocks == 1 ? out.offset() : 0;
        View partial = new View(new FloatStorage(buf), out.shape(), contiguous, base);
        RowLoop loop = RowLoop.of(out.shape(), partial, xk);
        if (loop.innerStride(0) != 1 || loop.innerStride(1) != 1) return false;
        int rowsPerBlock = Math.min(len, ROW_BLOCK);
        long blockWork = (long) rowsPerBlock * size;
        if (blocks == 1) {
            loop.forEachWholeRuns(len, L, (pos, n, scratch) -> columns(op, x, pos[1], rs, len, buf, pos[0], n));
        } else {
            // Blocks in parallel, each over all columns; then the blocks combined in order.
            int perTask = (int) Math.max(1, RowLoop.TASK_WORK / blockWork);
            Parallel.forRange((blocks + perTask - 1) / perTask, t -> {
                for (int bl = t * perTask; bl < Math.min(blocks, (t + 1) * perTask); bl++) {
                    int first = bl * ROW_BLOCK, rows = Math.min(ROW_BLOCK, len - first), shift = bl * size;
                    loop.forEachSequential((pos, n, scratch) ->
                            columns(op, x, pos[1] + first * rs, rs, rows, buf, pos[0] + shift, n));
                }
            });
            combineBlocks(op, buf, blocks, size);
            if (direct) {
                System.arraycopy(buf, 0, ElementwiseKernels.data(out), out.offset(), size);
                return true;
            }
        }
        if (!direct) ElementwiseKernels.copy(new View(partial.storage(), out.shape(), contiguous, 0), out);
        return true;
    }


    /** buf[0 .. size) = op over blocks b of buf[b·size .. (b+1)·size), in block order. */
    private static void combineBlocks(ReduceOp op, float[] buf, int blocks, int size) {
        RowLoop.forRanges(size, blocks, (from, to) -> {
            for (int b = 1; b < blocks; b++) {
                int shift = b * size, i = from;
                for (int ub = from + S.loopBound(to - from); i < ub; i += L) {
                    FloatVector acc = FloatVector.fromArray(S, buf, i), v = FloatVector.fromArray(S, buf, shift + i);
                    (switch (op) {
                        case SUM -> acc.add(v);
                        case MAX -> acc.max(v);
                        case MIN -> acc.min(v);
                    }).intoArray(buf, i);
                }
                for (; i < to; i++) buf[i] = combine(op, buf[i], buf[shift + i]);
            }
        });
    }

    private static float combine(ReduceOp op, float acc, float v) {
        return switch (op) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    /**
     * dst[d0 + j] = op over i &lt; rows of x[x0 + i·rs + j], for j &lt; n; accumulated in float, row
     * after row, the same way in vector lanes and in the scalar tail.
     */
    private static void columns(ReduceOp op, float[] x, int x0, int rs, int rows, float[] dst, int d0, int n) {
        switch (op) {
            case SUM -> columnSums(x, x0, rs, rows, dst, d0, n);
            case MAX -> columnMax(x, x0, rs, rows, dst, d0, n);
            case MIN -> columnMin(x, x0, rs, rows, dst, d0, n);
        }
    }

    private static void columnSums(float[] x, int x0, int rs, int rows, float[] dst, int d0, int n) {
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) {
                a0 = a0.add(FloatVector.fromArray(S, x, p));
                a1 = a1.add(FloatVector.fromArray(S, x, p + L));
                a2 = a2.add(FloatVector.fromArray(S, x, p + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, p + 3 * L));
            }
            a0.intoArray(dst, d0 + j);
            a1.intoArray(dst, d0 + j + L);
            a2.intoArray(dst, d0 + j + 2 * L);
            a3.intoArray(dst, d0 + j + 3 * L);
        }
        for (; j + L <= n; j += L) {
            FloatVector a = FloatVector.zero(S);
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) a = a.add(FloatVector.fromArray(S, x, p));
            a.intoArray(dst, d0 + j);
        }
        for (; j < n; j++) {
            float s = 0;
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) s += x[p];
            dst[d0 + j] = s;
        }
    }

    private static void columnMax(float[] x, int x0, int rs, int rows, float[] dst, int d0, int n) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), a1 = a0;
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) {
                a0 = a0.max(FloatVector.fromArray(S, x, p));
                a1 = a1.max(FloatVector.fromArray(S, x, p + L));
            }
            a0.intoArray(dst, d0 + j);
            a1.intoArray(dst, d0 + j + L);
        }
        for (; j + L <= n; j += L) {
            FloatVector a = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) a = a.max(FloatVector.fromArray(S, x, p));
            a.intoArray(dst, d0 + j);
        }
        for (; j < n; j++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) m = Math.max(m, x[p]);
            dst[d0 + j] = m;
        }
    }

    private static void columnMin(float[] x, int x0, int rs, int rows, float[] dst, int d0, int n) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a0 = FloatVector.broadcast(S, Float.POSITIVE_INFINITY), a1 = a0;
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) {
                a0 = a0.min(FloatVector.fromArray(S, x, p));
                a1 = a1.min(FloatVector.fromArray(S, x, p + L));
            }
            a0.intoArray(dst, d0 + j);
            a1.intoArray(dst, d0 + j + L);
        }
        for (; j + L <= n; j += L) {
            FloatVector a = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) a = a.min(FloatVector.fromArray(S, x, p));
            a.intoArray(dst, d0 + j);
        }
        for (; j < n; j++) {
            float m = Float.POSITIVE_INFINITY;
            for (int i = 0, p = x0 + j; i < rows; i++, p += rs) m = Math.min(m, x[p]);
            dst[d0 + j] = m;
        }
    }

    // ---- arg max / arg min ----

    /** Arg-max or arg-min along {@code axis}; a strided axis is gathered row by row. */
    static void argReduce(ReduceOp op, View x, int axis, View out) {
        int len = x.shape()[axis], stride = x.strides()[axis];
        float[] xd = ElementwiseKernels.data(x), o = ElementwiseKernels.data(out);
        RowLoop loop = RowLoop.of(out.shape(), out, new View(x.storage(), out.shape(), x.strides(), x.offset()));
        int os = loop.innerStride(0), xs = loop.innerStride(1);
        boolean max = op == ReduceOp.MAX;
        loop.forEach(len, (pos, n, scratch) -> {
            for (int k = 0; k < n; k++) {
                float[] row = xd;
                int xo = pos[1] + k * xs;
                if (stride != 1) {
                    row = scratch.get(0, len);
                    ElementwiseKernels.gather(xd, xo, stride, row, len);
                    xo = 0;
                }
                o[pos[0] + k * os] = firstIndexOf(row, xo, len, max ? rowMax(row, xo, len) : rowMin(row, xo, len));
            }
        });
    }

    /** The first i with x[off + i] == target, or the first NaN when target is NaN. */
    private static int firstIndexOf(float[] x, int off, int len, float target) {
        boolean nan = Float.isNaN(target);
        int i = 0;
        for (int ub = S.loopBound(len); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            VectorMask<Float> m = nan ? v.test(VectorOperators.IS_NAN) : v.compare(VectorOperators.EQ, target);
            if (m.anyTrue()) return i + m.firstTrue();
        }
        for (; i < len; i++) {
            if (nan ? Float.isNaN(x[off + i]) : x[off + i] == target) return i;
        }
        return 0;
    }
}
