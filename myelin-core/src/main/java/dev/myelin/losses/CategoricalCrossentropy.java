package dev.myelin.losses;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Categorical cross-entropy with one-hot (or soft) targets, as Keras's {@code CategoricalCrossentropy}.
 * With {@code C} classes on the last axis and labels smoothed as Keras does:
 * <pre>
 *   y' = y·(1 − labelSmoothing) + labelSmoothing / C
 * probabilities (fromLogits = false): rows are renormalized, then clipped to [ε, 1 − ε] with ε = 1e-7:
 *   log q_c = log clip(p_c / Σ_k p_k, ε, 1 − ε)
 * logits (fromLogits = true):
 *   log q_c = x_c − log Σ_k exp(x_k)          (log-softmax, stable)
 * per sample:  l_i = −Σ_c y'_ic · log q_ic;   loss = mean_i l_i
 * </pre>
 * On probabilities that a softmax over the last axis produced ({@link Tensor#softmaxLogits()}, as a
 * model's softmax output), the logits form runs on that softmax's input: the same loss without clipping,
 * stable and with the exact gradient (Keras reads {@code _keras_logits} the same way).
 *
 * <p>Shapes: {@code yPred [batch, ..., C]}; {@code yTrue} the same shape. For integer class ids use
 * {@link SparseCategoricalCrossentropy}. Result: a scalar.
 *
 * <p>Example:
 * <pre>{@code
 * Tensor yTrue = Tensor.of(new float[] {0, 1, 0, 0, 0, 1}, 2, 3);
 * Tensor yPred = Tensor.of(new float[] {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f}, 2, 3);
 * new CategoricalCrossentropy().compute(yTrue, yPred);   // (0.0513 + 2.303) / 2 = 1.177
 * }</pre>
 *
 * @param fromLogits     whether {@code yPred} holds logits rather than probabilities (Keras default false)
 * @param labelSmoothing in [0, 1]; 0 (the default) leaves labels unchanged
 */
public record CategoricalCrossentropy(boolean fromLogits, double labelSmoothing) implements Loss {
    public CategoricalCrossentropy {
        LossChecks.checkLabelSmoothing("categorical_crossentropy", labelSmoothing);
    }

    /** On probabilities, without label smoothing (Keras's defaults). */
    public CategoricalCrossentropy() {
        this(false, 0.0);
    }

    /** Without label smoothing. */
    public CategoricalCrossentropy(boolean fromLogits) {
        this(fromLogits, 0.0);
    }

    @Override
    public Tensor compute(Tensor yTrue, Tensor yPred) {
        LossChecks.nonNull(name(), yTrue, yPred);
        LossChecks.nonEmpty(name(), yPred);
        Shape t = yTrue.shape(), p = yPred.shape();
        if (!t.equals(p)) {
            String hint = t.equals(p.withoutLast()) || (t.rank() == p.rank() && t.dim(-1) == 1 && t.withoutLast().equals(p.withoutLast()))
                    ? "; yTrue looks like class ids: use sparse_categorical_crossentropy" : "";
            throw new IllegalArgumentException(name() + ": yTrue shape " + t + " does not match yPred shape " + p
                    + "; expected one-hot targets of the same shape" + hint);
        }
        int classes = p.dim(-1);
        Tensor y = LossChecks.matchDtype(yTrue, yPred);
        if (labelSmoothing > 0) y = y.mul(1 - labelSmoothing).add(labelSmoothing / classes);
        Tensor logits = fromLogits ? yPred : yPred.softmaxLogits();
        Tensor logQ = logits != null ? logits.logSoftmax(-1) : logProbabilities(yPred);
        int samples = p.size() / classes;
        return y.mul(logQ).sum().mul(-1.0 / samples);
    }

    /** log clip(p / Σp, ε, 1 − ε) over the last axis, Keras's probability path. */
    static Tensor logProbabilities(Tensor yPred) {
        return yPred.div(yPred.sum(new int[] {-1}, true)).clamp(LossChecks.EPSILON, 1 - LossChecks.EPSILON).log();
    }

    @Override
    public String name() {
        return "categorical_crossentropy";
    }
}
