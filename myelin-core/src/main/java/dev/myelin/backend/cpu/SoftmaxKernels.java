package dev.myelin.backend.cpu;

import dev.myelin.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 softmax and log-softmax over the last axis, row by row in vector passes: the row maximum
 * m; e = exp(x − m), written to the output (log-softmax: to a per-task block buffer); its sum s,
 * chunked as {@link ReductionKernels} sums rows; then y = e·(1/s), or y = (x − m) − log s. A row whose
 * last stride is not 1 (softmax along another axis arrives transposed) is gathered into a per-task
 * buffer and scattered back. Rows are independent, so tasks split over rows and results do not depend
 * on the thread count. The output may be the input itself.
 *
 * <p>Accuracy (ε = 2^-24, rows of n): softmax relative error ≤ (|x − m| + ln n + 24)·ε, log-softmax
 * absolute error ≤ (2·|y| + ln n + 24)·ε. The |x − m| term is float32's own, not this kernel's:
 * x − m rounded to float is off by up to |x − m|·ε, which exp turns into relative error; it matters
 * only for outputs below e^-16. A row containing NaN or +∞, or only −∞, gives NaN everywhere, as in
 * the reference.
 */
final class SoftmaxKernels {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();

    private SoftmaxKernels() {}

    static void softmax(View x, View out, boolean log) {
        int last = x.rank() - 1;
        int len = x.shape()[last];
        if (len == 0) return;
        int xs = x.strides()[last], os = out.strides()[last];
        int[] rows = x.shape().clone();
        rows[last] = 1;
        RowLoop loop = RowLoop.of(rows, x, out);
        float[] xd = ElementwiseKernels.data(x), yd = ElementwiseKernels.data(out);
        int rxs = loop.innerStride(0), ros = loop.innerStride(1);
        loop.forEach(4L * len, (pos, n, scratch) -> {
            for (int k = 0; k < n; k++) {
                int xo = pos[0] + k * rxs, yo = pos[1] + k * ros;
                if (xs == 1 && os == 1) {
                    row(xd, xo, yd, yo, len, log, scratch);
                } else {
                    float[] buf = scratch.get(0, len);
                    ElementwiseKernels.gather(xd, xo, xs, buf, len);
                    row(buf, 0, buf, 0, len, log, scratch);
                    ElementwiseKernels.scatter(buf, yd, yo, os, len);
                }
            }
        });
    }

    /** One contiguous row of n ≥ 1 elements; y may be x. */
    private static void row(float[] x, int xo, float[] y, int yo, int n, boolean log, RowLoop.Scratch scratch) {
        float max = ReductionKernels.rowMax(x, xo, n);
        if (!log) {
            softmaxRow(x, xo, max, y, yo, n);
            return;
        }
        shift(x, xo, max, logSumExp(x, xo, n, max, scratch.get(2)), y, yo, n);
    }

    /**
     * y = e·(1/s), e = exp(x − max), s = Σ e over one contiguous row; returns s. The sum is {@link #logSumExp}'s
     * bit for bit: both exponentiate the same lanes in vectors and sum chunks of {@link ReductionKernels#CHUNK}
     * = {@link RowLoop.Scratch#BLOCK} elements in order.
     */
    private static double softmaxRow(float[] x, int xo, float max, float[] y, int yo, int n) {
        shift(x, xo, max, 0f, y, yo, n);
        rowExp(y, yo, n);
        double sum = ReductionKernels.rowSum(y, yo, 1, n, null);
        scale(y, yo, n, (float) (1.0 / sum));
        return sum;
    }

