package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Normal samples {@code N(mean, stddev²)} redrawn until they lie within two {@code stddev} of the mean, as
 * Keras's {@code TruncatedNormal} (defaults mean 0, stddev 0.05). The samples' actual standard deviation
 * is {@code 0.8796 · stddev}.
 */
public record TruncatedNormal(double mean, double stddev) implements Initializer {
    public TruncatedNormal {
        if (!Double.isFinite(mean)) throw new IllegalArgumentException("TruncatedNormal mean must be finite, got " + mean);
        if (!(stddev >= 0) || Double.isInfinite(stddev)) {
            throw new IllegalArgumentException("TruncatedNormal stddev must be finite and >= 0, got " + stddev);
        }
    }

    public TruncatedNormal() {
        this(0.0, 0.05);
    }

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        return Tensor.truncatedNormal(rng, mean, stddev, shape.toArray()).to(dtype);
    }
}
