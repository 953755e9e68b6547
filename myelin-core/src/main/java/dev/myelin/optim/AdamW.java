package dev.myelin.optim;

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as Keras 3's {@code AdamW}.
 *
 * <p>Algorithm: each step first decays the weight, then takes the {@link Adam} step with the same
 * learning rate {@code lr}:
 * <pre>
 * w = w - w * weightDecay * lr
 * (Adam's update)
 * </pre>
 * This is PyTorch's {@code AdamW} as well ({@code w *= 1 - lr * weight_decay}), up to Adam's epsilon
 * placement (see {@link Adam}).
 *
 * <p>Defaults (Keras): learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7,
 * amsgrad false. The decay applies to every updated weight; exclude biases and normalization scales
 * with {@link #excludeFromWeightDecay}.
 *
 * <p>Example: {@code new AdamW(1e-3, 0.01).excludeFromWeightDecay("bias")}.
 */
public final class AdamW extends Adam {
    /** AdamW's configuration: Adam's arguments with the shared settings (whose {@code weight_decay} defaults to 0.004 here). */
    public record Config(OptimizerSettings optimizer, double beta1, double beta2, double epsilon, boolean amsgrad) implements OptimizerConfig {}

    /** A new optimizer with {@code config}'s hyperparameters. */
    public static AdamW fromConfig(Config config) {
        AdamW o = new AdamW();
        o.beta1(config.beta1()).beta2(config.beta2()).epsilon(config.epsilon()).amsgrad(config.amsgrad());
        o.applyOptimizerSettings(config.optimizer());
        return o;
    }

    @Override
    public Config config() {
        return new Config(optimizerSettings(), beta1(), beta2(), epsilon(), amsgrad());
    }


    /** AdamW with Keras's defaults: learning rate 0.001, weight decay 0.004. */
    public AdamW() {
        this(0.001, 0.004);
    }

    /** AdamW with Keras's default weight decay 0.004. */
    public AdamW(double learningRate) {
        this(learningRate, 0.004);
    }

    /**
     * @param learningRate {@code >= 0}
     * @param weightDecay {@code >= 0}
     */
    public AdamW(double learningRate, double weightDecay) {
        super(learningRate);
        weightDecay(weightDecay);
    }
}