    /**
     * Softmax over contiguous float32 rows {@code x [rows, C]} that also keeps each row's maximum and
     * {@code (float) log Σ exp(x − max)} in {@code stats [rows, 2]}, the numbers {@link #sparseCrossEntropy}
     * computes (and with the same bits), so that the loss of this softmax reads them instead of a second pass.
     */
    static void softmaxWithStatistics(View x, View out, View stats) {
        int rows = x.shape()[0], c = x.shape()[1];
        if (rows == 0 || c == 0) return;
        float[] xd = ElementwiseKernels.data(x), yd = ElementwiseKernels.data(out), sd = ElementwiseKernels.data(stats);
        int xo = x.offset(), yo = out.offset(), so = stats.offset();
        RowLoop.forRanges(rows, 4L * c, (from, to) -> {
            if (c < L) {
                shortRows(xd, xo, yd, yo, sd, so, c, from, to);
                return;
            }
            for (int r = from; r < to; r++) {
                float max = ReductionKernels.rowMax(xd, xo + r * c, c);
                double sum = softmaxRow(xd, xo + r * c, max, yd, yo + r * c, c);
                sd[so + 2 * r] = max;
                sd[so + 2 * r + 1] = (float) Math.log(sum);
            }
        });
    }

    /**
     * {@link #softmaxWithStatistics} over rows [from, to) shorter than a vector (a classifier's 10 classes): the
     * steps of {@link #softmaxRow} with the exponentials taken over the rows' elements together, in whole vectors
     * instead of one padded vector per row. The vector exp works lane by lane, so each element gets the bits a
     * row-by-row pass gives it (the log-softmax and the sparse cross-entropy, which take the row-by-row pass).
     */
    private static void shortRows(float[] xd, int xo, float[] yd, int yo, float[] sd, int so, int c, int from, int to) {
        for (int r = from; r < to; r++) {
            float max = ReductionKernels.rowMax(xd, xo + r * c, c);
            shift(xd, xo + r * c, max, 0f, yd, yo + r * c, c);
            sd[so + 2 * r] = max;
        }
        rowExp(yd, yo + from * c, (to - from) * c);
        for (int r = from; r < to; r++) {
            int y0 = yo + r * c;
            double sum = 0;   // ReductionKernels.rowSum of a row shorter than a vector: the elements in order, in double
            for (int i = 0; i < c; i++) sum += yd[y0 + i];
            float inv = (float) (1.0 / sum);
            for (int i = 0; i < c; i++) yd[y0 + i] *= inv;
            sd[so + 2 * r + 1] = (float) Math.log(sum);
        }
    }

    /**
     * lse = log Σ exp(x − max) over one contiguous row, rounded to float: per block of t.length, e = exp(x − max)
     * into t (never into the output) and its sum, the blocks' sums added in order.
     */
    private static float logSumExp(float[] x, int xo, int n, float max, float[] t) {
        double sum = 0;
        for (int k = 0; k < n; k += t.length) {
            int m = Math.min(t.length, n - k);
            shift(x, xo + k, max, 0f, t, 0, m);
            rowExp(t, 0, m);
            sum += ReductionKernels.rowSum(t, 0, 1, m, null);
        }
        return (float) Math.log(sum);
    }

    /**
     * Sparse softmax cross-entropy's forward ({@code Backend.sparseSoftmaxCrossEntropy}) over contiguous float32
     * rows {@code x [rows, C]}: per row the maximum m, lse as the log-softmax computes it, and only the picked
     * entry {@code (x[k] − m) − lse}; the log-softmax row is never written. The same roundings as
     * {@link #softmax} with {@code log} followed by a gather. Rows are split over tasks: the result does not
     * depend on the thread count. Shapes: picked [rows], stats [rows, 2] = (m, lse), both contiguous.
     */
    static void sparseCrossEntropy(View x, int[] classes, View picked, View stats) {
        int rows = x.shape()[0], c = x.shape()[1];
        if (rows == 0 || c == 0) return;
        float[] xd = ElementwiseKernels.data(x), pd = ElementwiseKernels.data(picked), sd = ElementwiseKernels.data(stats);
        int xo = x.offset(), po = picked.offset(), so = stats.offset();
        RowLoop.forRanges(rows, 4L * c, (from, to) -> {
            float[] t = new float[RowLoop.Scratch.BLOCK];
            for (int r = from; r < to; r++) {
                int row = xo + r * c;
                float max = ReductionKernels.rowMax(xd, row, c);
                float lse = logSumExp(xd, row, c, max, t);
                pd[po + r] = (xd[row + classes[r]] - max) - lse;
                sd[so + 2 * r] = max;
                sd[so + 2 * r + 1] = lse;
            }
        });
    }

