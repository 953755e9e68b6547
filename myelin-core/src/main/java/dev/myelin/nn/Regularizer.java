package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

/** A penalty on a weight that is added to the training loss, such as L2: {@code l2 * sum(w^2)}. */
@FunctionalInterface
public interface Regularizer {
    /** The scalar penalty for {@code weight} (differentiable: it joins the loss's graph). */
    Tensor penalty(Tensor weight);
}
