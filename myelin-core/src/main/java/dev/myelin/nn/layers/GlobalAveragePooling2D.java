package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Tensor;

/**
 * The mean of each channel over height and width.
 *
 * <p>Shapes: input {@code [batch, height, width, channels]}, output {@code [batch, channels]}, or
 * {@code [batch, 1, 1, channels]} with {@link #keepDims(boolean) keepDims(true)}.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new GlobalAveragePooling2D()} on {@code [7, 7, 64]} gives {@code [64]}.
 */
public final class GlobalAveragePooling2D extends GlobalPooling2D {
    /** GlobalAveragePooling2D's configuration: Keras's {@code keepdims}. */
    public record Config(LayerSettings layer, boolean keepDims) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static GlobalAveragePooling2D fromConfig(Config config) {
        GlobalAveragePooling2D p = new GlobalAveragePooling2D().keepDims(config.keepDims());
        p.settings(config.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), keepDims());
    }

    public GlobalAveragePooling2D() {
        super("global_average_pooling2d");
    }

    /** Keeps height and width as size-1 dimensions (Keras's {@code keepdims}, default false). */
    public GlobalAveragePooling2D keepDims(boolean value) {
        setKeepDims(value);
        return this;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.mean(SPATIAL_AXES, keepDims());
    }
}
