package dev.myelin.backend.cpu;

import dev.myelin.backend.DType;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.RecurrenceKernel;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;

/**
 * The float32 {@link RecurrenceKernel} of the CPU backend: per step one GEMM {@code h' · U} into a scratch
 * buffer (through {@link CpuBackend#matmul}, on views of preallocated arrays), then one loop of fused gate
 * math.
 *
 * <p>Implementation overview. The packed result holds per step the output, the state {@code h} and (LSTM)
 * the cell state {@code c}; the layer slices it. The activations run through the backend's vectorized
 * sigmoid and tanh on each step's whole gate block (LSTM's candidate uses {@code tanh(v) = 2σ(2v) − 1},
 * so one call covers its four gates). Recurrent dropout multiplies {@code h} by a fixed mask before the
 * recurrent GEMM.
 *
 * <p>Backward walks the steps in reverse with one GEMM per step ({@code dz · Uᵀ}); the recurrent
 * kernel's gradient is a single GEMM at the end, {@code H'ᵀ · dZ}, over the stored (dropped-out)
 * previous states of all steps. Verified against the composed tensor-op path of the recurrent layers
 * (itself checked by finite differences in float64).
 */
final class CpuRecurrence implements RecurrenceKernel {
    private final CpuBackend be;

    CpuRecurrence(CpuBackend be) {
        this.be = be;
    }

    /**
     * Batch rows per part are a multiple of this when the steps are split over threads by rows (see {@link Run#inParts}):
     * each part's gate block then starts on a whole number of vectors (16 floats covers AVX-512), so every element
     * is computed by the same vector lane or scalar tail of the activation kernels as without the split.
     */
    static final int PART_ROWS = 16;
    /**
     * Fewest batch rows per part. Batch 32 in two parts of 16 measured slower than whole (seed LSTM, training at
     * batch 32: 1,715 against 2,187 samples/s; at batch 128 two parts were 22% faster, see {@link Run#inParts}).
     */
    static final int MIN_PART_ROWS = 32;

    @Override
    public Steps forward(Cell cell, View xp, View u, View br, View h0, View c0, View mask, View rdm, View packed) {
        Run r = new Run(be, cell, xp, u, br, h0, c0, mask, rdm, packed);
        r.inParts((b0, b1) -> {
            for (int t = 0; t < r.steps; t++) r.forwardStep(t, b0, b1);
        });
        return r;
    }

    /** Work on batch rows [b0, b1). */
    private interface RowRange {
        void run(int b0, int b1);
    }

/** One call's arrays; each step is a short method of its own (small methods reach the JIT's top tier quickly). */
    private static final class Run implements Steps {
        final Cell cell;
        final CpuBackend be;
        final int batch, steps, units, gu, pu;
        final float[] x, w, h0, c0, br, mask, rdm;
        final float[] out;
        final float[] act; // time-major [T, B, G·U]: post-activation gates (GRU's h block: ĥ)
        final float[] aux; // time-major [T, B, U]: LSTM tanh(c), GRU (h'·U + b_rec)_h
        final float[] hp;  // [B, T, U]: the previous state after recurrent dropout (the recurrent GEMM's input)
        final float[] z, tmp;
        final View wView;
        /** Parts the batch rows are split into, each running every step on its own thread. */
        final int parts;

        Run(CpuBackend be, Cell cell, View xp, View u, View bias, View h0v, View c0v, View maskView, View rdmView, View packed) {
            this.cell = cell;
            this.be = be;
            this.batch = xp.shape()[0];
            this.steps = xp.shape()[1];
            this.units = u.shape()[0];
            this.gu = cell.gates() * units;
            this.pu = cell.packed() * units;
            this.x = raw(be, xp);
            this.w = raw(be, u);
            this.h0 = raw(be, h0v);
            this.c0 = c0v == null ? null : raw(be, c0v);
            this.br = bias == null ? null : raw(be, bias);
            this.mask = maskView == null ? null : raw(be, maskView);
            this.rdm = rdmView == null ? null : raw(be, rdmView);
            this.out = data(packed);
            this.act = new float[steps * batch * gu];
            this.aux = cell == Cell.SIMPLE ? null : new float[steps * batch * units];
            this.hp = new float[batch * steps * units];
            this.z = new float[batch * gu];
            this.tmp = new float[batch * units];
            this.wView = view(w, units, gu, gu, 0);
            this.parts = Math.max(1, Math.min(Parallel.threads(), batch / MIN_PART_ROWS));
        }

