package dev.myelin.optim;

import dev.myelin.tensor.Tensor;

/**
 * RMSprop (Hinton, 2012), as Keras 3's {@code RMSprop}: divides the gradient by a moving root mean
 * square of recent gradients.
 *
 * <p>Algorithm, for a weight {@code w} with gradient {@code g} and learning rate {@code lr}, slots
 * starting at 0:
 * <pre>
 * v = rho * v + (1 - rho) * g²                              (slot "velocity")
 * centered:      a = rho * a + (1 - rho) * g                (slot "average_gradient")
 *                denominator = v - a² + epsilon
 * not centered:  denominator = v + epsilon
 * increment = lr * g / sqrt(denominator)
 * momentum > 0:  m = momentum * m + increment; w = w - m    (slot "momentum")
 * momentum == 0: w = w - increment
 * </pre>
 * Keras adds epsilon inside the square root; PyTorch's RMSprop adds it outside ({@code sqrt(v) + eps}),
 * so the two agree only when epsilon is 0. Momentum matches PyTorch's with a constant learning rate
 * ({@code m = lr * buf}).
 *
 * <p>Defaults (Keras): learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false.
 *
 * <p>Example: {@code new RMSprop(1e-3).momentum(0.9).centered(true)}.
 */
public final class RMSprop extends Optimizer {
    private double rho = 0.9;
    private double momentum;
    private double epsilon = 1e-7;
    private boolean centered;

    /** RMSprop's configuration: Keras's {@code rho}, {@code momentum}, {@code epsilon} and {@code centered} with the shared settings. */
    public record Config(OptimizerSettings optimizer, double rho, double momentum, double epsilon, boolean centered) implements OptimizerConfig {}

    /** A new optimizer with {@code config}'s hyperparameters. */
    public static RMSprop fromConfig(Config config) {
        RMSprop o = new RMSprop().rho(config.rho()).momentum(config.momentum()).epsilon(config.epsilon()).centered(config.centered());
        o.applyOptimizerSettings(config.optimizer());
        return o;
    }

    @Override
    public Config config() {
        return new Config(optimizerSettings(), rho, momentum, epsilon, centered);
    }

    /** RMSprop with Keras's default learning rate 0.001. */
    public RMSprop() {
        this(0.001);
    }

    /** @param learningRate {@code >= 0} */
    public RMSprop(double learningRate) {
        super(learningRate);
    }

    /** Discounting factor of the moving averages, in {@code [0, 1)}. */
    public RMSprop rho(double value) {
        this.rho = Checks.halfOpenUnit("RMSprop", "rho", value);
        return this;
    }

    public double rho() {
        return rho;
    }

    /** Momentum factor in {@code [0, 1]} (0: no momentum slot). */
    public RMSprop momentum(double value) {
        this.momentum = Checks.unit("RMSprop", "momentum", value);
        return this;
    }

    public double momentum() {
        return momentum;
    }

    /** The constant added under the square root, {@code >= 0}. */
    public RMSprop epsilon(double value) {
        this.epsilon = Checks.nonNegative("RMSprop", "epsilon", value);
        return this;
    }

    public double epsilon() {
        return epsilon;
    }

    /** Whether to normalize by the estimated variance of the gradient instead of its second moment. */
    public RMSprop centered(boolean value) {
        this.centered = value;
        return this;
    }

    public boolean centered() {
        return centered;
    }

    @Override
    protected void update(Tensor w, Tensor g, Slots slots, double lr) {
        Tensor v = slots.get("velocity");
        Tensor average = centered ? slots.get("average_gradient") : null;
        Tensor m = momentum > 0 ? slots.get("momentum") : null;
        if (FusedUpdates.fusable(w, g, v, average, m)) {
            // one fused pass; the tensor operations below compute the same values in several
            w.backend().rmspropUpdate(w.view(), g.view(), v.view(), average == null ? null : average.view(),
                    m == null ? null : m.view(), lr, rho, momentum, epsilon);
            FusedUpdates.updated(w, v, average, m);
            return;
        }
        Tensor eps = Tensor.scalar(w.dtype(), epsilon);

        Tensor d = g.mul(g).mulInPlace(1 - rho);
        v.mulInPlace(rho).addInPlace(d);
        if (centered) {
            average.mulInPlace(rho).addInPlace(d.assign(g).mulInPlace(1 - rho));
            d.assign(average).mulInPlace(average).mulInPlace(-1).addInPlace(v); // v - a², exactly as rounded
        } else {
            d.assign(v);
        }
        Tensor root = d.addInPlace(eps).sqrt();
        Tensor increment = d.assign(g).mulInPlace(lr).div(root);
        if (m != null) {
            m.mulInPlace(momentum).addInPlace(increment);
            w.subInPlace(m);
        } else {
            w.subInPlace(increment);
        }
    }

    @Override
    protected String settings() {
        return "rho=" + rho + ", momentum=" + momentum + ", epsilon=" + epsilon + ", centered=" + centered;
    }
}
