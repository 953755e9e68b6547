package dev.myelin.train;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Graph;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradients of any scalar loss with respect to a chosen list of weights, for training loops that
 * {@code Model.fit} cannot express (Keras's {@code tape.gradient(loss, weights)}; recording
 * is always on in Myelin, so no tape is needed).
 *
 * <p>Unlike {@code loss.backward()}, which accumulates into the {@code grad()} of every weight the loss
 * depends on, {@link #of} returns fresh tensors and changes no {@code grad()}: a generator's loss computed
 * through the discriminator leaves the discriminator's weights and gradients alone, and nothing has to be
 * zeroed between steps.
 *
 * <p>Example, one GAN step with two models and two optimizers:
 * <pre>{@code
 * // discriminator: real images labelled 1, generated ones 0; the generator is not differentiated
 * Tensor fake = generator.call(z, true).detach();
 * Tensor dLoss = bce.compute(labels, discriminator.call(Tensor.concat(List.of(real, fake), 0), true));
 * List<Parameter> dWeights = discriminator.trainableWeights();
 * dOptimizer.applyGradients(Gradients.of(dLoss, dWeights), dWeights);
 * // generator: through the discriminator, whose weights are not updated (frozen for this step)
 * Tensor gLoss = bce.compute(ones, discriminator.call(generator.call(z2, true), true));
 * gOptimizer.minimize(gLoss, generator.trainableWeights());
 * }</pre>
 *
 * <p>The {@code backward()} form works too: zero the chosen weights' gradients, call
 * {@code loss.backward()}, then {@code optimizer.apply(weights)} — but then the other weights the loss
 * reaches collect gradients as well, which must be zeroed before their own update.
 */
public final class Gradients {
    private Gradients() {}

    /**
     * {@code d loss / d w} for each weight, in order (null for a weight the loss does not depend on). The
     * loss's graph is freed along the way: run the forward pass again for another call.
     *
     * @throws IllegalArgumentException when {@code loss} is not a scalar
     */
    public static List<Tensor> of(Tensor loss, List<Parameter> weights) {
        if (loss.size() != 1) throw new IllegalArgumentException("Gradients.of needs a scalar loss, got shape " + loss.shape());
        List<Tensor> values = new ArrayList<>(weights.size());
        for (Parameter p : weights) values.add(p.value());
        return Graph.gradients(loss, Tensor.full(loss.dtype(), loss.shape(), 1.0), values);
    }

    /** Gradients with respect to plain tensors (leaves that require grad, or intermediate results). */
    public static List<Tensor> ofTensors(Tensor loss, List<Tensor> tensors) {
        if (loss.size() != 1) throw new IllegalArgumentException("Gradients.ofTensors needs a scalar loss, got shape " + loss.shape());
        return Graph.gradients(loss, Tensor.full(loss.dtype(), loss.shape(), 1.0), tensors);
    }
}
