package dev.myelin.losses;

import dev.myelin.tensor.Tensor;

/**
 * Mean squared error, as Keras's {@code MeanSquaredError}:
 * <pre>
 *   per sample:  l_i  = mean_j (yPred_ij − yTrue_ij)²        (mean over the last axis)
 *   loss             = mean_i l_i                            (= the mean over all elements)
 * </pre>
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} the same shape ({@code [batch]} against
 * {@code [batch, 1]} is accepted either way round). Result: a scalar.
 *
 * <p>Example:
 * <pre>{@code
 * Tensor loss = Loss.MSE.compute(Tensor.of(new float[] {0, 1, 0, 0}, 2, 2),
 *                                Tensor.of(new float[] {1, 1, 1, 0}, 2, 2));   // 0.5
 * }</pre>
 */
public record MeanSquaredError() implements Loss {
    @Override
    public Tensor compute(Tensor yTrue, Tensor yPred) {
        Tensor t = LossChecks.sameShape(name(), yTrue, yPred);
        // Every sample has the same number of values, so the mean of the per-sample means is the mean.
        return yPred.sub(t).square().mean();
    }

    @Override
    public String name() {
        return "mean_squared_error";
    }
}
