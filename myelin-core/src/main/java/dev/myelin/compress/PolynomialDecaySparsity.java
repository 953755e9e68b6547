package dev.myelin.compress;

/**
 * TF Model Optimization's {@code PolynomialDecay} pruning schedule: the sparsity (fraction of weights set
 * to zero) rises from {@code initialSparsity} at {@code beginStep} to {@code finalSparsity} at
 * {@code endStep}, fast at first and slowly at the end,
 * <pre>
 *   sparsity(step) = final + (initial − final)·(1 − (step − begin) / (end − begin))^power     begin ≤ step ≤ end
 * </pre>
 * and the masks are recomputed only at steps where {@code step − begin} is a multiple of {@code frequency}
 * (and between begin and end); after {@code endStep} the last masks stay. Steps count optimizer updates
 * from 0.
 *
 * @param power TF-MOT's default is 3
 * @param frequency TF-MOT's default is 100
 */
public record PolynomialDecaySparsity(double initialSparsity, double finalSparsity, long beginStep, long endStep, double power, int frequency) {
    public PolynomialDecaySparsity {
        if (!(initialSparsity >= 0 && initialSparsity < 1)) throw new IllegalArgumentException("initialSparsity must be in [0, 1), got " + initialSparsity);
        if (!(finalSparsity >= 0 && finalSparsity < 1)) throw new IllegalArgumentException("finalSparsity must be in [0, 1), got " + finalSparsity);
        if (beginStep < 0 || endStep <= beginStep) throw new IllegalArgumentException("need 0 <= beginStep < endStep, got " + beginStep + " and " + endStep);
        if (!(power > 0)) throw new IllegalArgumentException("power must be positive, got " + power);
        if (frequency <= 0) throw new IllegalArgumentException("frequency must be positive, got " + frequency);
    }

    /** TF-MOT's defaults: power 3, frequency 100. */
    public static PolynomialDecaySparsity of(double initialSparsity, double finalSparsity, long beginStep, long endStep) {
        return new PolynomialDecaySparsity(initialSparsity, finalSparsity, beginStep, endStep, 3, 100);
    }

    /** The target sparsity at {@code step} (clamped to the schedule's ends). */
    public double sparsity(long step) {
        long s = Math.max(beginStep, Math.min(endStep, step));
        double progress = (double) (s - beginStep) / (endStep - beginStep);
        return finalSparsity + (initialSparsity - finalSparsity) * Math.pow(1 - progress, power);
    }

    /** Whether the masks are recomputed at {@code step}. */
    public boolean shouldPrune(long step) {
        return step >= beginStep && step <= endStep && (step - beginStep) % frequency == 0;
    }
}
