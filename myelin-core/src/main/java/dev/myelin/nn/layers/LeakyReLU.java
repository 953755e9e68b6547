package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Leaky ReLU as a layer: {@code y = x} for {@code x > 0}, else {@code negativeSlope · x}. The default slope
 * is 0.3, Keras's {@code LeakyReLU} layer default (the {@code leaky_relu} activation function's is 0.2).
 *
 * <p>Shapes: output shape = input shape.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new LeakyReLU(0.1)}.
 */
public final class LeakyReLU extends Layer {
    private final double negativeSlope;

    /** LeakyReLU's configuration: Keras's {@code negative_slope}. */
    public record Config(LayerSettings layer, double negativeSlope) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static LeakyReLU fromConfig(Config config) {
        LeakyReLU l = new LeakyReLU(config.negativeSlope());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), negativeSlope);
    }

    public LeakyReLU() {
        this(0.3);
    }

    public LeakyReLU(double negativeSlope) {
        super("leaky_re_lu");
        if (!(negativeSlope >= 0) || Double.isInfinite(negativeSlope)) {
            throw new IllegalArgumentException("LeakyReLU negativeSlope must be finite and >= 0, got negativeSlope=" + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.leakyRelu(negativeSlope);
    }
}
