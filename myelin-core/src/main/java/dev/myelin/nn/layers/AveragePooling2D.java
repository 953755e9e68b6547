package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Tensor;

/**
 * Average pooling: each output is the mean of its window, per channel. With SAME padding, border windows average only their positions inside the input (Keras/TensorFlow's rule; padding is not counted).
 *
 * <p>Shapes: input {@code [batch, height, width, channels]}, output {@code [batch, outH, outW, channels]};
 * VALID: {@code outH = floor((height − poolH) / strideH) + 1}; SAME: {@code outH = ceil(height / strideH)}
 * (likewise for the width). Strides default to the pool size, as Keras.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new AveragePooling2D(2).strides(1).padding(Padding.SAME)} keeps the height and width.
 */
public final class AveragePooling2D extends Pooling2D {
    /** AveragePooling2D's configuration: Keras's {@code pool_size}, {@code strides} and {@code padding}. */
    public record Config(LayerSettings layer, PoolOptions options) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static AveragePooling2D fromConfig(Config config) {
        PoolOptions o = config.options();
        AveragePooling2D p = new AveragePooling2D(o.poolH(), o.poolW()).strides(o.strideH(), o.strideW()).padding(o.padding());
        p.settings(config.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), options());
    }

    /** A 2×2 window with stride 2, Keras's default. */
    public AveragePooling2D() {
        this(2, 2);
    }

    public AveragePooling2D(int poolSize) {
        this(poolSize, poolSize);
    }

    public AveragePooling2D(int poolH, int poolW) {
        super("average_pooling2d", poolH, poolW);
    }

    public AveragePooling2D strides(int stride) {
        setStrides(stride, stride);
        return this;
    }

    public AveragePooling2D strides(int strideH, int strideW) {
        setStrides(strideH, strideW);
        return this;
    }

    public AveragePooling2D padding(Padding value) {
        setPadding(value);
        return this;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.avgPool2d(options());
    }
}
