package dev.myelin.nn.layers;

import dev.myelin.nn.Activation;
import dev.myelin.tensor.Tensor;

/**
 * A layer that ends in an activation function. Models use {@link #preActivation} to feed the
 * cross-entropy losses logits instead of softmax or sigmoid probabilities, which is numerically stable
 * (Keras does the same through the output's cached logits).
 */
public interface ActivatedLayer {
    Activation activation();

    /** The layer's output before its activation, for a batch whose shape the caller has checked. */
    Tensor preActivation(Tensor x);
}
