package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Flattens each example into a vector (row-major, so channels-last features stay in Keras's order).
 *
 * <p>Shapes: input {@code [batch, d1, ..., dk]}, output {@code [batch, d1·…·dk]}; an input with no
 * dimension after the batch gives {@code [batch, 1]}, as Keras.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new Flatten()} on {@code [13, 13, 32]} gives {@code [5408]}.
 */
public final class Flatten extends Layer {
    /** Flatten's configuration. */
    public record Config(LayerSettings layer) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static Flatten fromConfig(Config config) {
        Flatten l = new Flatten();
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings());
    }

    public Flatten() {
        super("flatten");
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return Shape.of(inputShape.size());
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.reshape(x.dim(0), builtInputShape().size());
    }
}
