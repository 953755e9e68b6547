package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;

/**
 * Saliency (vanilla gradient; Simonyan, Vedaldi and Zisserman 2014): the magnitude of the target score's
 * gradient, {@code |∂score/∂x|}. For images {@code [n, h, w, c]} the map is the largest magnitude over the
 * channels, {@code max_c |∂score/∂x[h, w, c]|} ({@code [n, h, w, 1]}), as in the paper and Captum's
 * visualisation; other inputs keep their shape.
 *
 * <p>One forward and one backward pass per batch. See {@link AttributionMethod} for the score.
 */
public record Saliency() implements AttributionMethod {
    @Override
    public String name() {
        return "saliency";
    }

    @Override
    public Attribution explainBatch(Model model, Tensor x, Target target, int offset) {
        InputGradient g = InputGradient.of(model, x, target, offset);
        return new Attribution(magnitude(g.gradient()), g.targets());
    }

    /** {@code |g|}, reduced by the maximum over the channel axis for images. */
    static Tensor magnitude(Tensor g) {
        Tensor a = g.abs();
        return a.rank() == 4 ? a.max(new int[] {3}, true) : a;
    }
}
