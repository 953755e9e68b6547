package dev.myelin.losses;

import dev.myelin.tensor.Tensor;

/**
 * A training loss: a differentiable scalar from targets and predictions, averaged over the batch
 * (Keras's {@code sum_over_batch_size} reduction).
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} as each loss documents (class ids {@code [batch]}
 * for the sparse cross-entropy, the same shape as {@code yPred} otherwise).
 */
public interface Loss {
    /** The mean loss over the batch, a scalar tensor in {@code yPred}'s graph. */
    Tensor compute(Tensor yTrue, Tensor yPred);

    /** The Keras name, such as {@code "sparse_categorical_crossentropy"}. */
    String name();

    /**
     * For a loss on probabilities, the same loss taking logits, used by models whose last layer ends in
     * the matching activation (softmax for categorical, sigmoid for binary cross-entropy); null otherwise.
     */
    default Loss onLogits(dev.myelin.nn.Activation outputActivation) {
        return null;
    }
}
