package dev.myelin.losses;

import dev.myelin.tensor.Tensor;

/**
 * Mean absolute error, as Keras's {@code MeanAbsoluteError}:
 * <pre>
 *   per sample:  l_i  = mean_j |yPred_ij − yTrue_ij|          (mean over the last axis)
 *   loss             = mean_i l_i                            (= the mean over all elements)
 * </pre>
 * The gradient at a zero error is 0 (the sign function's).
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} the same shape ({@code [batch]} against
 * {@code [batch, 1]} is accepted either way round). Result: a scalar.
 *
 * <p>Example:
 * <pre>{@code
 * Tensor loss = Loss.MAE.compute(Tensor.of(new float[] {0, 1, 0, 0}, 2, 2),
 *                                Tensor.of(new float[] {1, 1, 1, 0}, 2, 2));   // 0.5
 * }</pre>
 */
public record MeanAbsoluteError() implements Loss {
    @Override
    public Tensor compute(Tensor yTrue, Tensor yPred) {
        Tensor t = LossChecks.sameShape(name(), yTrue, yPred);
        return yPred.sub(t).abs().mean();
    }

    @Override
    public String name() {
        return "mean_absolute_error";
    }
}
