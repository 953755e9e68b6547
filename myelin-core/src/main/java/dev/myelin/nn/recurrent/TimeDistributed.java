package dev.myelin.nn.recurrent;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Applies a layer to every time step independently, as Keras's {@code TimeDistributed}: the batch and
 * time dimensions are merged ({@code [batch·time, ...]}), the layer runs once, and they are split again.
 *
 * <p>Shapes: input {@code [batch, time, ...]}; output {@code [batch, time, ...layer output]}.
 *
 * <p>Weights: the inner layer's (one set shared by all steps).
 *
 * <p>Example: {@code new TimeDistributed(new Dense(10, Activation.SOFTMAX))}.
 */
public final class TimeDistributed extends Layer {
    /** TimeDistributed's configuration: Keras's {@code layer} (the wrapped layer's config, with its own name). */
    public record Config(LayerSettings layer, LayerConfig wrapped) implements LayerConfig {
        public Config {
            Objects.requireNonNull(wrapped, "wrapped");
        }
    }

    private final Layer layer;
    private final String innerName;
    private final LayerConfig wrappedConfig;

    public TimeDistributed(Layer layer) {
        super("time_distributed");
        this.layer = Objects.requireNonNull(layer, "layer");
        if (layer.isBuilt()) throw new IllegalArgumentException("TimeDistributed needs an unbuilt layer, got built '" + layer.name() + "'");
        this.innerName = layer.name();
        this.wrappedConfig = configOrNull(layer); // before the renaming below, as Keras's config keeps the wrapped layer's own name
        layer.name(name() + "/" + innerName); // weights: time_distributed/dense/kernel
    }

    /**
     * A layer with {@code config}'s settings, around {@code wrapped}: a new layer built from
     * {@code config.wrapped()} by the caller (the layer registry, which knows every layer class).
     */
    public static TimeDistributed fromConfig(Config config, Layer wrapped) {
        TimeDistributed t = new TimeDistributed(wrapped);
        t.settings(config.layer());
        return t;
    }

    /** The config; throws when the wrapped layer has none. */
    @Override
    public Config config() {
        if (wrappedConfig == null) layer.config(); // throws, naming the wrapped layer
        return new Config(settings(), wrappedConfig);
    }

    private static LayerConfig configOrNull(Layer layer) {
        try {
            return layer.config();
        } catch (UnsupportedOperationException noConfig) {
            return null;
        }
    }

    /** Renames the layer and the wrapped one, whose weight names start with this name. */
    @Override
    public Layer name(String newName) {
        super.name(newName);
        if (layer != null) layer.name(name() + "/" + innerName);
        return this;
    }

    @Override
    public Layer dtype(dev.myelin.backend.DType type) {
        super.dtype(type);
        layer.dtype(type);
        return this;
    }

    public Layer layer() {
        return layer;
    }

    /** The inner layer's random state (one generator shared by all steps). */
    @Override
    public long[] randomState() {
        return layer.randomState();
    }

    @Override
    public void restoreRandomState(long[] state) {
        layer.restoreRandomState(state);
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() < 2) throw shapeError("input of shape [batch, time, ...] (at least 3 dimensions)", inputShape);
        Shape step = layer.outputShape(stepShape(inputShape));
        int[] dims = new int[step.rank() + 1];
        dims[0] = inputShape.dim(0);
        for (int i = 0; i < step.rank(); i++) dims[i + 1] = step.dim(i);
        return Shape.of(dims);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        layer.build(stepShape(inputShape), rng);
        trackWeightsOf(layer);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int batch = x.dim(0), steps = x.dim(1);
        int[] merged = x.shape().toArray();
        int[] flat = new int[merged.length - 1];
        flat[0] = batch * steps;
        System.arraycopy(merged, 2, flat, 1, merged.length - 2);
        Tensor y = layer.call(x.reshape(flat), training);
        int[] out = new int[y.rank() + 1];
        out[0] = batch;
        out[1] = steps;
        for (int i = 1; i < y.rank(); i++) out[i + 1] = y.dim(i);
        return y.reshape(out);
    }

    private static Shape stepShape(Shape inputShape) {
        int[] d = new int[inputShape.rank() - 1];
        for (int i = 1; i < inputShape.rank(); i++) d[i - 1] = inputShape.dim(i);
        return Shape.of(d);
    }
}
