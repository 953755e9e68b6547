package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * The mean of each feature over time, as Keras 3's {@code GlobalAveragePooling1D} (channels-last). With an
 * implicit mask on the input ({@link Masks}, from {@code Embedding.maskZero}) it is the mean over the
 * unmasked steps, Keras's formula:
 * <pre>
 *   output[b, c] = Σ_t x[b, t, c]·mask[b, t] / Σ_t mask[b, t]
 * </pre>
 * (a sequence with every step masked gives 0/0 = NaN, as in Keras).
 *
 * <p>Shapes: input {@code [batch, time, features]}, output {@code [batch, features]}, or
 * {@code [batch, 1, features]} with {@link #keepDims(boolean) keepDims(true)}.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new GlobalAveragePooling1D()} after a {@code TransformerEncoder} on {@code [128, 64]} gives {@code [64]}.
 */
public final class GlobalAveragePooling1D extends Layer {
    private boolean keepDims;

    public GlobalAveragePooling1D() {
        super("global_average_pooling1d");
    }

    /** GlobalAveragePooling1D's configuration: Keras's {@code keepdims}. */
    public record Config(LayerSettings layer, boolean keepDims) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static GlobalAveragePooling1D fromConfig(Config config) {
        GlobalAveragePooling1D p = new GlobalAveragePooling1D().keepDims(config.keepDims());
        p.settings(config.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), keepDims);
    }

    /** Keeps the time axis as a size-1 dimension (Keras's {@code keepdims}, default false). */
    public GlobalAveragePooling1D keepDims(boolean value) {
        this.keepDims = value;
        return this;
    }

    public boolean keepDims() {
        return keepDims;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return GlobalMaxPooling1D.pooledShape(this, inputShape, keepDims);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor mask = Masks.of(x);
        int[] time = {1};
        if (mask == null) return x.mean(time, keepDims);
        Tensor m = mask.to(x.dtype()).unsqueeze(2);
        return x.mul(m).sum(time, keepDims).div(m.sum(time, keepDims));
    }
}
