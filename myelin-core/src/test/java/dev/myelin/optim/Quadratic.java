package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import java.util.List;

/**
 * The test problem for optimizer trajectories: two weights, {@code w1 [2, 3]} and {@code w2 [3]}, and the
 * loss {@code 0.5 * Σ a (w - b)²}, so {@code g = a (w - b)}. Curvatures {@code a} span 0.2 to 10, so the
 * adaptive optimizers' per-element scaling matters, and gradients depend on the weights, so an error
 * in one step carries into the next.
 *
 * <p>The nine weights are handled flat: w1 row-major, then w2. The same numbers are in
 * {@code torch_ref} in {@link PyTorchReferenceTest}.
 */
final class Quadratic {
    static final double[] W0 = {0.5, -1.2, 2.0, 0.03, -0.4, 1.5, /* w2 */ 0.2, -0.1, 0.05};
    static final double[] A = {1.0, 3.0, 0.5, 10.0, 0.2, 2.0, /* w2 */ 4.0, 1.0, 0.5};
    static final double[] B = {0.1, 0.4, -1.0, 0.0, -0.5, 0.3, /* w2 */ 1.0, 0.0, -0.3};
    static final int SIZE = W0.length;

    private Quadratic() {}

    /** The gradient at {@code w}, in double. */
    static double[] gradient(double[] w) {
        double[] g = new double[SIZE];
        for (int i = 0; i < SIZE; i++) g[i] = A[i] * (w[i] - B[i]);
        return g;
    }

    /**
     * Trains with {@code optimizer} for {@code steps} steps, gradients by autograd in {@code dtype};
     * returns the nine weights after each step.
     */
    static double[][] run(Optimizer optimizer, DType dtype, int steps) {
        Parameter w1 = Parameter.of("w1", tensor(dtype, slice(W0, 0, 6), 2, 3));
        Parameter w2 = Parameter.of("w2", tensor(dtype, slice(W0, 6, 9), 3));
        Tensor a1 = tensor(dtype, slice(A, 0, 6), 2, 3), b1 = tensor(dtype, slice(B, 0, 6), 2, 3);
        Tensor a2 = tensor(dtype, slice(A, 6, 9), 3), b2 = tensor(dtype, slice(B, 6, 9), 3);
        List<Parameter> params = List.of(w1, w2);
        double[][] trajectory = new double[steps][];
        for (int s = 0; s < steps; s++) {
            w1.value().zeroGrad();
            w2.value().zeroGrad();
            Tensor loss = a1.mul(w1.value().sub(b1).square()).sum().add(a2.mul(w2.value().sub(b2).square()).sum()).mul(0.5);
            loss.backward();
            optimizer.apply(params);
            trajectory[s] = concat(w1.value().toDoubleArray(), w2.value().toDoubleArray());
        }
        return trajectory;
    }

    static Tensor tensor(DType dtype, double[] values, int... shape) {
        if (dtype == DType.FLOAT64) return Tensor.of(values, shape);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return Tensor.of(f, shape);
    }

    private static double[] slice(double[] v, int from, int to) {
        return java.util.Arrays.copyOfRange(v, from, to);
    }

    private static double[] concat(double[] x, double[] y) {
        double[] r = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
