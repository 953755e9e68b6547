package dev.myelin.nn.recurrent;

import java.util.function.DoubleUnaryOperator;

/**
 * Keras's recurrent equations written out step by step with plain double loops, for hand-set weights:
 * the reference the layers are compared with. Gate orders: LSTM i, f, c, o; GRU z, r, h (reset_after);
 * GRU_RESET_BEFORE is Keras 2's {@code reset_after=False} GRU (one bias, reset gate before the recurrent product).
 * Masked steps keep the previous states; their output repeats the previous output (zeros at first).
 */
final class KerasReference {
    enum Cell { SIMPLE, LSTM, GRU, GRU_RESET_BEFORE }

    /** out[b][t][j] per step (processing order) and the final states: {h} or {h, c}. */
    record Result(double[][][] outputs, double[][][] states) {}

    private KerasReference() {}

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /**
     * @param w    kernel [features][G·units]
     * @param u    recurrent kernel [units][G·units]
     * @param bias [G·units] (SimpleRNN, LSTM, GRU_RESET_BEFORE) or [2·3·units] flattened (GRU: input bias then recurrent bias)
     * @param h0   [batch][units] or null; c0 likewise (LSTM)
     * @param mask [batch][time] or null
     */
    static Result run(Cell cell, double[][][] x, double[][] w, double[][] u, double[] bias, double[][] h0, double[][] c0,
                      double[][] mask, boolean goBackwards) {
        return run(cell, x, w, u, bias, h0, c0, mask, goBackwards, KerasReference::sigmoid);
    }

    /** As above with {@code gate} as the gates' activation (Keras's {@code recurrent_activation}; sigmoid above). */
    static Result run(Cell cell, double[][][] x, double[][] w, double[][] u, double[] bias, double[][] h0, double[][] c0,
                      double[][] mask, boolean goBackwards, DoubleUnaryOperator gate) {
        int batch = x.length, steps = x[0].length, features = x[0][0].length, units = u.length;
        double[][][] outs = new double[batch][steps][units];
        double[][] hs = new double[batch][units];
        double[][] cs = new double[batch][units];
        for (int b = 0; b < batch; b++) {
            double[] h = h0 == null ? new double[units] : h0[b].clone();
            double[] c = c0 == null ? new double[units] : c0[b].clone();
            double[] prevOut = new double[units];
            for (int s = 0; s < steps; s++) {
                int t = goBackwards ? steps - 1 - s : s;
                double[] xt = x[b][t];
                double[] newH = new double[units];
                double[] newC = new double[units];
                double[] resetBefore = cell == Cell.GRU_RESET_BEFORE ? gruResetBefore(xt, h, w, u, bias, gate) : null;
                for (int j = 0; j < units; j++) {
                    switch (cell) {
                        case SIMPLE -> {
                            double a = bias[j];
                            for (int k = 0; k < features; k++) a += xt[k] * w[k][j];
                            for (int k = 0; k < units; k++) a += h[k] * u[k][j];
                            newH[j] = Math.tanh(a);
                        }
                        case LSTM -> {
                            double[] z = new double[4];
                            for (int g = 0; g < 4; g++) {
                                int col = g * units + j;
                                double a = bias[col];
                                for (int k = 0; k < features; k++) a += xt[k] * w[k][col];
                                for (int k = 0; k < units; k++) a += h[k] * u[k][col];
                                z[g] = a;
                            }
                            double i = gate.applyAsDouble(z[0]), f = gate.applyAsDouble(z[1]), g = Math.tanh(z[2]), o = gate.applyAsDouble(z[3]);
                            newC[j] = f * c[j] + i * g;
                            newH[j] = o * Math.tanh(newC[j]);
                        }
                        case GRU -> {
                            double[] xa = new double[3], ha = new double[3];
                            for (int g = 0; g < 3; g++) {
                                int col = g * units + j;
                                xa[g] = bias[col];
                                ha[g] = bias[3 * units + col];
                                for (int k = 0; k < features; k++) xa[g] += xt[k] * w[k][col];
                                for (int k = 0; k < units; k++) ha[g] += h[k] * u[k][col];
                            }
                            double z = gate.applyAsDouble(xa[0] + ha[0]), r = gate.applyAsDouble(xa[1] + ha[1]);
                            double hh = Math.tanh(xa[2] + r * ha[2]);
                            newH[j] = z * h[j] + (1 - z) * hh;
                        }
                        case GRU_RESET_BEFORE -> newH[j] = resetBefore[j];
                    }
                }
                boolean keep = mask == null || mask[b][t] != 0;
                if (keep) {
                    h = newH;
                    if (cell == Cell.LSTM) c = newC;
                    prevOut = newH.clone();
                }
                outs[b][s] = prevOut.clone();
            }
            hs[b] = h;
            cs[b] = c;
        }
        return new Result(outs, cell == Cell.LSTM ? new double[][][] {hs, cs} : new double[][][] {hs});
    }

    /**
     * One step of Keras 2's {@code reset_after=False} GRU: z = σ(x·W_z + h·U_z + b_z), r likewise,
     * ĥ = tanh(x·W_h + (r ⊙ h)·U_h + b_h), h' = z ⊙ h + (1 − z) ⊙ ĥ.
     */
    private static double[] gruResetBefore(double[] xt, double[] h, double[][] w, double[][] u, double[] bias, DoubleUnaryOperator gate) {
        int units = h.length, features = xt.length;
        double[] z = new double[units], r = new double[units], out = new double[units];
        for (int j = 0; j < units; j++) {
            double az = bias[j], ar = bias[units + j];
            for (int k = 0; k < features; k++) {
                az += xt[k] * w[k][j];
                ar += xt[k] * w[k][units + j];
            }
            for (int k = 0; k < units; k++) {
                az += h[k] * u[k][j];
                ar += h[k] * u[k][units + j];
            }
            z[j] = gate.applyAsDouble(az);
            r[j] = gate.applyAsDouble(ar);
        }
        for (int j = 0; j < units; j++) {
            double a = bias[2 * units + j];
            for (int k = 0; k < features; k++) a += xt[k] * w[k][2 * units + j];
            for (int k = 0; k < units; k++) a += r[k] * h[k] * u[k][2 * units + j];
            double hh = Math.tanh(a);
            out[j] = z[j] * h[j] + (1 - z[j]) * hh;
        }
        return out;
    }
}
