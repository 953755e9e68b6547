package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Uniform samples in {@code [minval, maxval)}; Keras's defaults are -0.05 and 0.05. */
public record RandomUniform(double minval, double maxval) implements Initializer {
    public RandomUniform {
        if (!Double.isFinite(minval) || !Double.isFinite(maxval) || !(minval < maxval)) {
            throw new IllegalArgumentException("RandomUniform needs finite minval < maxval, got minval=" + minval + ", maxval=" + maxval);
        }
    }

    public RandomUniform() {
        this(-0.05, 0.05);
    }

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return Tensor.uniform(rng, minval, maxval, shape.toArray()).to(dtype);
    }
}
