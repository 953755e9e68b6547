package dev.myelin.backend.cpu;

import dev.myelin.backend.DType;
import dev.myelin.backend.View;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 batch normalization over the rows of a contiguous {@code [rows, channels]} matrix (channels-last
 * data flattened: the feature axis is the last one), in whole-array vector passes instead of a tensor
 * operation (with its own allocation) per term of the formula.
 *
 * <p>Implementation overview. The data is read flat, in <em>periods</em> of P = lcm(channels, lanes)
 * elements, doubled until it holds at least 4 vectors: element j of every period belongs to channel j mod channels,
 * so a period is P / lanes whole vectors whatever the channel count (1, 3, 64, 1000), with no masks, and a column
 * walk keeps 4 independent accumulators; a per-channel value (mean, scale)
 * is tiled once into a P-long array. Rows are cut into blocks of 256 periods. A reduction walks each
 * vector column of the period down the block's periods with float accumulators in registers (so a lane
 * adds at most 256 terms), then folds the block's P sums into per-channel double sums; the normalization
 * keeps the column's per-channel factors in registers. The passes:
 * <ul>
 *   <li>statistics: per block, Σx and then Σ(x − block mean)² while the block is in cache (two passes over
 *       a block, one over memory; no cancellation), combined over blocks in double; mean = Σx / rows,
 *       variance = M2 / rows (biased);</li>
 *   <li>apply: y = x·a + (beta − mean·a) with a = gamma / sqrt(variance + ε) per channel (one FMA; both factors
 *       computed in double and rounded once);</li>
 *   <li>backward: Σdy and Σdy·(x − mean) per channel (dbeta, and dgamma = invstd·Σdy·(x − mean)), then
 *       dx = a·dy + k2·(x − mean) + k3 with k2 = −a·invstd²·Σdy(x − mean) / rows, k3 = −a·Σdy / rows
 *       (batch statistics), or dx = a·dy (given statistics).</li>
 * </ul>
 * Followed by the rectifier (batch normalization then ReLU, as one operation), apply writes max(0, y) in the same
 * pass, and backward reads the gradient of the rectifier's output masked by that output (dy where relu(y) &gt; 0 or
 * NaN, else 0) wherever it reads dy: the values of a separate ReLU and its gradient bit for bit, without the
 * batch-normalized array and the masked gradient array between them.
 * Blocks run as parallel tasks; their per-channel sums are added in block order, and the block split
 * depends on the shape only, so results are bit-identical for every thread count. Per-channel factors
 * are computed in double and rounded once.
 */
final class BatchNormKernels {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Terms each accumulator lane adds within one block, as ReductionKernels' column blocks. */
    private static final int BLOCK_PERIODS = 256;

    private BatchNormKernels() {}

    /**
     * True for non-empty float32 {@code [rows, channels]} views laid out row-major without gaps (null views are
     * skipped; the first is x).
     */
    static boolean supports(View... matrices) {
        if (matrices[0].size() == 0) return false;
        for (View v : matrices) {
            if (v == null) continue;
            if (v.dtype() != DType.FLOAT32 || v.rank() != 2 || !v.isContiguous()) return false;
        }
        return true;
    }

    /** The flat walk over a {@code [rows, channels]} matrix: periods of P elements, blocks of whole periods. */
    private record Walk(int rows, int channels, int period, int blockElements, int blocks) {
        static Walk of(View x) {
            int rows = x.shape()[0], channels = x.shape()[1];
            int periodRows = L / gcd(channels, L);
            // at least W elements, so that the column walks below run 4 independent vector accumulators: with one
            // (a period of 16 or 32 elements, 16 or 32 channels), each add waits for the previous one's result
            while (periodRows * channels < W) periodRows *= 2;
            int period = periodRows * channels;
            int blockRows = BLOCK_PERIODS * periodRows;
            return new Walk(rows, channels, period, blockRows * channels, Math.ceilDiv(rows, blockRows));
        }

        int size() {
            return rows * channels;
        }

        /** Runs {@code body(block, from, to)} over every block's flat element range, in parallel when large. */
        void forBlocks(BlockBody body) {
            int n = size();
            RowLoop.forRanges(blocks, blockElements, (b0, b1) -> {
                for (int b = b0; b < b1; b++) body.run(b, b * blockElements, Math.min(n, (b + 1) * blockElements));
            });
        }

