package dev.myelin.optim;

import dev.myelin.tensor.Tensor;

/**
 * Adagrad (Duchi et al., 2011), as Keras 3's {@code Adagrad}: per-element learning rates that shrink
 * with the sum of past squared gradients.
 *
 * <p>Algorithm, for a weight {@code w} with gradient {@code g} and learning rate {@code lr}, slot
 * {@code acc} ("accumulator") starting at {@code initialAccumulatorValue}:
 * <pre>
 * acc = acc + g²
 * w = w - lr * g / sqrt(acc + epsilon)
 * </pre>
 * PyTorch's Adagrad adds its epsilon outside the square root, so the two agree when epsilon is 0.
 *
 * <p>Defaults (Keras): learning rate 0.001, initial accumulator value 0.1, epsilon 1e-7.
 *
 * <p>Example: {@code new Adagrad(0.01).initialAccumulatorValue(0.0)}.
 */
public final class Adagrad extends Optimizer {
    private double initialAccumulatorValue = 0.1;
    private double epsilon = 1e-7;

    /** Adagrad's configuration: Keras's {@code initial_accumulator_value} and {@code epsilon} with the shared settings. */
    public record Config(OptimizerSettings optimizer, double initialAccumulatorValue, double epsilon) implements OptimizerConfig {}

    /** A new optimizer with {@code config}'s hyperparameters. */
    public static Adagrad fromConfig(Config config) {
        Adagrad o = new Adagrad().initialAccumulatorValue(config.initialAccumulatorValue()).epsilon(config.epsilon());
        o.applyOptimizerSettings(config.optimizer());
        return o;
    }

    @Override
    public Config config() {
        return new Config(optimizerSettings(), initialAccumulatorValue, epsilon);
    }

    /** Adagrad with Keras's default learning rate 0.001. */
    public Adagrad() {
        this(0.001);
    }

    /** @param learningRate {@code >= 0} */
    public Adagrad(double learningRate) {
        super(learningRate);
    }

    /**
     * Starting value of the accumulators, {@code >= 0}; it applies to accumulators created afterwards,
     * that is to weights this optimizer has not updated yet.
     */
    public Adagrad initialAccumulatorValue(double value) {
        this.initialAccumulatorValue = Checks.nonNegative("Adagrad", "initialAccumulatorValue", value);
        return this;
    }

    public double initialAccumulatorValue() {
        return initialAccumulatorValue;
    }

    /** The constant added under the square root, {@code >= 0}. */
    public Adagrad epsilon(double value) {
        this.epsilon = Checks.nonNegative("Adagrad", "epsilon", value);
        return this;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    protected void update(Tensor w, Tensor g, Slots slots, double lr) {
        Tensor acc = slots.get("accumulator", initialAccumulatorValue);
        if (FusedUpdates.fusable(w, g, acc)) {
            // one fused pass; the tensor operations below compute the same values in several
            w.backend().adagradUpdate(w.view(), g.view(), acc.view(), lr, epsilon);
            FusedUpdates.updated(w, acc);
            return;
        }
        Tensor d = g.mul(g);
        acc.addInPlace(d);
        Tensor root = d.assign(acc).addInPlace(Tensor.scalar(w.dtype(), epsilon)).sqrt();
        w.subInPlace(d.assign(g).mulInPlace(lr).div(root));
    }

    @Override
    protected String settings() {
        return "initialAccumulatorValue=" + initialAccumulatorValue + ", epsilon=" + epsilon;
    }
}
