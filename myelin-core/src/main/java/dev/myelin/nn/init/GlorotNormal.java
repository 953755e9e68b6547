package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Glorot (Xavier) normal: truncated normal with {@code stddev = sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978}, as Keras. Fans as {@link Initializer} computes them, at least 1. */
public record GlorotNormal() implements Initializer {
    private static final VarianceScaling SCALING =
            new VarianceScaling(1.0, VarianceScaling.Mode.FAN_AVG, VarianceScaling.Distribution.TRUNCATED_NORMAL);

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return SCALING.create(shape, dtype, rng);
    }
}
