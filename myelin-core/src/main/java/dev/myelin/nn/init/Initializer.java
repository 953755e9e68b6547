package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Creates a weight's initial values. Fans follow Keras: for a kernel of shape
 * {@code [..receptive field.., in, out]}, {@code fanIn = in * receptive} and {@code fanOut = out * receptive};
 * a vector has {@code fanIn = fanOut = length}.
 */
@FunctionalInterface
public interface Initializer {
    Tensor create(Shape shape, DType dtype, RandomGenerator rng);

    /** {@code fanIn} of {@code shape} as Keras computes it. */
    static double fanIn(Shape shape) {
        return fans(shape)[0];
    }

    /** {@code fanOut} of {@code shape} as Keras computes it. */
    static double fanOut(Shape shape) {
        return fans(shape)[1];
    }

    private static double[] fans(Shape shape) {
        int r = shape.rank();
        if (r == 0) return new double[] {1, 1};
        if (r == 1) return new double[] {shape.dim(0), shape.dim(0)};
        if (r == 2) return new double[] {shape.dim(0), shape.dim(1)};
        double receptive = 1;
        for (int i = 0; i < r - 2; i++) receptive *= shape.dim(i);
        return new double[] {shape.dim(r - 2) * receptive, shape.dim(r - 1) * receptive};
    }
}
