package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Shape;
import java.util.Objects;

/**
 * The shared settings and shape rule of {@link MaxPooling2D} and {@link AveragePooling2D}: a
 * {@code poolH × poolW} window moved by strides (Keras's default: the window size) with VALID or SAME
 * padding, channels-last.
 *
 * <p>Output size: VALID {@code floor((in − pool) / stride) + 1}, SAME {@code ceil(in / stride)}.
 */
public abstract sealed class Pooling2D extends Layer permits MaxPooling2D, AveragePooling2D {
    private PoolOptions options;

    Pooling2D(String baseName, int poolH, int poolW) {
        super(baseName);
        if (poolH <= 0 || poolW <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " poolSize must be positive, got poolSize=(" + poolH + ", " + poolW + ")");
        }
        options = new PoolOptions(poolH, poolW, poolH, poolW, Padding.VALID);
    }

    final void setStrides(int strideH, int strideW) {
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " strides must be positive, got strides=(" + strideH + ", " + strideW + ")");
        }
        options = new PoolOptions(options.poolH(), options.poolW(), strideH, strideW, options.padding());
    }

    final void setPadding(Padding padding) {
        options = options.padding(Objects.requireNonNull(padding, "padding"));
    }

    /** Window, strides and padding. */
    public final PoolOptions options() {
        return options;
    }

    @Override
    protected final Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 3) throw shapeError("input of shape [height, width, channels] (rank 3, without the batch dimension)", inputShape);
        Padding p = options.padding();
        int oh = p.outputSize(inputShape.dim(0), options.poolH(), options.strideH());
        int ow = p.outputSize(inputShape.dim(1), options.poolW(), options.strideW());
        if (oh <= 0 || ow <= 0) {
            throw shapeError("height and width of at least the pool size " + options.poolH() + "x" + options.poolW() + " with " + p + " padding", inputShape);
        }
        return Shape.of(oh, ow, inputShape.dim(2));
    }
}
