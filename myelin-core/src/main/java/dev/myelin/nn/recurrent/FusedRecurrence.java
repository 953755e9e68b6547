package dev.myelin.nn.recurrent;

import dev.myelin.autograd.Backward;
import dev.myelin.backend.Backend;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import dev.myelin.tensor.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * The float32 recurrence of {@link SimpleRNN}, {@link LSTM} and {@link GRU} as one fused operation with a
 * hand-written backpropagation through time.
 *
 * <p>Implementation overview. The layer computes the input projection {@code xp = x · kernel + bias} for
 * all steps with one GEMM (an ordinary recorded matmul, so autograd derives the kernel's and the input's
 * gradients from {@code dxp} with one GEMM each). This class runs the steps: per step one GEMM
 * {@code h' · U} into a scratch buffer (through {@link Backend#matmul}, on views of preallocated arrays),
 * then one loop of fused gate math. It returns a packed tensor {@code [batch, time, P·units]} holding per
 * step the output, the state {@code h} and (LSTM) the cell state {@code c}; the layer slices it. The
 * activations run through the backend's vectorized sigmoid and tanh on each step's whole gate block
 * (LSTM's candidate uses {@code tanh(v) = 2σ(2v) − 1}, so one call covers its four gates). Masked
 * steps (mask 0) carry the previous state, and the previous output (zeros before the first unmasked step),
 * as Keras does. Recurrent dropout multiplies {@code h} by a fixed mask before the recurrent GEMM.
 *
 * <p>Backward walks the steps in reverse with one GEMM per step ({@code dz · Uᵀ}); the recurrent
 * kernel's gradient is a single GEMM at the end, {@code H'ᵀ · dZ}, over the stored (dropped-out)
 * previous states of all steps. Verified against the composed tensor-op path ({@link RecurrentLayer},
 * itself checked by finite differences in float64).
 */
final class FusedRecurrence {
    enum Cell {
        SIMPLE(1, 2), LSTM(4, 3), GRU(3, 2);
        final int gates;
        final int packed;

        Cell(int gates, int packed) {
            this.gates = gates;
            this.packed = packed;
        }
    }

    private FusedRecurrence() {}

    /**
     * @param xp   {@code [B, T, G·U]} input projections (input bias included)
     * @param u    {@code [U, G·U]} recurrent kernel
     * @param br   GRU's recurrent bias {@code [3·U]}, or null
     * @param h0   {@code [B, U]} initial state
     * @param c0   {@code [B, U]} initial cell state (LSTM), or null
     * @param mask {@code B·T} values, nonzero for steps to compute, or null
     * @param rdm  {@code B·U} recurrent dropout multipliers, or null
     * @return {@code [B, T, P·U]}: output | h | c per step
     */
    static Tensor run(Cell cell, Tensor xp, Tensor u, Tensor br, Tensor h0, Tensor c0, float[] mask, float[] rdm) {
        int batch = xp.dim(0), steps = xp.dim(1), units = u.dim(0);
        int gu = cell.gates * units, pu = cell.packed * units;
        Backend be = xp.backend();
        float[] x = raw(xp), w = raw(u), h0a = raw(h0);
        float[] c0a = c0 == null ? null : raw(c0);
        float[] bra = br == null ? null : raw(br);
        Tensor packedT = Tensor.zeros(DType.FLOAT32, Shape.of(batch, steps, pu));
        float[] out = data(packedT);
        // time-major scratch: the block of step t is contiguous, so the backend's vectorized sigmoid/tanh run on it in one call
        float[] act = new float[steps * batch * gu];
        float[] aux = cell == Cell.SIMPLE ? null : new float[steps * batch * units]; // LSTM: tanh(c); GRU: (h' · U + b_rec)_h
        float[] hp = new float[batch * steps * units];
        float[] z = new float[batch * gu];
        float[] tmp = new float[batch * units];
        View hpView = view(hp, batch, units, steps * units, 0);
        View wView = view(w, units, gu, gu, 0);
        View zView = view(z, batch, gu, gu, 0);
        View zFlat = flat(z, 0, batch * gu);
        View tmpFlat = flat(tmp, 0, batch * units);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = (b * steps + t) * units, prev = (b * steps + t - 1) * pu + units;
                for (int j = 0; j < units; j++) {
                    float hv = t == 0 ? h0a[b * units + j] : out[prev + j];
                    hp[row + j] = rdm == null ? hv : hv * rdm[b * units + j];
                }
            }
            be.matmul(at(hpView, t * units), wView, zView);
            int ao = t * batch * gu, so = t * batch * units;
            switch (cell) {
                case SIMPLE -> {
                    for (int b = 0; b < batch; b++) {
                        int xo = (b * steps + t) * gu, zo = b * gu;
                        for (int j = 0; j < gu; j++) z[zo + j] += x[xo + j];
                    }
                    be.unary(UnaryOp.TANH, 0, 0, zFlat, flat(act, ao, batch * gu));
                }
                case LSTM -> {
                    // tanh(v) = 2σ(2v) − 1: one sigmoid call covers all four gates
                    for (int b = 0; b < batch; b++) {
                        int xo = (b * steps + t) * gu, zo = b * gu;
                        for (int j = 0; j < gu; j++) z[zo + j] += x[xo + j];
                        for (int j = 2 * units; j < 3 * units; j++) z[zo + j] *= 2;
                    }
                    be.unary(UnaryOp.SIGMOID, 0, 0, zFlat, flat(act, ao, batch * gu));
                    for (int b = 0; b < batch; b++) {
                        int a = ao + b * gu;
                        for (int j = 0; j < units; j++) {
                            float gg = 2 * act[a + 2 * units + j] - 1;
                            act[a + 2 * units + j] = gg;
                            float cPrev = t == 0 ? c0a[b * units + j] : out[(b * steps + t - 1) * pu + 2 * units + j];
                            tmp[b * units + j] = act[a + units + j] * cPrev + act[a + j] * gg;
                        }
                    }
                    be.unary(UnaryOp.TANH, 0, 0, tmpFlat, flat(aux, so, batch * units));
                }
                case GRU -> {
                    for (int b = 0; b < batch; b++) {
                        int xo = (b * steps + t) * gu, zo = b * gu;
                        for (int j = 0; j < gu; j++) z[zo + j] += bra[j];
                        for (int j = 0; j < units; j++) aux[so + b * units + j] = z[zo + 2 * units + j];
                        for (int j = 0; j < 2 * units; j++) z[zo + j] += x[xo + j];
                    }
                    be.unary(UnaryOp.SIGMOID, 0, 0, zFlat, flat(act, ao, batch * gu)); // the h block is overwritten below
                    for (int b = 0; b < batch; b++) {
                        int xo = (b * steps + t) * gu, a = ao + b * gu;
                        for (int j = 0; j < units; j++) tmp[b * units + j] = x[xo + 2 * units + j] + act[a + units + j] * aux[so + b * units + j];
                    }
                    be.unary(UnaryOp.TANH, 0, 0, tmpFlat, tmpFlat);
                    for (int b = 0; b < batch; b++) System.arraycopy(tmp, b * units, act, ao + b * gu + 2 * units, units);
                }
            }
            for (int b = 0; b < batch; b++) {
                boolean keep = mask == null || mask[b * steps + t] != 0;
                int a = ao + b * gu, po = (b * steps + t) * pu, pp = po - pu;
                for (int j = 0; j < units; j++) {
                    float hPrev = t == 0 ? h0a[b * units + j] : out[pp + units + j];
                    float outPrev = t == 0 ? 0f : out[pp + j];
                    float h = switch (cell) {
                        case SIMPLE -> act[a + j];
                        case LSTM -> act[a + 3 * units + j] * aux[so + b * units + j];
                        case GRU -> {
                            float zg = act[a + j];
                            yield zg * hPrev + (1 - zg) * act[a + 2 * units + j];
                        }
                    };
                    out[po + j] = keep ? h : outPrev;
                    out[po + units + j] = keep ? h : hPrev;
                    if (cell == Cell.LSTM) {
                        float cPrev = t == 0 ? c0a[b * units + j] : out[pp + 2 * units + j];
                        out[po + 2 * units + j] = keep ? tmp[b * units + j] : cPrev;
                    }
                }
            }
        }
        Backward rule = g -> backward(cell, be, raw(g), out, act, aux, hp, w, h0a, c0a, mask, rdm, batch, steps, units, br != null, c0 != null);
        Tensor[] inputs = br != null ? new Tensor[] {xp, u, br, h0} : c0 != null ? new Tensor[] {xp, u, h0, c0} : new Tensor[] {xp, u, h0};
        return Tensor.fusedResult(cell.name().toLowerCase() + "_fused", packedT, rule, inputs);
    }

    private static Tensor[] backward(Cell cell, Backend be, float[] g, float[] out, float[] act, float[] aux, float[] hp, float[] w,
                                     float[] h0, float[] c0, float[] mask, float[] rdm, int batch, int steps, int units,
                                     boolean hasBr, boolean hasC) {
        int gu = cell.gates * units, pu = cell.packed * units;
        Tensor dxpT = Tensor.zeros(DType.FLOAT32, Shape.of(batch, steps, gu));
        float[] dxp = data(dxpT);
        float[] dInner = cell == Cell.GRU ? new float[batch * steps * gu] : dxp;
        float[] dh = new float[batch * units], dc = new float[batch * units], dOut = new float[batch * units];
        float[] dhr = new float[batch * units];
        View wT = new View(new FloatStorage(w), new int[] {1, gu, units}, new int[] {0, 1, gu}, 0);
        View dInnerView = view(dInner, batch, gu, steps * gu, 0);
        View dhrView = view(dhr, batch, units, units, 0);
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                boolean keep = mask == null || mask[b * steps + t] != 0;
                int xo = (b * steps + t) * gu, po = (b * steps + t) * pu, pp = po - pu;
                int a = (t * batch + b) * gu, so = t * batch * units;
                for (int j = 0; j < units; j++) {
                    int bj = b * units + j;
                    float dhS = g[po + units + j] + dh[bj];
                    float dOutT = g[po + j] + dOut[bj];
                    if (!keep) {
                        dh[bj] = dhS;
                        dOut[bj] = dOutT;
                        if (cell == Cell.LSTM) dc[bj] += g[po + 2 * units + j];
                        continue;
                    }
                    float d = dhS + dOutT;
                    dOut[bj] = 0;
                    switch (cell) {
                        case SIMPLE -> {
                            float h = act[a + j];
                            dxp[xo + j] = d * (1 - h * h);
                            dh[bj] = 0;
                        }
                        case LSTM -> {
                            float i = act[a + j], f = act[a + units + j], gg = act[a + 2 * units + j], o = act[a + 3 * units + j];
                            float cPrev = t == 0 ? c0[bj] : out[pp + 2 * units + j];
                            float tc = aux[so + bj];
                            float dcT = g[po + 2 * units + j] + dc[bj] + d * o * (1 - tc * tc);
                            dxp[xo + j] = dcT * gg * i * (1 - i);
                            dxp[xo + units + j] = dcT * cPrev * f * (1 - f);
                            dxp[xo + 2 * units + j] = dcT * i * (1 - gg * gg);
                            dxp[xo + 3 * units + j] = d * tc * o * (1 - o);
                            dc[bj] = dcT * f;
                            dh[bj] = 0;
                        }
                        case GRU -> {
                            float zg = act[a + j], r = act[a + units + j], hh = act[a + 2 * units + j];
                            float ih = aux[so + bj];
                            float hPrev = t == 0 ? h0[bj] : out[pp + units + j];
                            float dzp = d * (hPrev - hh) * zg * (1 - zg);
                            float dhhp = d * (1 - zg) * (1 - hh * hh);
                            float drp = dhhp * ih * r * (1 - r);
                            dxp[xo + j] = dzp;
                            dxp[xo + units + j] = drp;
                            dxp[xo + 2 * units + j] = dhhp;
                            dInner[xo + j] = dzp;
                            dInner[xo + units + j] = drp;
                            dInner[xo + 2 * units + j] = dhhp * r;
                            dh[bj] = d * zg;
                        }
                    }
                }
            }
            be.matmul(at(dInnerView, t * gu), wT, dhrView);
            for (int k = 0; k < dh.length; k++) dh[k] += rdm == null ? dhr[k] : dhr[k] * rdm[k];
        }
        Tensor dU = Tensor.zeros(DType.FLOAT32, Shape.of(units, gu));
        View hpT = new View(new FloatStorage(hp), new int[] {1, units, batch * steps}, new int[] {0, 1, units}, 0);
        be.matmul(hpT, view(dInner, batch * steps, gu, gu, 0), view(data(dU), units, gu, gu, 0));
        Tensor dh0 = Tensor.zeros(DType.FLOAT32, Shape.of(batch, units));
        System.arraycopy(dh, 0, data(dh0), 0, dh.length);
        if (hasBr) {
            Tensor dBr = Tensor.zeros(DType.FLOAT32, Shape.of(gu));
            float[] s = data(dBr);
            for (int r = 0; r < batch * steps; r++) for (int j = 0; j < gu; j++) s[j] += dInner[r * gu + j];
            return new Tensor[] {dxpT, dU, dBr, dh0};
        }
        if (hasC) {
            Tensor dc0 = Tensor.zeros(DType.FLOAT32, Shape.of(batch, units));
            System.arraycopy(dc, 0, data(dc0), 0, dc.length);
            return new Tensor[] {dxpT, dU, dh0, dc0};
        }
        return new Tensor[] {dxpT, dU, dh0};
    }

    /** A row-major {@code [1, rows, cols]} view with row stride {@code ld}. */
    private static View view(float[] a, int rows, int cols, int ld, int offset) {
        return new View(new FloatStorage(a), new int[] {1, rows, cols}, new int[] {rows * ld, ld, 1}, offset);
    }

    /** A contiguous {@code [1, 1, n]} view at {@code offset}. */
    private static View flat(float[] a, int offset, int n) {
        return new View(new FloatStorage(a), new int[] {1, 1, n}, new int[] {n, n, 1}, offset);
    }

    private static View at(View v, int offset) {
        return new View(v.storage(), v.shape(), v.strides(), offset);
    }

    /** The backing array of a fresh contiguous float32 tensor (written in place). */
    private static float[] data(Tensor t) {
        return ((FloatStorage) t.view().storage()).data();
    }

    /** The elements of {@code t} as a row-major float array, without copying when it already is one. */
    static float[] raw(Tensor t) {
        View v = t.view();
        if (t.dtype() == DType.FLOAT32 && t.isContiguous() && v.offset() == 0 && v.storage().length() == t.size()) {
            return ((FloatStorage) v.storage()).data();
        }
        return t.toFloatArray();
    }
}
