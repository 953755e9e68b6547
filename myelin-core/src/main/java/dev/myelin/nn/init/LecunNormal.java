package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** LeCun normal: truncated normal with {@code stddev = sqrt(1 / fanIn) / 0.87962566103423978}, as Keras. Fans as {@link Initializer} computes them, at least 1. */
public record LecunNormal() implements Initializer {
    private static final VarianceScaling SCALING =
            new VarianceScaling(1.0, VarianceScaling.Mode.FAN_IN, VarianceScaling.Distribution.TRUNCATED_NORMAL);

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return SCALING.create(shape, dtype, rng);
    }
}
