package dev.myelin.optim;

import dev.myelin.tensor.Tensor;

/**
 * Adam: adaptive moment estimation (Kingma and Ba, 2014), as Keras 3's {@code Adam}.
 *
 * <p>Algorithm, for a weight {@code w} with gradient {@code g}, learning rate {@code lr} and
 * {@code t = iterations() + 1}, slots {@code m} ("momentum") and {@code v} ("velocity") starting at 0:
 * <pre>
 * alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 * m = m + (g - m) * (1 - beta1)
 * v = v + (g² - v) * (1 - beta2)
 * vhat = max(vhat, v)                           (amsgrad only, slot "velocity_hat"; then v = vhat below)
 * w = w - alpha * m / (sqrt(v) + epsilon)
 * </pre>
 * The bias correction is folded into {@code alpha}, so {@code epsilon} is the paper's "epsilon hat":
 * PyTorch's Adam, which adds its epsilon to {@code sqrt(v / (1 - beta2^t))}, matches this one when its
 * epsilon is {@code epsilon / sqrt(1 - beta2^t)} at step {@code t}.
 *
 * <p>Defaults (Keras): learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false.
 *
 * <p>Example: {@code new Adam(3e-4).beta2(0.98).amsgrad(true)}.
 */
public class Adam extends Optimizer {
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon = 1e-7;
    private boolean amsgrad;

    /** Adam's configuration: Keras's {@code beta_1}, {@code beta_2}, {@code epsilon} and {@code amsgrad} with the shared settings. */
    public record Config(OptimizerSettings optimizer, double beta1, double beta2, double epsilon, boolean amsgrad) implements OptimizerConfig {}

    /** A new optimizer with {@code config}'s hyperparameters. */
    public static Adam fromConfig(Config config) {
        Adam o = new Adam().beta1(config.beta1()).beta2(config.beta2()).epsilon(config.epsilon()).amsgrad(config.amsgrad());
        o.applyOptimizerSettings(config.optimizer());
        return o;
    }

    /** An {@link Adam.Config} ({@link AdamW} returns its own record). */
    @Override
    public OptimizerConfig config() {
        return new Config(optimizerSettings(), beta1, beta2, epsilon, amsgrad);
    }

    /** Adam with Keras's default learning rate 0.001. */
    public Adam() {
        this(0.001);
    }

    /** @param learningRate {@code >= 0} */
    public Adam(double learningRate) {
        super(learningRate);
    }

    /** Decay rate of the first-moment estimate, in {@code [0, 1)}. */
    public Adam beta1(double value) {
        this.beta1 = Checks.halfOpenUnit(getClass().getSimpleName(), "beta1", value);
        return this;
    }

    public double beta1() {
        return beta1;
    }

    /** Decay rate of the second-moment estimate, in {@code [0, 1)}. */
    public Adam beta2(double value) {
        this.beta2 = Checks.halfOpenUnit(getClass().getSimpleName(), "beta2", value);
        return this;
    }

    public double beta2() {
        return beta2;
    }

    /** The constant added to {@code sqrt(v)}, {@code >= 0}. */
    public Adam epsilon(double value) {
        this.epsilon = Checks.nonNegative(getClass().getSimpleName(), "epsilon", value);
        return this;
    }

    public double epsilon() {
        return epsilon;
    }

    /** Whether to use the AMSGrad variant (Reddi et al., 2018), which divides by the largest v seen. */
    public Adam amsgrad(boolean value) {
        this.amsgrad = value;
        return this;
    }

    public boolean amsgrad() {
        return amsgrad;
    }

    @Override
    protected void update(Tensor w, Tensor g, Slots slots, double lr) {
        double t = iterations() + 1;
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        Tensor m = slots.get("momentum");
        Tensor v = slots.get("velocity");
        if (!amsgrad && FusedUpdates.fusable(w, g, m, v)) {
            // one fused pass instead of about twelve element-wise ones
            w.backend().adamUpdate(w.view(), g.view(), m.view(), v.view(), alpha, beta1, beta2, epsilon);
            FusedUpdates.updated(w, m, v);
            return;
        }

        Tensor d = g.sub(m).mulInPlace(1 - beta1);
        m.addInPlace(d);
        d.assign(g).mulInPlace(g).subInPlace(v).mulInPlace(1 - beta2);
        v.addInPlace(d);
        if (amsgrad) {
            Tensor vHat = slots.get("velocity_hat");
            vHat.assign(vHat.maximum(v));
            v = vHat;
        }
        Tensor denominator = v.sqrt().addInPlace(Tensor.scalar(w.dtype(), epsilon));
        w.subInPlace(d.assign(m).mulInPlace(alpha).div(denominator));
    }

    @Override
    protected String settings() {
        return "beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ", amsgrad=" + amsgrad;
    }
}
