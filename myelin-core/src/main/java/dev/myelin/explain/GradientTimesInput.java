package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;

/**
 * Gradient × input (Shrikumar et al. 2016): {@code x · ∂score/∂x}, signed, in the input's shape. For a
 * linear score without bias the attributions sum to the score. One forward and one backward pass per
 * batch; see {@link AttributionMethod} for the score.
 */
public record GradientTimesInput() implements AttributionMethod {
    @Override
    public String name() {
        return "gradient-x-input";
    }

    @Override
    public Attribution explainBatch(Model model, Tensor x, Target target, int offset) {
        InputGradient g = InputGradient.of(model, x, target, offset);
        return new Attribution(g.gradient().mul(x.detach()), g.targets());
    }
}
