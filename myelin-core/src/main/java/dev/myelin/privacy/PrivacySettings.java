package dev.myelin.privacy;

/**
 * How DP-SGD trains: the clipping norm {@code C}, {@code δ}, and either a target {@code ε} (the noise
 * multiplier is then the smallest that keeps the whole run within it) or a fixed noise multiplier
 * {@code σ}. Immutable; start from {@link #targetEpsilon} or {@link #noiseMultiplier} and chain withers.
 *
 * @param targetEpsilon   the budget for the whole run, or NaN when {@code noiseMultiplier} is given
 * @param noiseMultiplier {@code σ}: the noise's standard deviation over {@code C}, or NaN when chosen for {@code targetEpsilon}
 * @param clipNorm        {@code C}: each example's gradient is scaled down to at most this L2 norm (default 1; infinity: no clipping)
 * @param delta           {@code δ} of the {@code (ε, δ)} guarantee (default 1e-5; well below 1/N for N examples)
 * @param seed            seed of the noise (and of Poisson sampling in {@link PrivateModel#fit}); null draws one at random.
 *                        A seed makes a run repeatable; a deployment that must resist an attacker who can
 *                        guess the seed leaves it null
 */
public record PrivacySettings(double targetEpsilon, double noiseMultiplier, double clipNorm, double delta, Long seed) {
    public PrivacySettings {
        if (Double.isNaN(targetEpsilon) == Double.isNaN(noiseMultiplier)) {
            throw new IllegalArgumentException("privacy settings need exactly one of targetEpsilon and noiseMultiplier, got "
                    + targetEpsilon + " and " + noiseMultiplier);
        }
        if (!Double.isNaN(targetEpsilon) && !(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("target epsilon must be positive and finite, got " + targetEpsilon);
        }
        if (!Double.isNaN(noiseMultiplier) && !(noiseMultiplier >= 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise multiplier must be >= 0 and finite, got " + noiseMultiplier);
        }
        if (!(clipNorm > 0)) throw new IllegalArgumentException("clip norm must be positive (infinity: no clipping), got " + clipNorm);
        if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }

    /** Noise chosen so that the whole run spends at most {@code epsilon} at {@code δ = 1e-5}; {@code C = 1}. */
    public static PrivacySettings targetEpsilon(double epsilon) {
        return new PrivacySettings(epsilon, Double.NaN, 1.0, 1e-5, null);
    }

    /** A fixed noise multiplier {@code σ} (ε is then whatever the run spends); {@code C = 1}, {@code δ = 1e-5}. */
    public static PrivacySettings noiseMultiplier(double sigma) {
        return new PrivacySettings(Double.NaN, sigma, 1.0, 1e-5, null);
    }

    public PrivacySettings clipNorm(double value) {
        return new PrivacySettings(targetEpsilon, noiseMultiplier, value, delta, seed);
    }

    public PrivacySettings delta(double value) {
        return new PrivacySettings(targetEpsilon, noiseMultiplier, clipNorm, value, seed);
    }

    public PrivacySettings seed(long value) {
        return new PrivacySettings(targetEpsilon, noiseMultiplier, clipNorm, delta, value);
    }

    /** Whether the noise multiplier is chosen for a target ε. */
    public boolean hasTargetEpsilon() {
        return !Double.isNaN(targetEpsilon);
    }
}