        /** A per-channel value repeated over one period. */
        float[] tile(double[] perChannel) {
            float[] t = new float[period];
            for (int j = 0; j < period; j++) t[j] = (float) perChannel[j % channels];
            return t;
        }

        /** Adds a block accumulator's lanes into its channels' sums (double, lanes in order). */
        void fold(float[] acc, double[] sums, int at) {
            for (int j = 0; j < period; j++) sums[at + j % channels] += acc[j];
        }

        /** Per-channel totals of the per-block sums {@code partial[block·channels + c]}, added in block order. */
        double[] total(double[] partial) {
            double[] t = new double[channels];
            for (int b = 0; b < blocks; b++) for (int c = 0; c < channels; c++) t[c] += partial[b * channels + c];
            return t;
        }
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(int block, int from, int to);
    }

    // ---- statistics ----

    /**
     * mean[c] = Σ_r x[r, c] / rows; variance[c] = Σ_r (x[r, c] − mean[c])² / rows. Each block is read twice
     * while it is in cache: its sum, then its squared deviations from its own mean; the blocks' means and
     * deviation sums are then combined exactly (Chan et al.): M2 = Σ_b M2_b + n_b·(mean_b − mean)².
     */
    static void statistics(View x, View mean, View variance) {
        Walk w = Walk.of(x);
        float[] xd = ElementwiseKernels.data(x);
        int xo = x.offset(), p = w.period(), ch = w.channels();
        double[] blockSums = new double[w.blocks() * ch], blockM2 = new double[w.blocks() * ch];
        w.forBlocks((b, from, to) -> {
            float[] acc = new float[p];
            sums(xd, xo + from, xo + to, p, acc);
            w.fold(acc, blockSums, b * ch);
            int n = (to - from) / ch;
            double[] blockMean = new double[ch];
            for (int c = 0; c < ch; c++) blockMean[c] = blockSums[b * ch + c] / n;
            float[] meanP = w.tile(blockMean);
            squaredDeviations(xd, xo + from, xo + to, p, meanP, acc);
            w.fold(acc, blockM2, b * ch);
            // the deviations were taken from the block mean rounded to float, m~: Σ(x − m)² = Σ(x − m~)² − n·(m − m~)²
            for (int c = 0; c < ch; c++) {
                double off = blockMean[c] - meanP[c];
                blockM2[b * ch + c] -= n * off * off;
            }
        });
        double[] m = w.total(blockSums), v = new double[ch];
        for (int c = 0; c < ch; c++) m[c] /= w.rows();
        int blockRows = w.blockElements() / ch;
        for (int b = 0; b < w.blocks(); b++) {
            int n = Math.min(blockRows, w.rows() - b * blockRows);
            for (int c = 0; c < ch; c++) {
                double off = blockSums[b * ch + c] / n - m[c];
                v[c] += blockM2[b * ch + c] + n * off * off;
            }
        }
        for (int c = 0; c < ch; c++) v[c] = Math.max(0, v[c]) / w.rows();
        store(m, mean);
        store(v, variance);
    }

    // ---- normalization ----

    /**
     * y = (x − mean)·gamma / sqrt(variance + epsilon) + beta, per channel, then relu(y) when {@code relu}; gamma, beta
     * may be null (1, 0).
     */
    static void apply(View x, View mean, View variance, View gamma, View beta, double epsilon, boolean relu, View y) {
        Walk w = Walk.of(x);
        int ch = w.channels();
        double[] m = load(mean, ch, 0), scale = scales(variance, gamma, epsilon, ch), offset = load(beta, ch, 0);
        // y = x·scale + (beta − mean·scale): one FMA per element, the offset folded in double and rounded once
        for (int c = 0; c < ch; c++) offset[c] -= m[c] * scale[c];
        float[] scaleP = w.tile(scale), offsetP = w.tile(offset);
        float[] xd = ElementwiseKernels.data(x), yd = ElementwiseKernels.data(y);
        int shift = y.offset() - x.offset();
        w.forBlocks((b, from, to) -> affine(xd, x.offset() + from, x.offset() + to, w.period(), scaleP, offsetP, relu, yd, shift));
    }

    // ---- backward ----

