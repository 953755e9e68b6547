package dev.myelin.optim;

/**
 * Keras 3's optimizer equations written out in double precision, one element at a time, on the
 * {@link Quadratic} problem: each method returns the nine weights after each of {@code steps} steps.
 * Per step, as Keras's {@code BaseOptimizer.apply}: the gradient at the current weights, then the weight
 * decay {@code w -= w * wd * lr}, then the update step with that gradient.
 */
final class KerasReference {
    private KerasReference() {}

    /** keras/src/optimizers/sgd.py */
    static double[][] sgd(double lr, double momentum, boolean nesterov, double wd, int steps) {
        double[] w = Quadratic.W0.clone(), m = new double[Quadratic.SIZE];
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            double[] g = Quadratic.gradient(w);
            for (int i = 0; i < w.length; i++) {
                w[i] -= w[i] * wd * lr;
                if (momentum == 0) {
                    w[i] -= g[i] * lr;
                } else {
                    m[i] = m[i] * momentum - g[i] * lr;
                    w[i] += nesterov ? m[i] * momentum - g[i] * lr : m[i];
                }
            }
            out[s] = w.clone();
        }
        return out;
    }

    /** keras/src/optimizers/adam.py (AdamW: wd > 0). */
    static double[][] adam(double lr, double beta1, double beta2, double eps, boolean amsgrad, double wd, int steps) {
        int n = Quadratic.SIZE;
        double[] w = Quadratic.W0.clone(), m = new double[n], v = new double[n], vHat = new double[n];
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            double[] g = Quadratic.gradient(w);
            double t = s + 1;
            double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
            for (int i = 0; i < n; i++) {
                w[i] -= w[i] * wd * lr;
                m[i] += (g[i] - m[i]) * (1 - beta1);
                v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
                double vv = v[i];
                if (amsgrad) {
                    vHat[i] = Math.max(vHat[i], v[i]);
                    vv = vHat[i];
                }
                w[i] -= m[i] * alpha / (Math.sqrt(vv) + eps);
            }
            out[s] = w.clone();
        }
        return out;
    }

    /** keras/src/optimizers/rmsprop.py */
    static double[][] rmsprop(double lr, double rho, double momentum, double eps, boolean centered, double wd, int steps) {
        int n = Quadratic.SIZE;
        double[] w = Quadratic.W0.clone(), vel = new double[n], avg = new double[n], mom = new double[n];
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            double[] g = Quadratic.gradient(w);
            for (int i = 0; i < n; i++) {
                w[i] -= w[i] * wd * lr;
                vel[i] = rho * vel[i] + (1 - rho) * g[i] * g[i];
                double denominator;
                if (centered) {
                    avg[i] = rho * avg[i] + (1 - rho) * g[i];
                    denominator = vel[i] - avg[i] * avg[i] + eps;
                } else {
                    denominator = vel[i] + eps;
                }
                double increment = lr * g[i] / Math.sqrt(denominator);
                if (momentum > 0) {
                    mom[i] = momentum * mom[i] + increment;
                    w[i] -= mom[i];
                } else {
                    w[i] -= increment;
                }
            }
            out[s] = w.clone();
        }
        return out;
    }

    /** keras/src/optimizers/adagrad.py */
    static double[][] adagrad(double lr, double initialAccumulator, double eps, double wd, int steps) {
        int n = Quadratic.SIZE;
        double[] w = Quadratic.W0.clone(), acc = new double[n];
        java.util.Arrays.fill(acc, initialAccumulator);
        double[][] out = new double[steps][];
        for (int s = 0; s < steps; s++) {
            double[] g = Quadratic.gradient(w);
            for (int i = 0; i < n; i++) {
                w[i] -= w[i] * wd * lr;
                acc[i] += g[i] * g[i];
                w[i] -= lr * g[i] / Math.sqrt(acc[i] + eps);
            }
            out[s] = w.clone();
        }
        return out;
    }
}
