package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.tensor.Shape;

/**
 * The shape rule of {@link GlobalAveragePooling2D} and {@link GlobalMaxPooling2D}: reduce height and
 * width, keeping them as 1 when {@code keepDims} is set (Keras's {@code keepdims}).
 */
public abstract sealed class GlobalPooling2D extends Layer permits GlobalAveragePooling2D, GlobalMaxPooling2D {
    static final int[] SPATIAL_AXES = {1, 2};
    private boolean keepDims;

    GlobalPooling2D(String baseName) {
        super(baseName);
    }

    final void setKeepDims(boolean value) {
        this.keepDims = value;
    }

    public final boolean keepDims() {
        return keepDims;
    }

    @Override
    protected final Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 3) throw shapeError("input of shape [height, width, channels] (rank 3, without the batch dimension)", inputShape);
        if (inputShape.dim(0) == 0 || inputShape.dim(1) == 0) throw shapeError("a non-empty height and width", inputShape);
        int c = inputShape.dim(2);
        return keepDims ? Shape.of(1, 1, c) : Shape.of(c);
    }
}
