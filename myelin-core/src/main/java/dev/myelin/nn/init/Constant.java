package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Every element equal to {@code value} (Keras's {@code Constant}, default 0). */
public record Constant(double value) implements Initializer {
    public Constant {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("Constant value must be finite, got " + value);
    }

    public Constant() {
        this(0.0);
    }

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return Tensor.full(dtype, shape, value);
    }
}
