package dev.myelin.optim;

import dev.myelin.tensor.Tensor;

/**
 * Stochastic gradient descent, with optional momentum and Nesterov momentum (Keras 3's {@code SGD}).
 *
 * <p>Algorithm, for a weight {@code w} with gradient {@code g} and learning rate {@code lr}:
 * <pre>
 * momentum == 0:   w = w - lr * g
 * momentum  > 0:   m = momentum * m - lr * g          (slot "momentum", starts at 0)
 *                  w = w + m                          (nesterov = false)
 *                  w = w + momentum * m - lr * g      (nesterov = true, with the new m)
 * </pre>
 * With a constant learning rate this is PyTorch's SGD ({@code dampening = 0}) with {@code m = -lr * buf}.
 *
 * <p>Defaults (Keras): learning rate 0.01, momentum 0, nesterov false.
 *
 * <p>Example: {@code new SGD(0.1).momentum(0.9).nesterov(true)}.
 */
public final class SGD extends Optimizer {
    private double momentum;
    private boolean nesterov;

    /** SGD's configuration: Keras's {@code momentum} and {@code nesterov} with the shared settings. */
    public record Config(OptimizerSettings optimizer, double momentum, boolean nesterov) implements OptimizerConfig {}

    /** A new optimizer with {@code config}'s hyperparameters. */
    public static SGD fromConfig(Config config) {
        SGD o = new SGD().momentum(config.momentum()).nesterov(config.nesterov());
        o.applyOptimizerSettings(config.optimizer());
        return o;
    }

    @Override
    public Config config() {
        return new Config(optimizerSettings(), momentum, nesterov);
    }

    /** SGD with Keras's default learning rate 0.01. */
    public SGD() {
        this(0.01);
    }

    /** @param learningRate {@code >= 0} */
    public SGD(double learningRate) {
        super(learningRate);
    }

    /** The momentum factor in {@code [0, 1]} (0: plain gradient descent, no slot). */
    public SGD momentum(double value) {
        this.momentum = Checks.unit("SGD", "momentum", value);
        return this;
    }

    public double momentum() {
        return momentum;
    }

    /** Whether to use Nesterov momentum (only matters when momentum is not 0). */
    public SGD nesterov(boolean value) {
        this.nesterov = value;
        return this;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    protected void update(Tensor w, Tensor g, Slots slots, double lr) {
        Tensor m = momentum == 0 ? null : slots.get("momentum");
        if (FusedUpdates.fusable(w, g, m)) {
            // one fused pass; the tensor operations below compute the same values in several
            w.backend().sgdUpdate(w.view(), g.view(), m == null ? null : m.view(), lr, momentum, nesterov);
            FusedUpdates.updated(w, m);
            return;
        }
        Tensor lrG = g.mul(lr);
        if (m == null) {
            w.subInPlace(lrG);
            return;
        }
        m.mulInPlace(momentum).subInPlace(lrG);
        if (nesterov) {
            w.addInPlace(m.mul(momentum).subInPlace(lrG));
        } else {
            w.addInPlace(m);
        }
    }

    @Override
    protected String settings() {
        return "momentum=" + momentum + ", nesterov=" + nesterov;
    }
}
