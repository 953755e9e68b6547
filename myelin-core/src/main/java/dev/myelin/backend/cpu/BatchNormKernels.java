package dev.myelin.backend.cpu;

import dev.myelin.backend.DType;
import dev.myelin.backend.View;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 batch normalization over the rows of a contiguous {@code [rows, channels]} matrix (channels-last
 * data flattened: the feature axis is the last one), in whole-array vector passes instead of a tensor
 * operation (with its own allocation) per term of the formula.
 *
 * <p>Implementation overview. The data is read flat, in <em>periods</em> of P = lcm(channels, lanes)
 * elements: element j of every period belongs to channel j mod channels, so a period is P / lanes whole
 * vectors whatever the channel count (1, 3, 64, 1000), with no masks; a per-channel value (mean, scale)
 * is tiled once into a P-long array read alongside. Rows are cut into blocks of 256 periods; in a block
 * every lane of a P-long float accumulator adds at most 256 terms, then the block's accumulator is folded
 * into per-channel double sums. The passes:
 * <ul>
 *   <li>statistics: Σx per channel, mean = Σx / rows; then Σ(x − mean)², variance = that / rows (biased,
 *       two passes as the composed formula, so no cancellation);</li>
 *   <li>apply: y = (x − mean)·a + beta with a = gamma / sqrt(variance + ε) per channel (one FMA);</li>
 *   <li>backward: Σdy and Σdy·(x − mean) per channel (dbeta, and dgamma = invstd·Σdy·(x − mean)), then
 *       dx = a·dy + k2·(x − mean) + k3 with k2 = −a·invstd²·Σdy(x − mean) / rows, k3 = −a·Σdy / rows
 *       (batch statistics), or dx = a·dy (given statistics).</li>
 * </ul>
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

    /** mean[c] = Σ_r x[r, c] / rows; variance[c] = Σ_r (x[r, c] − mean[c])² / rows. */
    static void statistics(View x, View mean, View variance) {
        Walk w = Walk.of(x);
        float[] xd = ElementwiseKernels.data(x);
        int xo = x.offset(), p = w.period();
        double[] partial = new double[w.blocks() * w.channels()];
        w.forBlocks((b, from, to) -> {
            float[] acc = new float[p];
            int i = from;
            for (; i + p <= to; i += p) {
                for (int j = 0; j < p; j += L) {
                    FloatVector.fromArray(S, xd, xo + i + j).add(FloatVector.fromArray(S, acc, j)).intoArray(acc, j);
                }
            }
            for (int j = 0; i < to; i++, j++) acc[j] += xd[xo + i];
            w.fold(acc, partial, b * w.channels());
        });
        double[] m = w.total(partial);
        for (int c = 0; c < m.length; c++) m[c] = (float) (m[c] / w.rows());
        float[] meanP = w.tile(m);
        Arrays.fill(partial, 0);
        w.forBlocks((b, from, to) -> {
            float[] acc = new float[p];
            int i = from;
            for (; i + p <= to; i += p) {
                for (int j = 0; j < p; j += L) {
                    FloatVector d = FloatVector.fromArray(S, xd, xo + i + j).sub(FloatVector.fromArray(S, meanP, j));
                    d.fma(d, FloatVector.fromArray(S, acc, j)).intoArray(acc, j);
                }
            }
            for (int j = 0; i < to; i++, j++) {
                float d = xd[xo + i] - meanP[j];
                acc[j] = Math.fma(d, d, acc[j]);
            }
            w.fold(acc, partial, b * w.channels());
        });
        double[] v = w.total(partial);
        for (int c = 0; c < v.length; c++) v[c] /= w.rows();
        store(m, mean);
        store(v, variance);
    }

    // ---- normalization ----

    /** y = (x − mean)·gamma / sqrt(variance + epsilon) + beta, per channel; gamma, beta may be null (1, 0). */
    static void apply(View x, View mean, View variance, View gamma, View beta, double epsilon, View y) {
        Walk w = Walk.of(x);
        int ch = w.channels();
        double[] m = load(mean, ch, 0), a = scales(variance, gamma, epsilon, ch), o = load(beta, ch, 0);
        float[] meanP = w.tile(m), scaleP = w.tile(a), offsetP = w.tile(o);
        float[] xd = ElementwiseKernels.data(x), yd = ElementwiseKernels.data(y);
        int xo = x.offset(), yo = y.offset(), p = w.period();
        w.forBlocks((b, from, to) -> {
            int i = from;
            for (; i + p <= to; i += p) {
                for (int j = 0; j < p; j += L) {
                    FloatVector.fromArray(S, xd, xo + i + j).sub(FloatVector.fromArray(S, meanP, j))
                            .fma(FloatVector.fromArray(S, scaleP, j), FloatVector.fromArray(S, offsetP, j)).intoArray(yd, yo + i + j);
                }
            }
            for (int j = 0; i < to; i++, j++) yd[yo + i] = Math.fma(xd[xo + i] - meanP[j], scaleP[j], offsetP[j]);
        });
    }

    // ---- backward ----

    /**
     * Gradients of {@link #apply} with the statistics of the batch itself ({@code batchStatistics}: mean and
     * variance are functions of x) or given ones (constants). dx, dgamma, dbeta may be null (not wanted).
     */
    static void backward(View x, View dy, View mean, View variance, View gamma, double epsilon, boolean batchStatistics,
                         View dx, View dgamma, View dbeta) {
        Walk w = Walk.of(x);
        int ch = w.channels(), p = w.period();
        double[] m = load(mean, ch, 0), a = scales(variance, gamma, epsilon, ch);
        float[] meanP = w.tile(m);
        float[] xd = ElementwiseKernels.data(x), gd = ElementwiseKernels.data(dy);
        int xo = x.offset(), go = dy.offset();
        double[] sumDy = null, sumDyX = null;
        if (dgamma != null || dbeta != null || (dx != null && batchStatistics)) {
            double[] partialDy = new double[w.blocks() * ch], partialDyX = new double[w.blocks() * ch];
            w.forBlocks((b, from, to) -> {
                float[] accDy = new float[p], accDyX = new float[p];
                int i = from;
                for (; i + p <= to; i += p) {
                    for (int j = 0; j < p; j += L) {
                        FloatVector g = FloatVector.fromArray(S, gd, go + i + j);
                        FloatVector d = FloatVector.fromArray(S, xd, xo + i + j).sub(FloatVector.fromArray(S, meanP, j));
                        g.add(FloatVector.fromArray(S, accDy, j)).intoArray(accDy, j);
                        g.fma(d, FloatVector.fromArray(S, accDyX, j)).intoArray(accDyX, j);
                    }
                }
                for (int j = 0; i < to; i++, j++) {
                    float g = gd[go + i];
                    accDy[j] += g;
                    accDyX[j] = Math.fma(g, xd[xo + i] - meanP[j], accDyX[j]);
                }
                w.fold(accDy, partialDy, b * ch);
                w.fold(accDyX, partialDyX, b * ch);
            });
            sumDy = w.total(partialDy);
            sumDyX = w.total(partialDyX);
        }
        double[] invstd = scales(variance, null, epsilon, ch);
        if (dbeta != null) store(sumDy, dbeta);
        if (dgamma != null) {
            double[] dg = new double[ch];
            for (int c = 0; c < ch; c++) dg[c] = sumDyX[c] * invstd[c];
            store(dg, dgamma);
        }
        if (dx == null) return;
        float[] k1P = w.tile(a);
        float[] dxd = ElementwiseKernels.data(dx);
        int dxo = dx.offset();
        if (!batchStatistics) {
            w.forBlocks((b, from, to) -> {
                int i = from;
                for (; i + p <= to; i += p) {
                    for (int j = 0; j < p; j += L) {
                        FloatVector.fromArray(S, gd, go + i + j).mul(FloatVector.fromArray(S, k1P, j)).intoArray(dxd, dxo + i + j);
                    }
                }
                for (int j = 0; i < to; i++, j++) dxd[dxo + i] = gd[go + i] * k1P[j];
            });
            return;
        }
        double[] k2 = new double[ch], k3 = new double[ch];
        for (int c = 0; c < ch; c++) {
            k2[c] = -a[c] * invstd[c] * invstd[c] * sumDyX[c] / w.rows();
            k3[c] = -a[c] * sumDy[c] / w.rows();
        }
        float[] k2P = w.tile(k2), k3P = w.tile(k3);
        w.forBlocks((b, from, to) -> {
            int i = from;
            for (; i + p <= to; i += p) {
                for (int j = 0; j < p; j += L) {
                    FloatVector d = FloatVector.fromArray(S, xd, xo + i + j).sub(FloatVector.fromArray(S, meanP, j));
                    FloatVector inner = d.fma(FloatVector.fromArray(S, k2P, j), FloatVector.fromArray(S, k3P, j));
                    FloatVector.fromArray(S, gd, go + i + j).fma(FloatVector.fromArray(S, k1P, j), inner).intoArray(dxd, dxo + i + j);
                }
            }
            for (int j = 0; i < to; i++, j++) {
                float inner = Math.fma(xd[xo + i] - meanP[j], k2P[j], k3P[j]);
                dxd[dxo + i] = Math.fma(gd[go + i], k1P[j], inner);
            }
        });
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
