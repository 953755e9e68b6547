package dev.myelin.losses;

import dev.myelin.tensor.Tensor;

/**
 * Huber loss, as Keras's {@code Huber}: quadratic for small errors, linear for large ones.
 * <pre>
 *   e = yPred − yTrue
 *   h(e) = ½·e²                 if |e| ≤ δ
 *          δ·|e| − ½·δ²          otherwise
 *   per sample:  l_i = mean_j h(e_ij)   (mean over the last axis);   loss = mean_i l_i
 * </pre>
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} the same shape ({@code [batch]} against
 * {@code [batch, 1]} is accepted either way round). Result: a scalar.
 *
 * <p>Example:
 * <pre>{@code
 * Tensor loss = new Huber(1.0).compute(Tensor.of(new float[] {0, 1, 0, 0}, 2, 2),
 *                                      Tensor.of(new float[] {0.6f, 0.4f, 0.4f, 0.6f}, 2, 2));  // 0.155
 * }</pre>
 *
 * @param delta δ, the error size where the loss turns from quadratic to linear; positive (Keras's default 1.0)
 */
public record Huber(double delta) implements Loss {
    public Huber {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huber_loss: delta must be positive and finite, received " + delta);
        }
    }

    /** Huber loss with Keras's default δ = 1. */
    public Huber() {
        this(1.0);
    }

    @Override
    public Tensor compute(Tensor yTrue, Tensor yPred) {
        Tensor t = LossChecks.sameShape(name(), yTrue, yPred);
        Tensor error = yPred.sub(t);
        Tensor abs = error.abs();
        Tensor quadratic = error.square().mul(0.5);
        Tensor linear = abs.mul(delta).sub(0.5 * delta * delta);
        return Tensor.where(abs.le(delta), quadratic, linear).mean();
    }

    @Override
    public String name() {
        return "huber_loss";
    }
}
