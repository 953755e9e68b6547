package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** All ones, Keras's default for BatchNormalization's {@code gamma} and {@code moving_variance}. */
public record Ones() implements Initializer {
    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return Tensor.full(dtype, shape, 1.0);
    }
}
