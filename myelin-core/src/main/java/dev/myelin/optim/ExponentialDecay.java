package dev.myelin.optim;

/**
 * Exponential decay of the learning rate, as Keras's {@code ExponentialDecay}:
 * <pre>
 * rate(step) = initialLearningRate * decayRate ^ (step / decaySteps)
 * </pre>
 * where {@code step / decaySteps} is a real division, or an integer one (rounded down) when
 * {@code staircase} is true, so the rate then drops by {@code decayRate} every {@code decaySteps} steps.
 *
 * <p>Example: {@code new ExponentialDecay(0.1, 1000, 0.96, true)}.
 *
 * @param initialLearningRate the rate at step 0, {@code >= 0}
 * @param decaySteps {@code > 0}
 * @param decayRate {@code > 0}
 * @param staircase whether to decay in discrete steps
 */
public record ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
        implements LearningRateSchedule {

    public ExponentialDecay {
        Checks.nonNegative("ExponentialDecay", "initialLearningRate", initialLearningRate);
        Checks.positive("ExponentialDecay", "decaySteps", decaySteps);
        Checks.positive("ExponentialDecay", "decayRate", decayRate);
    }

    /** A continuous (not staircase) decay. */
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double rate(long step) {
        double p = staircase ? Math.floorDiv(step, decaySteps) : (double) step / decaySteps;
        return initialLearningRate * Math.pow(decayRate, p);
    }
}