    /**
     * Its gradient ({@code Backend.sparseSoftmaxCrossEntropyGradient}): dx = −(exp((x − m) − lse)·s), plus s at
     * each row's class, in one pass per block of {@link RowLoop.Scratch#BLOCK} elements of the flattened matrix.
     * The blocks are multiples of the vector length, so the vector exp covers the same elements as an
     * element-wise exp over the whole log-softmax would (the last {@code size mod L} in double): the
     * roundings of exp(log-softmax)·s, negated, with s added at the picks. Shapes: x, dx [rows, C] contiguous.
     */
    static void sparseCrossEntropyGradient(View x, int[] classes, View stats, float s, View dx) {
        int rows = x.shape()[0], c = x.shape()[1];
        int total = rows * c;
        if (total == 0) return;
        float[] xd = ElementwiseKernels.data(x), sd = ElementwiseKernels.data(stats), dd = ElementwiseKernels.data(dx);
        int xo = x.offset(), so = stats.offset(), dOff = dx.offset();
        int block = RowLoop.Scratch.BLOCK;
        int blocks = (total + block - 1) / block;
        RowLoop.forRanges(blocks, 4L * block, (from, to) -> {
            float[] t = new float[block];
            for (int b = from; b < to; b++) {
                int p0 = b * block, m = Math.min(block, total - p0), end = p0 + m;
                // t = the log-softmax of the block's elements, row segment by row segment
                for (int p = p0; p < end; ) {
                    int r = p / c, len = Math.min(c - (p - r * c), end - p);
                    shift(xd, xo + p, sd[so + 2 * r], sd[so + 2 * r + 1], t, p - p0, len);
                    p += len;
                }
                exp(t, 0, m);
                int i = 0, d = dOff + p0;
                for (int ub = S.loopBound(m); i < ub; i += L) FloatVector.fromArray(S, t, i).mul(s).neg().intoArray(dd, d + i);
                for (; i < m; i++) dd[d + i] = -(t[i] * s);
                for (int r = p0 / c, last = (end - 1) / c; r <= last; r++) {
                    int q = r * c + classes[r];
                    if (q >= p0 && q < end) dd[dOff + q] += s;
                }
            }
        });
    }

    /** y = (x − a) − b, in float. */
    private static void shift(float[] x, int xo, float a, float b, float[] y, int yo, int n) {
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector.fromArray(S, x, xo + i).sub(a).sub(b).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = (x[xo + i] - a) - b;
    }

    /**
     * y = exp(y) over (a block of) one row in the forward passes, every element by the vector exp: the last
     * {@code n mod L} elements go through one more vector, padded in a buffer. With the scalar tail (Math.exp in
     * double) a row of a few classes was all tail: softmax over [128, 10] took 14 µs, nearly all of it in 1,280
     * Math.exp calls (2-core AMD EPYC Zen 4). The softmax, the log-softmax and the sparse cross-entropy all take
     * their exponentials here, so the loss of a softmax still reads the same bits as the composed log-softmax.
     */
    private static void rowExp(float[] y, int yo, int n) {
        int vn = S.loopBound(n), r = n - vn;
        VectorMath.exp(y, yo, y, yo, vn);
        if (r == 0) return;
        float[] pad = new float[L];   // escape analysis keeps it off the heap; its unused lanes are zeros
        System.arraycopy(y, yo + vn, pad, 0, r);
        VectorMath.exp(pad, 0, pad, 0, L);
        System.arraycopy(pad, 0, y, yo + vn, r);
    }

    /** y = exp(y): the vector loop, then the tail in double as the reference (the gradient, as an element-wise exp). */
    private static void exp(float[] y, int yo, int n) {
        int vn = S.loopBound(n);
        VectorMath.exp(y, yo, y, yo, vn);
        for (int i = vn; i < n; i++) y[yo + i] = (float) Math.exp(y[yo + i]);
    }

    private static void scale(float[] y, int yo, int n, float f) {
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, y, yo + i).mul(f).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] *= f;
    }
}
