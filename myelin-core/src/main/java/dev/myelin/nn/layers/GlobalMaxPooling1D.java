package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * The maximum of each feature over time, as Keras 3's {@code GlobalMaxPooling1D} (channels-last). As in
 * Keras 3, an implicit mask on the input is not applied (padded steps take part in the maximum); mask the
 * input first, or use {@link GlobalAveragePooling1D}, which honours it.
 *
 * <p>Shapes: input {@code [batch, time, features]}, output {@code [batch, features]}, or
 * {@code [batch, 1, features]} with {@link #keepDims(boolean) keepDims(true)}.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new GlobalMaxPooling1D()} after a {@code Conv1D} on {@code [100, 32]} gives {@code [32]}.
 */
public final class GlobalMaxPooling1D extends Layer {
    private boolean keepDims;

    public GlobalMaxPooling1D() {
        super("global_max_pooling1d");
    }

    /** GlobalMaxPooling1D's configuration: Keras's {@code keepdims}. */
    public record Config(LayerSettings layer, boolean keepDims) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static GlobalMaxPooling1D fromConfig(Config config) {
        GlobalMaxPooling1D p = new GlobalMaxPooling1D().keepDims(config.keepDims());
        p.settings(config.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), keepDims);
    }

    /** Keeps the time axis as a size-1 dimension (Keras's {@code keepdims}, default false). */
    public GlobalMaxPooling1D keepDims(boolean value) {
        this.keepDims = value;
        return this;
    }

    public boolean keepDims() {
        return keepDims;
    }

    /** The shape rule of both 1D global poolings: reduce time, keeping it as 1 with {@code keepDims}. */
    static Shape pooledShape(Layer layer, Shape inputShape, boolean keepDims) {
        if (inputShape.rank() != 2 || inputShape.dim(0) == 0) {
            throw new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.getClass().getSimpleName()
                    + ") expected input of shape [time, features] (rank 2 without the batch dimension, time > 0) but received input shape " + inputShape);
        }
        return keepDims ? Shape.of(1, inputShape.dim(1)) : Shape.of(inputShape.dim(1));
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return pooledShape(this, inputShape, keepDims);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.max(new int[] {1}, keepDims);
    }
}
