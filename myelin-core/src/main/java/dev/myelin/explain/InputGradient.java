package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient of each example's target score with respect to its input, for a whole batch in one forward
 * and one backward pass: the scores of different examples do not depend on each other's inputs (inference
 * mode), so the gradient of their sum holds every example's own gradient.
 *
 * <p>The model's weights are taken out of the graph for the pass (their {@code requiresGrad} is off and
 * restored after), so backward computes no weight gradients and leaves the weights' {@code grad} untouched.
 *
 * <p>Shapes: {@code gradient} has the input's shape; {@code scores} and {@code targets} one entry per example.
 *
 * @param gradient ∂score/∂x
 * @param scores   each example's target score
 * @param targets  each example's target class
 */
record InputGradient(Tensor gradient, double[] scores, int[] targets) {

    /** The gradient at {@code x} for {@code target}, resolved against {@code x}'s own scores; {@code offset} as in {@link AttributionMethod#explainBatch}. */
    static InputGradient of(Model model, Tensor x, Target target, int offset) {
        return of(model, x, (Tensor scores) -> target.resolve(scores, offset));
    }

    /** The gradient at {@code x} for fixed classes. */
    static InputGradient of(Model model, Tensor x, int[] targets) {
        return of(model, x, (Tensor scores) -> targets);
    }

    private interface Resolver {
        int[] targets(Tensor scores);
    }

    private static InputGradient of(Model model, Tensor x, Resolver resolver) {
        Tensor leaf = x.detach().contiguous().requiresGrad(true); // a fresh leaf: detach() makes a new tensor object
        try (var frozen = FrozenWeights.of(model, leaf)) {
            Tensor scores = Scores.of(model, leaf);
            int[] targets = resolver.targets(scores.detach());
            Tensor selected = Scores.selected(scores, targets);
            selected.sum().backward();
            Tensor grad = leaf.grad() != null ? leaf.grad() : Tensor.zerosLike(leaf); // no path from input to score: zero
            return new InputGradient(grad, selected.detach().toDoubleArray(), targets);
        }
    }

    /** Turns the weights' gradients off for one pass and back on when closed. */
    static final class FrozenWeights implements AutoCloseable {
        private final List<Tensor> switched = new ArrayList<>();

        /** Builds the model on {@code sample} if needed, then switches its weights' gradients off. */
        static FrozenWeights of(Model model, Tensor sample) {
            if (!model.isBuilt()) Scores.values(model, sample.detach().slice(0, 0, 1));
            FrozenWeights f = new FrozenWeights();
            for (Parameter p : model.weights()) {
                Tensor v = p.value();
                if (v.requiresGrad() && v.gradFn() == null) {
                    v.requiresGrad(false);
                    f.switched.add(v);
                }
            }
            return f;
        }

        @Override
        public void close() {
            for (Tensor v : switched) v.requiresGrad(true);
        }
    }
}
