package dev.myelin.optim;

/**
 * Cosine decay with an optional linear warm-up, as Keras 3's {@code CosineDecay}.
 *
 * <p>Without warm-up ({@code warmupTarget == null}):
 * <pre>
 * s = min(step, decaySteps)
 * rate(step) = initialLearningRate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decaySteps)) + alpha)
 * </pre>
 * With warm-up, the rate first rises linearly from {@code initialLearningRate} to {@code warmupTarget}
 * over {@code warmupSteps} steps, then decays by the cosine above from {@code warmupTarget}:
 * <pre>
 * s = min(step, warmupSteps + decaySteps)
 * s &lt; warmupSteps:  rate = initialLearningRate + (warmupTarget - initialLearningRate) * s / warmupSteps
 * otherwise:        rate = warmupTarget * ((1 - alpha) * 0.5 * (1 + cos(pi * (s - warmupSteps) / decaySteps)) + alpha)
 * </pre>
 * After the decay the rate stays at {@code alpha} times its starting value.
 *
 * <p>Example: warm up from 0 to 1e-3 over 500 steps, then decay over 10 000:
 * {@code new CosineDecay(0.0, 10_000, 0.0, 1e-3, 500)}.
 *
 * @param initialLearningRate {@code >= 0}
 * @param decaySteps steps of the cosine decay, {@code > 0}
 * @param alpha the final rate as a fraction of the decay's starting rate, in {@code [0, 1]}
 * @param warmupTarget the rate reached after warm-up ({@code >= 0}), or null for no warm-up
 * @param warmupSteps steps of the warm-up, {@code >= 0} (ignored without a warm-up target)
 */
public record CosineDecay(double initialLearningRate, long decaySteps, double alpha, Double warmupTarget, long warmupSteps)
        implements LearningRateSchedule {

    public CosineDecay {
        Checks.nonNegative("CosineDecay", "initialLearningRate", initialLearningRate);
        Checks.positive("CosineDecay", "decaySteps", decaySteps);
        Checks.unit("CosineDecay", "alpha", alpha);
        if (warmupTarget != null) Checks.nonNegative("CosineDecay", "warmupTarget", warmupTarget);
        Checks.nonNegative("CosineDecay", "warmupSteps", warmupSteps);
    }

    /** Cosine decay to 0 without warm-up. */
    public CosineDecay(double initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0.0, null, 0);
    }

    /** Cosine decay to {@code alpha * initialLearningRate} without warm-up. */
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
        this(initialLearningRate, decaySteps, alpha, null, 0);
    }

    @Override
    public double rate(long step) {
        if (warmupTarget == null) return decayed(initialLearningRate, Math.min(step, decaySteps));
        long s = Math.min(step, warmupSteps + decaySteps);
        if (s < warmupSteps) {
            return initialLearningRate + (warmupTarget - initialLearningRate) * ((double) s / warmupSteps);
        }
        return decayed(warmupTarget, s - warmupSteps);
    }

    private double decayed(double from, long s) {
        double cosine = 0.5 * (1 + Math.cos(Math.PI * ((double) s / decaySteps)));
        return from * ((1 - alpha) * cosine + alpha);
    }
}
