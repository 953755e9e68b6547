package dev.myelin.testing;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Finite-difference gradient checks in float64. The output is weighted by a fixed random tensor before
 * summing (a plain sum would hide transposition mistakes), then the analytic gradient of each input is
 * compared with central differences.
 */
public final class GradCheck {
    private GradCheck() {}

    /**
     * Checks the gradients of {@code f} at {@code inputs} (float64 tensors; each becomes a leaf that
     * requires grad). Elements of large inputs are probed along random directions instead of one by one.
     */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, 1e-6, 1e-5, 1e-7, inputs);
    }

    public static void check(Function<Tensor[], Tensor> f, double eps, double rtol, double atol, Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.FLOAT64) throw new IllegalArgumentException("gradient checks run in float64");
            leaves[i] = Tensor.of(inputs[i].toDoubleArray(), inputs[i].shape().toArray()).requiresGrad(true);
        }
        Tensor out = f.apply(leaves);
        SplittableRandom rng = new SplittableRandom(1234);
        double[] w = new double[out.size()];
        for (int i = 0; i < w.length; i++) w[i] = rng.nextDouble(-1, 1);
        Tensor weights = Tensor.of(w, out.shape().toArray());
        out.mul(weights).sum().backward();

        for (int i = 0; i < inputs.length; i++) {
            double[] x = inputs[i].toDoubleArray();
            double[] analytic = leaves[i].grad() == null ? new double[x.length] : leaves[i].grad().toDoubleArray();
            int n = x.length;
            if (n <= 200) {
                double[] numeric = new double[n];
                for (int j = 0; j < n; j++) {
                    double[] dir = new double[n];
                    dir[j] = 1;
                    numeric[j] = directional(f, leaves, i, x, dir, weights, eps);
                }
                TensorAssert.assertAllClose(analytic, numeric, rtol, atol);
            } else {
                for (int probe = 0; probe < 12; probe++) {
                    double[] dir = new double[n];
                    double dot = 0;
                    for (int j = 0; j < n; j++) {
                        dir[j] = rng.nextDouble(-1, 1);
                        dot += dir[j] * analytic[j];
                    }
                    double numeric = directional(f, leaves, i, x, dir, weights, eps);
                    TensorAssert.assertAllClose(new double[] {dot}, new double[] {numeric}, rtol, atol * Math.sqrt(n));
                }
            }
        }
    }

    private static double directional(Function<Tensor[], Tensor> f, Tensor[] leaves, int which, double[] x, double[] dir,
                                      Tensor weights, double eps) {
        try (var scope = NoGrad.scope()) {
            double plus = evaluate(f, leaves, which, shifted(x, dir, eps), weights);
            double minus = evaluate(f, leaves, which, shifted(x, dir, -eps), weights);
            return (plus - minus) / (2 * eps);
        }
    }

    private static double[] shifted(double[] x, double[] dir, double h) {
        double[] y = x.clone();
        for (int j = 0; j < y.length; j++) y[j] += h * dir[j];
        return y;
    }

    private static double evaluate(Function<Tensor[], Tensor> f, Tensor[] leaves, int which, double[] values, Tensor weights) {
        Tensor[] args = leaves.clone();
        args[which] = Tensor.of(values, leaves[which].shape().toArray());
        return f.apply(args).mul(weights).sum().item();
    }
}
