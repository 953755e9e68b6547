package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** LeCun uniform: {@code U(-l, l)}, {@code l = sqrt(3 / fanIn)}, as Keras. Fans as {@link Initializer} computes them, at least 1. */
public record LecunUniform() implements Initializer {
    private static final VarianceScaling SCALING =
            new VarianceScaling(1.0, VarianceScaling.Mode.FAN_IN, VarianceScaling.Distribution.UNIFORM);

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return SCALING.create(shape, dtype, rng);
    }
}