        /**
         * Runs {@code body} over the batch rows: whole on the calling thread (its kernels then use the pool), or in
         * {@link #parts} ranges of rows, one task each, whose kernels run on the task's thread. A row's steps never read
         * another row, so each part walks all steps alone: one hand-off per call instead of two or three per step (at
         * batch 32 one thread was faster than two with per-step hand-offs). Every element is computed by the same
         * operations whatever the split (SGEMM's sums do not depend on its rows), so results do not depend on it.
         */
        void inParts(RowRange body) {
            if (parts == 1) {
                body.run(0, batch);
                return;
            }
            Parallel.forRange(parts, p -> body.run(partStart(p), partStart(p + 1)));
        }

        /** First row of part p: an even share, rounded down to a multiple of {@link #PART_ROWS}; the batch for p = parts. */
        private int partStart(int p) {
            return p == parts ? batch : (int) ((long) p * batch / parts) / PART_ROWS * PART_ROWS;
        }

        void forwardStep(int t, int b0, int b1) {
            gatherPrevious(t, b0, b1);
            int rows = b1 - b0;
            be.matmul(view(hp, rows, units, steps * units, b0 * steps * units + t * units), wView, view(z, rows, gu, gu, b0 * gu));
            switch (cell) {
                case SIMPLE -> simpleGates(t, b0, b1);
                case LSTM -> lstmGates(t, b0, b1);
                case GRU -> gruGates(t, b0, b1);
            }
            writeStep(t, b0, b1);
        }

        /** hp[:, t] = h_{t-1} (times the recurrent dropout mask). */
        private void gatherPrevious(int t, int b0, int b1) {
            for (int b = b0; b < b1; b++) {
                int row = (b * steps + t) * units, prev = (b * steps + t - 1) * pu + units;
                float[] src = t == 0 ? h0 : out;
                int so = t == 0 ? b * units : prev;
                if (rdm == null) {
                    System.arraycopy(src, so, hp, row, units);
                } else {
                    for (int j = 0; j < units; j++) hp[row + j] = src[so + j] * rdm[b * units + j];
                }
            }
        }

        private void addInput(int t, int b0, int b1, int from, int to) {
            for (int b = b0; b < b1; b++) {
                int xo = (b * steps + t) * gu, zo = b * gu;
                for (int j = from; j < to; j++) z[zo + j] += x[xo + j];
            }
        }

        private void simpleGates(int t, int b0, int b1) {
            addInput(t, b0, b1, 0, gu);
            be.unary(UnaryOp.TANH, 0, 0, flat(z, b0 * gu, (b1 - b0) * gu), flat(act, (t * batch + b0) * gu, (b1 - b0) * gu));
        }

        private void lstmGates(int t, int b0, int b1) {
            int ao = t * batch * gu, rows = b1 - b0;
            addInput(t, b0, b1, 0, gu);
            // tanh(v) = 2σ(2v) − 1: one sigmoid call covers all four gates
            for (int b = b0; b < b1; b++) {
                int zo = b * gu + 2 * units;
                for (int j = 0; j < units; j++) z[zo + j] *= 2;
            }
            be.unary(UnaryOp.SIGMOID, 0, 0, flat(z, b0 * gu, rows * gu), flat(act, ao + b0 * gu, rows * gu));
            for (int b = b0; b < b1; b++) {
                int a = ao + b * gu;
                float[] cs = t == 0 ? c0 : out;
                int co = t == 0 ? b * units : (b * steps + t - 1) * pu + 2 * units;
                for (int j = 0; j < units; j++) {
                    float gg = 2 * act[a + 2 * units + j] - 1;
                    act[a + 2 * units + j] = gg;
                    tmp[b * units + j] = act[a + units + j] * cs[co + j] + act[a + j] * gg; // c_t
                }
            }
            be.unary(UnaryOp.TANH, 0, 0, flat(tmp, b0 * units, rows * units), flat(aux, (t * batch + b0) * units, rows * units));
        }

        private void gruGates(int t, int b0, int b1) {
            int ao = t * batch * gu, so = t * batch * units, rows = b1 - b0;
            for (int b = b0; b < b1; b++) {
                int xo = (b * steps + t) * gu, zo = b * gu;
                for (int j = 0; j < gu; j++) z[zo + j] += br[j];
                System.arraycopy(z, zo + 2 * units, aux, so + b * units, units);
                for (int j = 0; j < 2 * units; j++) z[zo + j] += x[xo + j];
            }
            // the h block is overwritten below
            be.unary(UnaryOp.SIGMOID, 0, 0, flat(z, b0 * gu, rows * gu), flat(act, ao + b0 * gu, rows * gu));
            for (int b = b0; b < b1; b++) {
                int xo = (b * steps + t) * gu + 2 * units, a = ao + b * gu + units, s = so + b * units;
                for (int j = 0; j < units; j++) tmp[b * units + j] = x[xo + j] + act[a + j] * aux[s + j];
            }
            View tmpRows = flat(tmp, b0 * units, rows * units);
            be.unary(UnaryOp.TANH, 0, 0, tmpRows, tmpRows);
            for (int b = b0; b < b1; b++) System.arraycopy(tmp, b * units, act, ao + b * gu + 2 * units, units);
        }

