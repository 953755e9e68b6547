package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Tensor;

/**
 * The largest value of each channel over height and width (the gradient is shared evenly among tied maxima).
 *
 * <p>Shapes: input {@code [batch, height, width, channels]}, output {@code [batch, channels]}, or
 * {@code [batch, 1, 1, channels]} with {@link #keepDims(boolean) keepDims(true)}.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new GlobalMaxPooling2D()} on {@code [7, 7, 64]} gives {@code [64]}.
 */
public final class GlobalMaxPooling2D extends GlobalPooling2D {
    /** GlobalMaxPooling2D's configuration: Keras's {@code keepdims}. */
    public record Config(LayerSettings layer, boolean keepDims) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static GlobalMaxPooling2D fromConfig(Config config) {
        GlobalMaxPooling2D p = new GlobalMaxPooling2D().keepDims(config.keepDims());
        p.settings(config.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), keepDims());
    }

    public GlobalMaxPooling2D() {
        super("global_max_pooling2d");
    }

    /** Keeps height and width as size-1 dimensions (Keras's {@code keepdims}, default false). */
    public GlobalMaxPooling2D keepDims(boolean value) {
        setKeepDims(value);
        return this;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.max(SPATIAL_AXES, keepDims());
    }
}
