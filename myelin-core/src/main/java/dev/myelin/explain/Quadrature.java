package dev.myelin.explain;

/**
 * Rules for the path integral of {@link IntegratedGradients}: nodes {@code α_j} in {@code [0, 1]} and
 * weights {@code w_j} with {@code ∫_0^1 g(α) dα ≈ Σ_j w_j g(α_j)}.
 */
public enum Quadrature {
    /**
     * The trapezoid rule on {@code n} evenly spaced points {@code α_j = j / (n − 1)} with weights
     * {@code 1 / (n − 1)}, halved at both ends (Captum's {@code riemann_trapezoid}); exact for linear {@code g}.
     */
    RIEMANN_TRAPEZOID,
    /**
     * Gauss–Legendre on {@code n} points (Captum's default, {@code gausslegendre}): the roots of the Legendre
     * polynomial {@code P_n} mapped from {@code [−1, 1]} to {@code [0, 1]}, exact for polynomials of degree
     * {@code 2n − 1}.
     */
    GAUSS_LEGENDRE;

    /** The nodes ({@code [0]}) and weights ({@code [1]}) of the {@code n}-point rule; the weights sum to 1. */
    public double[][] nodesAndWeights(int n) {
        if (n < (this == RIEMANN_TRAPEZOID ? 2 : 1)) throw new IllegalArgumentException(this + " needs at least " + (this == RIEMANN_TRAPEZOID ? 2 : 1) + " steps, got " + n);
        return this == RIEMANN_TRAPEZOID ? trapezoid(n) : gaussLegendre(n);
    }

    private static double[][] trapezoid(int n) {
        double[] a = new double[n], w = new double[n];
        for (int j = 0; j < n; j++) {
            a[j] = (double) j / (n - 1);
            w[j] = (j == 0 || j == n - 1 ? 0.5 : 1.0) / (n - 1);
        }
        return new double[][] {a, w};
    }

    /** Newton's method on {@code P_n} from the Chebyshev-like guess {@code cos(π (i + 3/4) / (n + 1/2))}. */
    private static double[][] gaussLegendre(int n) {
        double[] a = new double[n], w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double t = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1, p1 = t; // P_0, P_1; the recurrence (k+1) P_{k+1} = (2k+1) t P_k − k P_{k−1}
                for (int k = 1; k < n; k++) {
                    double p2 = ((2 * k + 1) * t * p1 - k * p0) / (k + 1);
                    p0 = p1;
                    p1 = p2;
                }
                dp = n * (t * p1 - p0) / (t * t - 1); // P_n'(t)
                double step = p1 / dp;
                t -= step;
                if (Math.abs(step) < 1e-15) break;
            }
            double weight = 2 / ((1 - t * t) * dp * dp);
            // map [−1, 1] to [0, 1]: α = (1 − t) / 2 puts the nodes in increasing order; the weights halve
            a[i] = (1 - t) / 2;
            a[n - 1 - i] = (1 + t) / 2;
            w[i] = w[n - 1 - i] = weight / 2;
        }
        return new double[][] {a, w};
    }
}