        /** Output, h (and c) of step t, or the carried ones where the step is masked. */
        private void writeStep(int t, int b0, int b1) {
            int ao = t * batch * gu, so = t * batch * units;
            for (int b = b0; b < b1; b++) {
                boolean keep = mask == null || mask[b * steps + t] != 0;
                int a = ao + b * gu, po = (b * steps + t) * pu, pp = po - pu;
                for (int j = 0; j < units; j++) {
                    float hPrev = t == 0 ? h0[b * units + j] : out[pp + units + j];
                    float h = switch (cell) {
                        case SIMPLE -> act[a + j];
                        case LSTM -> act[a + 3 * units + j] * aux[so + b * units + j];
                        case GRU -> {
                            float zg = act[a + j];
                            yield zg * hPrev + (1 - zg) * act[a + 2 * units + j];
                        }
                    };
                    if (keep) {
                        out[po + j] = h;
                        out[po + units + j] = h;
                        if (cell == Cell.LSTM) out[po + 2 * units + j] = tmp[b * units + j];
                    } else {
                        out[po + j] = t == 0 ? 0f : out[pp + j];
                        out[po + units + j] = hPrev;
                        if (cell == Cell.LSTM) out[po + 2 * units + j] = t == 0 ? c0[b * units + j] : out[pp + 2 * units + j];
                    }
                }
            }
        }

        // ---- backward through time ----

        private float[] g, dxp, dInner, dh, dc, dOut, dhr;
        private View uT;

        @Override
        public void backward(View gradPacked, View dxpView, View dU, View dBr, View dh0, View dc0) {
            g = raw(be, gradPacked);
            dxp = data(dxpView);
            dInner = cell == Cell.GRU ? new float[batch * steps * gu] : dxp;
            dh = new float[batch * units];
            dc = new float[batch * units];
            dOut = new float[batch * units];
            dhr = new float[batch * units];
            // Uᵀ copied once: the per-step product then takes SGEMM's plain path for any number of rows (with a transposed
            // view, few rows would take its swapped path, whose sums over more than one K step differ in rounding).
            float[] ut = new float[gu * units];
            Conv2dKernels.transpose(w, 0, units, gu, ut, 0);
            uT = view(ut, gu, units, units, 0);
            inParts((b0, b1) -> {
                for (int t = steps - 1; t >= 0; t--) backwardStep(t, b0, b1);
            });
            View hpT = new View(new FloatStorage(hp), new int[] {1, units, batch * steps}, new int[] {0, 1, units}, 0);
            be.matmul(hpT, view(dInner, batch * steps, gu, gu, 0), view(data(dU), units, gu, gu, 0));
            System.arraycopy(dh, 0, data(dh0), 0, dh.length);
            if (br != null) {
                float[] s = data(dBr);
                for (int r = 0; r < batch * steps; r++) for (int j = 0; j < gu; j++) s[j] += dInner[r * gu + j];
            }
            if (c0 != null) System.arraycopy(dc, 0, data(dc0), 0, dc.length);
        }

        private void backwardStep(int t, int b0, int b1) {
            for (int b = b0; b < b1; b++) {
                if (mask != null && mask[b * steps + t] == 0) {
                    carryMasked(t, b);
                    continue;
                }
                switch (cell) {
                    case SIMPLE -> simpleBackward(t, b);
                    case LSTM -> lstmBackward(t, b);
                    case GRU -> gruBackward(t, b);
                }
            }
            int rows = b1 - b0;
            be.matmul(view(dInner, rows, gu, steps * gu, b0 * steps * gu + t * gu), uT, view(dhr, rows, units, units, b0 * units));
            int k0 = b0 * units, k1 = b1 * units;
            if (rdm == null) {
                for (int k = k0; k < k1; k++) dh[k] += dhr[k];
            } else {
                for (int k = k0; k < k1; k++) dh[k] += dhr[k] * rdm[k];
            }
        }