    /**
     * Gradients of {@link #apply} with the statistics of the batch itself ({@code batchStatistics}: mean and
     * variance are functions of x) or given ones (constants). dx, dgamma, dbeta may be null (not wanted). With
     * {@code reluOut} (the output of {@code apply(..., relu = true)}, x's layout), dy is the gradient of the rectified
     * output and is read masked by it: the gradients of relu(y).
     */
    static void backward(View x, View dy, View reluOut, View mean, View variance, View gamma, double epsilon, boolean batchStatistics,
                         View dx, View dgamma, View dbeta) {
        Walk w = Walk.of(x);
        int ch = w.channels(), p = w.period();
        double[] a = scales(variance, gamma, epsilon, ch), invstd = scales(variance, null, epsilon, ch);
        float[] meanP = w.tile(load(mean, ch, 0));
        float[] xd = ElementwiseKernels.data(x), gd = ElementwiseKernels.data(dy);
        int xo = x.offset(), gShift = dy.offset() - xo;
        float[] md = reluOut == null ? null : ElementwiseKernels.data(reluOut);
        int mShift = reluOut == null ? 0 : reluOut.offset() - xo;
        double[] sumDy = null, sumDyX = null;
        if (dgamma != null || dbeta != null || (dx != null && batchStatistics)) {
            double[] partialDy = new double[w.blocks() * ch], partialDyX = new double[w.blocks() * ch];
            w.forBlocks((b, from, to) -> {
                float[] accDy = new float[p], accDyX = new float[p];
                gradientSums(xd, xo + from, xo + to, p, meanP, gd, gShift, md, mShift, accDy, accDyX);
                w.fold(accDy, partialDy, b * ch);
                w.fold(accDyX, partialDyX, b * ch);
            });
            sumDy = w.total(partialDy);
            sumDyX = w.total(partialDyX);
        }
        if (dbeta != null) store(sumDy, dbeta);
        if (dgamma != null) {
            double[] dg = new double[ch];
            for (int c = 0; c < ch; c++) dg[c] = sumDyX[c] * invstd[c];
            store(dg, dgamma);
        }
        if (dx == null) return;
        float[] k1P = w.tile(a);
        float[] dxd = ElementwiseKernels.data(dx);
        int dxShift = dx.offset() - xo;
        if (!batchStatistics) {
            // dy·a, through the affine pass: dy·a + 0
            float[] zeros = new float[p];
            w.forBlocks((b, from, to) -> {
                affine(gd, xo + gShift + from, xo + gShift + to, p, k1P, zeros, false, dxd, dxShift - gShift);
                if (md != null) maskByOutput(dxd, xo + dxShift + from, xo + dxShift + to, md, mShift - dxShift);
            });
            return;
        }
        double[] k2 = new double[ch], k3 = new double[ch];
        for (int c = 0; c < ch; c++) {
            k2[c] = -a[c] * invstd[c] * invstd[c] * sumDyX[c] / w.rows();
            k3[c] = -a[c] * sumDy[c] / w.rows();
        }
        float[] k2P = w.tile(k2), k3P = w.tile(k3);
        w.forBlocks((b, from, to) -> inputGradient(xd, xo + from, xo + to, p, meanP, gd, gShift, md, mShift, k1P, k2P, k3P, dxd, dxShift));
    }

    // ---- the passes over one block [from, to) of x's array: whole periods by vector columns, then a scalar tail ----
    //
    // A column j of the period (4 vectors wide, then 1) walks the block's periods with stride p, keeping its
    // accumulators and per-channel factors in registers; the last, partial period (rows not filling one) is
    // scalar. Other arrays are read at the same index plus a shift.

    private static final int W = 4 * L;

