package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Nearest-neighbour upsampling (Keras's {@code UpSampling2D} with {@code interpolation="nearest"}): each
 * pixel is repeated {@code sizeH} times down and {@code sizeW} times across,
 * {@code y[b, i, j, c] = x[b, i / sizeH, j / sizeW, c]} (integer division).
 *
 * <p>Shapes: input {@code [batch, height, width, channels]}, output
 * {@code [batch, height·sizeH, width·sizeW, channels]}.
 *
 * <p>Weights: none. The gradient of each input pixel is the sum over its {@code sizeH × sizeW} block; it
 * comes from the reshape and broadcast the layer is built of.
 *
 * <p>Example: {@code new UpSampling2D(2)} on {@code [7, 7, 64]} gives {@code [14, 14, 64]}.
 */
public final class UpSampling2D extends Layer {
    private final int sizeH;
    private final int sizeW;

    /** UpSampling2D's configuration: Keras's {@code size} (nearest-neighbour interpolation). */
    public record Config(LayerSettings layer, int sizeH, int sizeW) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static UpSampling2D fromConfig(Config config) {
        UpSampling2D l = new UpSampling2D(config.sizeH(), config.sizeW());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), sizeH, sizeW);
    }

    /** Keras's default size is 2. */
    public UpSampling2D() {
        this(2, 2);
    }

    public UpSampling2D(int size) {
        this(size, size);
    }

    public UpSampling2D(int sizeH, int sizeW) {
        super("up_sampling2d");
        if (sizeH <= 0 || sizeW <= 0) throw new IllegalArgumentException("UpSampling2D size must be positive, got size=(" + sizeH + ", " + sizeW + ")");
        this.sizeH = sizeH;
        this.sizeW = sizeW;
    }

    /** {@code {sizeH, sizeW}}. */
    public int[] size() {
        return new int[] {sizeH, sizeW};
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 3) throw shapeError("input of shape [height, width, channels] (rank 3, without the batch dimension)", inputShape);
        return Shape.of(inputShape.dim(0) * sizeH, inputShape.dim(1) * sizeW, inputShape.dim(2));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        return x.reshape(n, h, 1, w, 1, c).expand(n, h, sizeH, w, sizeW, c).reshape(n, h * sizeH, w * sizeW, c);
    }
}
