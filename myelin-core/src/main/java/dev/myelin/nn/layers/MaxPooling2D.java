package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Tensor;

/**
 * Max pooling: each output is the largest value in its window, per channel. With SAME padding the padded positions never win.
 *
 * <p>Shapes: input {@code [batch, height, width, channels]}, output {@code [batch, outH, outW, channels]};
 * VALID: {@code outH = floor((height − poolH) / strideH) + 1}; SAME: {@code outH = ceil(height / strideH)}
 * (likewise for the width). Strides default to the pool size, as Keras.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new MaxPooling2D(2)} on {@code [26, 26, 32]} gives {@code [13, 13, 32]}.
 */
public final class MaxPooling2D extends Pooling2D {
    /** MaxPooling2D's configuration: Keras's {@code pool_size}, {@code strides} and {@code padding}. */
    public record Config(LayerSettings layer, PoolOptions options) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static MaxPooling2D fromConfig(Config config) {
        PoolOptions o = config.options();
        MaxPooling2D p = new MaxPooling2D(o.poolH(), o.poolW()).strides(o.strideH(), o.strideW()).padding(o.padding());
        p.settings(config.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), options());
    }

    /** A 2×2 window with stride 2, Keras's default. */
    public MaxPooling2D() {
        this(2, 2);
    }

    public MaxPooling2D(int poolSize) {
        this(poolSize, poolSize);
    }

    public MaxPooling2D(int poolH, int poolW) {
        super("max_pooling2d", poolH, poolW);
    }

    public MaxPooling2D strides(int stride) {
        setStrides(stride, stride);
        return this;
    }

    public MaxPooling2D strides(int strideH, int strideW) {
        setStrides(strideH, strideW);
        return this;
    }

    public MaxPooling2D padding(Padding value) {
        setPadding(value);
        return this;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.maxPool2d(options());
    }
}
