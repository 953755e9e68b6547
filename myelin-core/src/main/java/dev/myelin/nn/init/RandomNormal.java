package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Normal samples {@code N(mean, stddev²)}; Keras's defaults are mean 0, stddev 0.05. */
public record RandomNormal(double mean, double stddev) implements Initializer {
    public RandomNormal {
        if (!Double.isFinite(mean)) throw new IllegalArgumentException("RandomNormal mean must be finite, got " + mean);
        if (!(stddev >= 0) || Double.isInfinite(stddev)) {
            throw new IllegalArgumentException("RandomNormal stddev must be finite and >= 0, got " + stddev);
        }
    }

    public RandomNormal() {
        this(0.0, 0.05);
    }

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return Tensor.normal(rng, mean, stddev, shape.toArray()).to(dtype);
    }
}