        /** A masked step passes the state gradients to the previous step and the output gradient to the previous output. */
        private void carryMasked(int t, int b) {
            int po = (b * steps + t) * pu, bu = b * units;
            for (int j = 0; j < units; j++) {
                dh[bu + j] += g[po + units + j];
                dOut[bu + j] += g[po + j];
                if (cell == Cell.LSTM) dc[bu + j] += g[po + 2 * units + j];
            }
        }

        private void simpleBackward(int t, int b) {
            int xo = (b * steps + t) * gu, po = (b * steps + t) * pu, a = (t * batch + b) * gu, bu = b * units;
            for (int j = 0; j < units; j++) {
                float d = g[po + units + j] + dh[bu + j] + g[po + j] + dOut[bu + j];
                float h = act[a + j];
                dxp[xo + j] = d * (1 - h * h);
                dOut[bu + j] = 0;
                dh[bu + j] = 0;
            }
        }

        private void lstmBackward(int t, int b) {
            int xo = (b * steps + t) * gu, po = (b * steps + t) * pu, a = (t * batch + b) * gu, bu = b * units;
            int so = t * batch * units + bu;
            float[] cs = t == 0 ? c0 : out;
            int co = t == 0 ? bu : po - pu + 2 * units;
            for (int j = 0; j < units; j++) {
                float d = g[po + units + j] + dh[bu + j] + g[po + j] + dOut[bu + j];
                float i = act[a + j], f = act[a + units + j], gg = act[a + 2 * units + j], o = act[a + 3 * units + j];
                float tc = aux[so + j];
                float dcT = g[po + 2 * units + j] + dc[bu + j] + d * o * (1 - tc * tc);
                dxp[xo + j] = dcT * gg * i * (1 - i);
                dxp[xo + units + j] = dcT * cs[co + j] * f * (1 - f);
                dxp[xo + 2 * units + j] = dcT * i * (1 - gg * gg);
                dxp[xo + 3 * units + j] = d * tc * o * (1 - o);
                dc[bu + j] = dcT * f;
                dOut[bu + j] = 0;
                dh[bu + j] = 0;
            }
        }

        private void gruBackward(int t, int b) {
            int xo = (b * steps + t) * gu, po = (b * steps + t) * pu, a = (t * batch + b) * gu, bu = b * units;
            int so = t * batch * units + bu;
            float[] hs = t == 0 ? h0 : out;
            int ho = t == 0 ? bu : po - pu + units;
            for (int j = 0; j < units; j++) {
                float d = g[po + units + j] + dh[bu + j] + g[po + j] + dOut[bu + j];
                float zg = act[a + j], r = act[a + units + j], hh = act[a + 2 * units + j];
                float dzp = d * (hs[ho + j] - hh) * zg * (1 - zg);
                float dhhp = d * (1 - zg) * (1 - hh * hh);
                float drp = dhhp * aux[so + j] * r * (1 - r);
                dxp[xo + j] = dzp;
                dxp[xo + units + j] = drp;
                dxp[xo + 2 * units + j] = dhhp;
                dInner[xo + j] = dzp;
                dInner[xo + units + j] = drp;
                dInner[xo + 2 * units + j] = dhhp * r;
                dOut[bu + j] = 0;
                dh[bu + j] = d * zg;
            }
        }
    }

    /** A row-major {@code [1, rows, cols]} view with row stride {@code ld}. */
    private static View view(float[] a, int rows, int cols, int ld, int offset) {
        return new View(new FloatStorage(a), new int[] {1, rows, cols}, new int[] {rows * ld, ld, 1}, offset);
    }

    /** A contiguous {@code [1, 1, n]} view at {@code offset}. */
    private static View flat(float[] a, int offset, int n) {
        return new View(new FloatStorage(a), new int[] {1, 1, n}, new int[] {n, n, 1}, offset);
    }

    /** The backing array of a fresh contiguous float32 view (written in place). */
    private static float[] data(View v) {
        if (!(v.storage() instanceof FloatStorage fs) || v.offset() != 0 || !v.isContiguous() || fs.length() != v.size()) {
            throw new IllegalArgumentException("recurrence: outputs must be fresh contiguous float32 storages of the CPU backend");
        }
        return fs.data();
    }

    /** The elements of {@code v} as a row-major float array, without copying when it already is one. */
    private static float[] raw(CpuBackend be, View v) {
        if (v.dtype() == DType.FLOAT32 && v.storage() instanceof FloatStorage fs && v.isContiguous() && v.offset() == 0
                && fs.length() == v.size()) {
            return fs.data();
        }
        float[] copy = new float[v.size()];
        be.download(v, copy);
        return copy;
    }
}
