package dev.myelin.backend.cpu;

import dev.myelin.backend.DType;
import dev.myelin.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 layer normalization over the last axis of a contiguous {@code [rows, features]} matrix, one row
 * at a time while it is in L1, instead of a tensor operation (with its own allocation and pass over memory)
 * per term of the formula ({@link dev.myelin.backend.Backend#layerNorm} says what it computes).
 *
 * <p>Implementation overview. Forward, per row: Σx, then Σ(x − mean)² (two passes over the row, no
 * cancellation; float lanes, then the lanes and the tail in double), rstd in double rounded once, then
 * y = (x − mean)·inv + beta with inv = gamma·rstd: Keras's formula, centring before scaling (Keras's
 * x·inv + (beta − mean·inv) subtracts two large terms in float32 when the variance is small).
 * Backward, per row: xhat = (x − mean)·rstd and g = dy·gamma give
 * Σg and Σg·xhat (one pass), then dx (a second pass); the per-feature sums of dgamma (Σ dy·xhat) and dbeta
 * (Σ dy) go into the partial sums of the row's block. Rows are independent, so the forward and dx do not
 * depend on the split; rows are grouped in blocks of {@link #BLOCK_ROWS} (a split that depends on the shape
 * only), each block's partial dgamma and dbeta are float sums in row order, and the blocks are added in block
 * order in double: results are bit-identical for every thread count.
 */
final class LayerNormKernels {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Rows per block of the dgamma / dbeta partial sums. */
    private static final int BLOCK_ROWS = 32;

    private LayerNormKernels() {}

    /** True for non-empty float32 {@code [rows, features]} views laid out row-major without gaps (null views are skipped). */
    static boolean supports(View... matrices) {
        if (matrices[0].size() == 0) return false;
        for (View v : matrices) {
            if (v == null) continue;
            if (v.dtype() != DType.FLOAT32 || v.rank() != 2 || !v.isContiguous()) return false;
        }
        return true;
    }

    /** The forward pass; mean and rstd {@code [rows]}, gamma and beta {@code [features]} (or null) may be strided. */
    static void forward(View x, View gamma, View beta, double epsilon, View y, View mean, View rstd) {
        int rows = x.shape()[0], n = x.shape()[1];
        float[] xd = ElementwiseKernels.data(x), yd = ElementwiseKernels.data(y);
        int xo = x.offset(), yo = y.offset();
        float[] g = load(gamma, n, 1), b = load(beta, n, 0);
        float[] means = new float[rows], rstds = new float[rows];
        RowLoop.forRanges(rows, 4L * n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xo + r * n;
                float m = (float) (sum(xd, xr, n) / n);
                float rs = (float) (1 / Math.sqrt(squaredDeviations(xd, xr, n, m) / n + epsilon));
                normalize(xd, xr, n, m, rs, g, b, yd, yo + r * n);
                means[r] = m;
                rstds[r] = rs;
            }
        });
        store(means, mean);
        store(rstds, rstd);
    }

    /** The backward pass; dx, dgamma, dbeta may be null (not wanted), gamma null (1). */
    static void backward(View x, View dy, View mean, View rstd, View gamma, View dx, View dgamma, View dbeta) {
        int rows = x.shape()[0], n = x.shape()[1];
        float[] xd = ElementwiseKernels.data(x), gd = ElementwiseKernels.data(dy), dxd = dx == null ? null : ElementwiseKernels.data(dx);
        int xo = x.offset(), go = dy.offset(), dxo = dx == null ? 0 : dx.offset();
        float[] g = load(gamma, n, 1), means = load(mean, rows, 0), rstds = load(rstd, rows, 0);
        boolean sums = dgamma != null || dbeta != null;
        int blocks = Math.ceilDiv(rows, BLOCK_ROWS);
        float[] partialGamma = sums ? new float[blocks * n] : null, partialBeta = sums ? new float[blocks * n] : null;
        RowLoop.forRanges(blocks, 6L * n * BLOCK_ROWS, (b0, b1) -> {
            float[] xhat = new float[n];
            for (int blk = b0; blk < b1; blk++) {
                for (int r = blk * BLOCK_ROWS, end = Math.min(rows, r + BLOCK_ROWS); r < end; r++) {
                    int xr = xo + r * n, gr = go + r * n;
                    standardize(xd, xr, n, means[r], rstds[r], xhat);
                    if (sums) accumulate(gd, gr, xhat, n, partialGamma, partialBeta, blk * n);
                    if (dxd != null) inputGradient(gd, gr, xhat, g, n, rstds[r], dxd, dxo + r * n);
                }
            }
        });
        if (dgamma != null) store(total(partialGamma, blocks, n), dgamma);
        if (dbeta != null) store(total(partialBeta, blocks, n), dbeta);
    }

    // ---- one row ----

    /** Σx over the row: two float accumulators, then their lanes and the tail in double. */
    private static double sum(float[] x, int from, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, from + i));
            a1 = a1.add(FloatVector.fromArray(S, x, from + i + L));
        }
        for (; i + L <= n; i += L) a0 = a0.add(FloatVector.fromArray(S, x, from + i));
        double s = VectorMath.laneSum(a0.add(a1));
        for (; i < n; i++) s += x[from + i];
        return s;
    }

    /** Σ(x − mean)² over the row, as {@link #sum}. */
    private static double squaredDeviations(float[] x, int from, int n, float mean) {
        FloatVector m = FloatVector.broadcast(S, mean), a0 = FloatVector.zero(S), a1 = a0;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, x, from + i).sub(m), d1 = FloatVector.fromArray(S, x, from + i + L).sub(m);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        for (; i + L <= n; i += L) {
            FloatVector d0 = FloatVector.fromArray(S, x, from + i).sub(m);
            a0 = d0.fma(d0, a0);
        }
        double s = VectorMath.laneSum(a0.add(a1));
        for (; i < n; i++) {
            double d = x[from + i] - mean;
            s += d * d;
        }
        return s;
    }

    /** y = (x − mean)·inv + beta, inv = gamma·rstd. */
    private static void normalize(float[] x, int from, int n, float mean, float rstd, float[] gamma, float[] beta, float[] y, int to) {
        FloatVector m = FloatVector.broadcast(S, mean), rs = FloatVector.broadcast(S, rstd);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector inv = FloatVector.fromArray(S, gamma, i).mul(rs);
            FloatVector.fromArray(S, x, from + i).sub(m).fma(inv, FloatVector.fromArray(S, beta, i)).intoArray(y, to + i);
        }
        for (; i < n; i++) y[to + i] = Math.fma(x[from + i] - mean, gamma[i] * rstd, beta[i]);
    }

    /** xhat = (x − mean)·rstd. */
    private static void standardize(float[] x, int from, int n, float mean, float rstd, float[] xhat) {
        FloatVector m = FloatVector.broadcast(S, mean), rs = FloatVector.broadcast(S, rstd);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, from + i).sub(m).mul(rs).intoArray(xhat, i);
        for (; i < n; i++) xhat[i] = (x[from + i] - mean) * rstd;
    }

    /** partialGamma[at + c] += dy·xhat, partialBeta[at + c] += dy. */
    private static void accumulate(float[] dy, int from, float[] xhat, int n, float[] partialGamma, float[] partialBeta, int at) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, dy, from + i);
            d.fma(FloatVector.fromArray(S, xhat, i), FloatVector.fromArray(S, partialGamma, at + i)).intoArray(partialGamma, at + i);
            d.add(FloatVector.fromArray(S, partialBeta, at + i)).intoArray(partialBeta, at + i);
        }
        for (; i < n; i++) {
            float d = dy[from + i];
            partialGamma[at + i] = Math.fma(d, xhat[i], partialGamma[at + i]);
            partialBeta[at + i] += d;
        }
    }

    /** dx = rstd·(g − Σg / n − xhat·Σ(g·xhat) / n), g = dy·gamma. */
    private static void inputGradient(float[] dy, int from, float[] xhat, float[] gamma, int n, float rstd, float[] dx, int to) {
        FloatVector sg = FloatVector.zero(S), sgx = sg;
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, from + i).mul(FloatVector.fromArray(S, gamma, i));
            sg = sg.add(g);
            sgx = g.fma(FloatVector.fromArray(S, xhat, i), sgx);
        }
        double sumG = VectorMath.laneSum(sg), sumGX = VectorMath.laneSum(sgx);
        for (; i < n; i++) {
            float g = dy[from + i] * gamma[i];
            sumG += g;
            sumGX += (double) g * xhat[i];
        }
        float a = (float) (sumG / n), c = (float) (sumGX / n);
        FloatVector va = FloatVector.broadcast(S, a), vc = FloatVector.broadcast(S, c), rs = FloatVector.broadcast(S, rstd);
        for (i = 0; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, from + i).mul(FloatVector.fromArray(S, gamma, i));
            g.sub(va).sub(FloatVector.fromArray(S, xhat, i).mul(vc)).mul(rs).intoArray(dx, to + i);
        }
        for (; i < n; i++) dx[to + i] = (dy[from + i] * gamma[i] - a - xhat[i] * c) * rstd;
    }


    // ---- per-feature and per-row values ----

    /** Σ over the blocks, in block order, in double. */
    private static float[] total(float[] partial, int blocks, int n) {
        double[] t = new double[n];
        for (int b = 0; b < blocks; b++) for (int c = 0; c < n; c++) t[c] += partial[b * n + c];
        float[] r = new float[n];
        for (int c = 0; c < n; c++) r[c] = (float) t[c];
        return r;
    }

    /** The 1-D view's values as floats, or {@code absent} everywhere when the view is null. */
    private static float[] load(View v, int n, float absent) {
        float[] r = new float[n];
        if (v == null) {
            java.util.Arrays.fill(r, absent);
            return r;
        }
        for (int i = 0; i < n; i++) r[i] = (float) v.storage().get(v.offset() + i * v.strides()[0]);
        return r;
    }

    private static void store(float[] values, View v) {
        for (int i = 0; i < values.length; i++) v.storage().set(v.offset() + i * v.strides()[0], values[i]);
    }
}
