package dev.myelin.explain;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;

/**
 * The score an attribution explains: for a model whose output is a softmax or a sigmoid, the logits
 * before it (the activation leaves them on its result, Keras's {@code _keras_logits}, which the losses
 * read too); for any other output, the output itself. Attributing the logit rather than the probability
 * is Captum's and the Grad-CAM paper's choice: a probability near 1 is flat in its input (its gradient
 * vanishes) and depends on the other classes' scores.
 *
 * <p>Shapes: the model's output must be {@code [n, classes]}; {@link #selected} gives {@code [n]}.
 */
final class Scores {
    private Scores() {}

    /** The scores {@code [n, classes]} of {@code x} in inference mode (recording a graph when gradients are on). */
    static Tensor of(Model model, Tensor x) {
        return logits(model.call(x, false));
    }

    /** The logits a softmax or sigmoid output remembers, else {@code output}. */
    static Tensor logits(Tensor output) {
        Tensor l = output.softmaxLogits();
        if (l == null) l = output.sigmoidLogits();
        Tensor s = l == null ? output : l;
        if (s.rank() != 2) throw new IllegalArgumentException("attributions need a model output [batch, classes], got " + s.shape());
        return s;
    }

    /** {@code scores[i, targets[i]]} for each example: {@code [n]}. */
    static Tensor selected(Tensor scores, int[] targets) {
        float[] idx = new float[targets.length];
        for (int i = 0; i < idx.length; i++) idx[i] = targets[i];
        return scores.mul(Tensor.oneHot(Tensor.of(idx, idx.length), scores.dim(1))).sum(1);
    }

    /** The scores of {@code x}, without a graph. */
    static Tensor values(Model model, Tensor x) {
        try (var g = NoGrad.scope()) {
            return of(model, x);
        }
    }

    /** The selected scores as doubles. */
    static double[] selectedValues(Model model, Tensor x, int[] targets) {
        try (var g = NoGrad.scope()) {
            return selected(of(model, x), targets).toDoubleArray();
        }
    }
}
