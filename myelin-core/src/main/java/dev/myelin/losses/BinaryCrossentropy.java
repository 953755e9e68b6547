package dev.myelin.losses;

import dev.myelin.tensor.Tensor;

/**
 * Binary cross-entropy, as Keras's {@code BinaryCrossentropy}, for one or more independent yes/no
 * outputs. With labels {@code z} (0 or 1, or soft labels in between), smoothed as Keras does:
 * <pre>
 *   z' = z·(1 − labelSmoothing) + ½·labelSmoothing
 * probabilities (fromLogits = false), p clipped to [ε, 1 − ε] with ε = 1e-7:
 *   b = −(z'·log p + (1 − z')·log(1 − p))
 * logits (fromLogits = true), the stable form of the same with p = σ(x):
 *   b = max(x, 0) − x·z' + log(1 + exp(−|x|))  =  softplus(x) − x·z'
 * per sample:  l_i = mean_j b_ij   (mean over the last axis);   loss = mean_i l_i
 * </pre>
 * The logit form never overflows and its gradient is exactly {@code σ(x) − z'}, also where the
 * probability form would clip (there its gradient is 0). On probabilities that a sigmoid produced
 * ({@link Tensor#sigmoidLogits()}, as a model's sigmoid output), the logit form runs on the sigmoid's input
 * (Keras's {@code _keras_logits}).
 *
 * <p>Shapes: {@code yPred [batch, ...]}, typically {@code [batch, 1]}; {@code yTrue} the same shape
 * ({@code [batch]} against {@code [batch, 1]} is accepted). Result: a scalar.
 *
 * <p>Example:
 * <pre>{@code
 * Tensor yTrue = Tensor.of(new float[] {0, 1, 0, 0}, 2, 2);
 * Tensor yPred = Tensor.of(new float[] {0.6f, 0.4f, 0.4f, 0.6f}, 2, 2);
 * new BinaryCrossentropy().compute(yTrue, yPred);   // 0.815
 * }</pre>
 *
 * @param fromLogits     whether {@code yPred} holds logits rather than probabilities (Keras default false)
 * @param labelSmoothing in [0, 1]; 0 (the default) leaves labels unchanged
 */
public record BinaryCrossentropy(boolean fromLogits, double labelSmoothing) implements Loss {
    public BinaryCrossentropy {
        LossChecks.checkLabelSmoothing("binary_crossentropy", labelSmoothing);
    }

    /** On probabilities, without label smoothing (Keras's defaults). */
    public BinaryCrossentropy() {
        this(false, 0.0);
    }

    /** Without label smoothing. */
    public BinaryCrossentropy(boolean fromLogits) {
        this(fromLogits, 0.0);
    }

    @Override
    public Tensor compute(Tensor yTrue, Tensor yPred) {
        Tensor z = LossChecks.sameShape(name(), yTrue, yPred);
        if (labelSmoothing > 0) z = z.mul(1 - labelSmoothing).add(0.5 * labelSmoothing);
        Tensor logits = fromLogits ? yPred : yPred.sigmoidLogits();
        if (logits != null) {
            return logits.softplus().sub(logits.mul(z)).mean();
        }
        Tensor p = yPred.clamp(LossChecks.EPSILON, 1 - LossChecks.EPSILON);
        Tensor oneMinusZ = z.neg().add(1.0);
        Tensor oneMinusP = p.neg().add(1.0);
        return z.mul(p.log()).add(oneMinusZ.mul(oneMinusP.log())).mean().neg();
    }

    @Override
    public String name() {
        return "binary_crossentropy";
    }
}
