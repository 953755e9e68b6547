package dev.myelin.data;

import java.util.random.RandomGenerator;

/**
 * Draws from the Beta(a, b) distribution as {@code X / (X + Y)} with {@code X ~ Gamma(a)}, {@code Y ~ Gamma(b)};
 * Gamma by Marsaglia and Tsang (2000), with {@code Gamma(k) = Gamma(k + 1)·U^(1/k)} for {@code k < 1}. Used by
 * {@link MixUp} and {@link CutMix} for their mixing weights.
 */
final class BetaSampler {
    private BetaSampler() {}

    /** One draw of Beta(a, b), a and b > 0. */
    static double beta(RandomGenerator rng, double a, double b) {
        double x = gamma(rng, a), y = gamma(rng, b);
        double s = x + y;
        return s > 0 ? x / s : (rng.nextBoolean() ? 1 : 0); // both underflowed (tiny a, b): λ at an end, as the limit
    }

    /** One draw of Gamma(k, 1), k > 0. */
    static double gamma(RandomGenerator rng, double k) {
        if (k < 1) {
            double u = rng.nextDouble();
            return gamma(rng, k + 1) * Math.pow(u, 1 / k);
        }
        double d = k - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z, v;
            do {
                z = rng.nextGaussian();
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
        }
    }
}
