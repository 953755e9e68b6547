package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** All zeros, Keras's default bias initializer. */
public record Zeros() implements Initializer {
    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return Tensor.zeros(dtype, shape);
    }
}