    /** acc[j] = Σ x over the block's elements at period position j. */
    private static void sums(float[] x, int from, int to, int p, float[] acc) {
        int end = from + (to - from) / p * p, j = 0;
        for (; j + W <= p; j += W) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = from + j; i < end; i += p) {
                a0 = a0.add(FloatVector.fromArray(S, x, i));
                a1 = a1.add(FloatVector.fromArray(S, x, i + L));
                a2 = a2.add(FloatVector.fromArray(S, x, i + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, i + 3 * L));
            }
            a0.intoArray(acc, j);
            a1.intoArray(acc, j + L);
            a2.intoArray(acc, j + 2 * L);
            a3.intoArray(acc, j + 3 * L);
        }
        for (; j < p; j += L) {
            FloatVector a0 = FloatVector.zero(S);
            for (int i = from + j; i < end; i += p) a0 = a0.add(FloatVector.fromArray(S, x, i));
            a0.intoArray(acc, j);
        }
        for (int i = end, k = 0; i < to; i++, k++) acc[k] += x[i];
    }

    /** acc[j] = Σ (x − mean)² over the block's elements at period position j. */
    private static void squaredDeviations(float[] x, int from, int to, int p, float[] meanP, float[] acc) {
        int end = from + (to - from) / p * p, j = 0;
        for (; j + W <= p; j += W) {
            FloatVector m0 = FloatVector.fromArray(S, meanP, j), m1 = FloatVector.fromArray(S, meanP, j + L);
            FloatVector m2 = FloatVector.fromArray(S, meanP, j + 2 * L), m3 = FloatVector.fromArray(S, meanP, j + 3 * L);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = from + j; i < end; i += p) {
                FloatVector d0 = FloatVector.fromArray(S, x, i).sub(m0), d1 = FloatVector.fromArray(S, x, i + L).sub(m1);
                FloatVector d2 = FloatVector.fromArray(S, x, i + 2 * L).sub(m2), d3 = FloatVector.fromArray(S, x, i + 3 * L).sub(m3);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            a0.intoArray(acc, j);
            a1.intoArray(acc, j + L);
            a2.intoArray(acc, j + 2 * L);
            a3.intoArray(acc, j + 3 * L);
        }
        for (; j < p; j += L) {
            FloatVector m0 = FloatVector.fromArray(S, meanP, j), a0 = FloatVector.zero(S);
            for (int i = from + j; i < end; i += p) {
                FloatVector d0 = FloatVector.fromArray(S, x, i).sub(m0);
                a0 = d0.fma(d0, a0);
            }
            a0.intoArray(acc, j);
        }
        for (int i = end, k = 0; i < to; i++, k++) {
            float d = x[i] - meanP[k];
            acc[k] = Math.fma(d, d, acc[k]);
        }
    }

    /** out[i + shift] = x[i]·scale + offset, per period position, rectified when {@code relu}. */
    private static void affine(float[] x, int from, int to, int p, float[] scaleP, float[] offsetP, boolean relu, float[] out, int shift) {
        int end = from + (to - from) / p * p, j = 0;
        if (relu) {
            affineRelu(x, from, end, p, scaleP, offsetP, out, shift);
            j = p;
        }
        for (; j + W <= p; j += W) {
            FloatVector s0 = FloatVector.fromArray(S, scaleP, j), s1 = FloatVector.fromArray(S, scaleP, j + L);
            FloatVector s2 = FloatVector.fromArray(S, scaleP, j + 2 * L), s3 = FloatVector.fromArray(S, scaleP, j + 3 * L);
            FloatVector o0 = FloatVector.fromArray(S, offsetP, j), o1 = FloatVector.fromArray(S, offsetP, j + L);
            FloatVector o2 = FloatVector.fromArray(S, offsetP, j + 2 * L), o3 = FloatVector.fromArray(S, offsetP, j + 3 * L);
            for (int i = from + j; i < end; i += p) {
                FloatVector.fromArray(S, x, i).fma(s0, o0).intoArray(out, i + shift);
                FloatVector.fromArray(S, x, i + L).fma(s1, o1).intoArray(out, i + shift + L);
                FloatVector.fromArray(S, x, i + 2 * L).fma(s2, o2).intoArray(out, i + shift + 2 * L);
                FloatVector.fromArray(S, x, i + 3 * L).fma(s3, o3).intoArray(out, i + shift + 3 * L);
            }
        }
        for (; j < p; j += L) {
            FloatVector s0 = FloatVector.fromArray(S, scaleP, j), o0 = FloatVector.fromArray(S, offsetP, j);
            for (int i = from + j; i < end; i += p) FloatVector.fromArray(S, x, i).fma(s0, o0).intoArray(out, i + shift);
        }
        for (int i = end, k = 0; i < to; i++, k++) {
            float v = Math.fma(x[i], scaleP[k], offsetP[k]);
            out[i + shift] = relu && v <= 0f ? 0f : v;
        }
    }

    /**
     * The whole periods of {@link #affine} with the rectifier: 0 where x·scale + offset ≤ 0, NaN kept (as
     * ElementwiseKernels' RELU).
     */
    private static void affineRelu(float[] x, int from, int end, int p, float[] scaleP, float[] offsetP, float[] out, int shift) {
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        for (; j + W <= p; j += W) {
            FloatVector s0 = FloatVector.fromArray(S, scaleP, j), s1 = FloatVector.fromArray(S, scaleP, j + L);
            FloatVector s2 = FloatVector.fromArray(S, scaleP, j + 2 * L), s3 = FloatVector.fromArray(S, scaleP, j + 3 * L);
            FloatVector o0 = FloatVector.fromArray(S, offsetP, j), o1 = FloatVector.fromArray(S, offsetP, j + L);
            FloatVector o2 = FloatVector.fromArray(S, offsetP, j + 2 * L), o3 = FloatVector.fromArray(S, offsetP, j + 3 * L);
            for (int i = from + j; i < end; i += p) {
                FloatVector y0 = FloatVector.fromArray(S, x, i).fma(s0, o0), y1 = FloatVector.fromArray(S, x, i + L).fma(s1, o1);
                FloatVector y2 = FloatVector.fromArray(S, x, i + 2 * L).fma(s2, o2), y3 = FloatVector.fromArray(S, x, i + 3 * L).fma(s3, o3);
                y0.blend(zero, y0.compare(VectorOperators.LE, zero)).intoArray(out, i + shift);
                y1.blend(zero, y1.compare(VectorOperators.LE, zero)).intoArray(out, i + shift + L);
                y2.blend(zero, y2.compare(VectorOperators.LE, zero)).intoArray(out, i + shift + 2 * L);
                y3.blend(zero, y3.compare(VectorOperators.LE, zero)).intoArray(out, i + shift + 3 * L);
            }
        }
        for (; j < p; j += L) {
            FloatVector s0 = FloatVector.fromArray(S, scaleP, j), o0 = FloatVector.fromArray(S, offsetP, j);
            for (int i = from + j; i < end; i += p) {
                FloatVector y0 = FloatVector.fromArray(S, x, i).fma(s0, o0);
                y0.blend(zero, y0.compare(VectorOperators.LE, zero)).intoArray(out, i + shift);
            }
        }
    }

    /** g[i] = 0 where out[i + mShift] ≤ 0 (the rectifier's gradient from its output), for i in [from, to). */
    private static void maskByOutput(float[] g, int from, int to, float[] out, int mShift) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (int ub = from + S.loopBound(to - from); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, g, i);
            v.blend(zero, FloatVector.fromArray(S, out, i + mShift).compare(VectorOperators.LE, zero)).intoArray(g, i);
        }
        for (; i < to; i++) if (out[i + mShift] <= 0f) g[i] = 0f;
    }

    /** dy[i + gShift], or 0 where the rectified output m[i + mShift] ≤ 0 (m null: dy as is). */
    private static FloatVector gradient(float[] dy, int i, float[] m, int mShift) {
        FloatVector g = FloatVector.fromArray(S, dy, i);
        return m == null ? g : g.blend(0f, FloatVector.fromArray(S, m, i + mShift).compare(VectorOperators.LE, 0f));
    }

    /**
     * accDy[j] = Σ dy and accDyX[j] = Σ dy·(x − mean) at period position j; dy[i + gShift] pairs with x[i], masked by
     * the rectified output m[i + mShift] when m is not null.
     */
    private static void gradientSums(float[] x, int from, int to, int p, float[] meanP, float[] dy, int gShift, float[] m, int mShift,
                                     float[] accDy, float[] accDyX) {
        int end = from + (to - from) / p * p, j = 0;
        for (; j + W <= p; j += W) {
            FloatVector m0 = FloatVector.fromArray(S, meanP, j), m1 = FloatVector.fromArray(S, meanP, j + L);
            FloatVector m2 = FloatVector.fromArray(S, meanP, j + 2 * L), m3 = FloatVector.fromArray(S, meanP, j + 3 * L);
            FloatVector g0 = FloatVector.zero(S), g1 = g0, g2 = g0, g3 = g0, a0 = g0, a1 = g0, a2 = g0, a3 = g0;
            for (int i = from + j; i < end; i += p) {
                FloatVector y0 = gradient(dy, i + gShift, m, mShift - gShift), y1 = gradient(dy, i + gShift + L, m, mShift - gShift);
                FloatVector y2 = gradient(dy, i + gShift + 2 * L, m, mShift - gShift), y3 = gradient(dy, i + gShift + 3 * L, m, mShift - gShift);
                g0 = g0.add(y0);
                g1 = g1.add(y1);
                g2 = g2.add(y2);
                g3 = g3.add(y3);
                a0 = y0.fma(FloatVector.fromArray(S, x, i).sub(m0), a0);
                a1 = y1.fma(FloatVector.fromArray(S, x, i + L).sub(m1), a1);
                a2 = y2.fma(FloatVector.fromArray(S, x, i + 2 * L).sub(m2), a2);
                a3 = y3.fma(FloatVector.fromArray(S, x, i + 3 * L).sub(m3), a3);
            }
            g0.intoArray(accDy, j);
            g1.intoArray(accDy, j + L);
            g2.intoArray(accDy, j + 2 * L);
            g3.intoArray(accDy, j + 3 * L);
            a0.intoArray(accDyX, j);
            a1.intoArray(accDyX, j + L);
            a2.intoArray(accDyX, j + 2 * L);
            a3.intoArray(accDyX, j + 3 * L);
        }
        for (; j < p; j += L) {
            FloatVector m0 = FloatVector.fromArray(S, meanP, j), g0 = FloatVector.zero(S), a0 = g0;
            for (int i = from + j; i < end; i += p) {
                FloatVector y0 = gradient(dy, i + gShift, m, mShift - gShift);
                g0 = g0.add(y0);
                a0 = y0.fma(FloatVector.fromArray(S, x, i).sub(m0), a0);
            }
            g0.intoArray(accDy, j);
            a0.intoArray(accDyX, j);
        }
        for (int i = end, k = 0; i < to; i++, k++) {
            float g = m != null && m[i + mShift] <= 0f ? 0f : dy[i + gShift];
            accDy[k] += g;
            accDyX[k] = Math.fma(g, x[i] - meanP[k], accDyX[k]);
        }
    }

    /**
     * dx[i + dxShift] = dy·k1 + ((x − mean)·k2 + k3) per period position; dy[i + gShift] pairs with x[i], masked by the
     * rectified output m[i + mShift] when m is not null.
     */
    private static void inputGradient(float[] x, int from, int to, int p, float[] meanP, float[] dy, int gShift, float[] m, int mShift,
                                      float[] k1P, float[] k2P, float[] k3P, float[] dx, int dxShift) {
        int end = from + (to - from) / p * p;
        // period by period (five per-channel factors per vector do not stay in registers; they are read from L1)
        for (int i = from; i < end; i += p) {
            for (int j = 0; j < p; j += L) {
                FloatVector inner = FloatVector.fromArray(S, x, i + j).sub(FloatVector.fromArray(S, meanP, j))
                        .fma(FloatVector.fromArray(S, k2P, j), FloatVector.fromArray(S, k3P, j));
                gradient(dy, i + j + gShift, m, mShift - gShift).fma(FloatVector.fromArray(S, k1P, j), inner).intoArray(dx, i + j + dxShift);
            }
        }
        for (int i = end, k = 0; i < to; i++, k++) {
            float inner = Math.fma(x[i] - meanP[k], k2P[k], k3P[k]);
            float g = m != null && m[i + mShift] <= 0f ? 0f : dy[i + gShift];
            dx[i + dxShift] = Math.fma(g, k1P[k], inner);
        }
    }

    // ---- per-channel values ----

    /** gamma[c] / sqrt(variance[c] + epsilon) (gamma 1 when null), in double. */
    private static double[] scales(View variance, View gamma, double epsilon, int channels) {
        double[] v = load(variance, channels, 0), g = load(gamma, channels, 1);
        double[] s = new double[channels];
        for (int c = 0; c < channels; c++) s[c] = g[c] / Math.sqrt(v[c] + epsilon);
        return s;
    }

    /** The {@code [channels]} view's values, or {@code absent} everywhere when the view is null. */
    private static double[] load(View v, int channels, double absent) {
        double[] r = new double[channels];
        if (v == null) {
            Arrays.fill(r, absent);
            return r;
        }
        for (int c = 0; c < channels; c++) r[c] = v.storage().get(v.offset() + c * v.strides()[0]);
        return r;
    }

    private static void store(double[] values, View v) {
        for (int c = 0; c < values.length; c++) v.storage().set(v.offset() + c * v.strides()[0], values[c]);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
