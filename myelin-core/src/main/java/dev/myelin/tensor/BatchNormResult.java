package dev.myelin.tensor;

/**
 * What {@link Tensor#batchNormTraining} returns: the normalized tensor (in the graph) and the batch's
 * per-feature statistics it used (outside the graph), which a layer folds into its moving averages.
 *
 * <p>Shapes: output as the input; mean and variance {@code [features]}; the variance is the biased one
 * (divided by n, as Keras's {@code ops.moments}).
 */
public record BatchNormResult(Tensor output, Tensor mean, Tensor variance) {}
