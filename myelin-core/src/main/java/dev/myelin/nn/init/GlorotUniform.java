package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Glorot (Xavier) uniform, Keras's default kernel initializer: {@code U(-l, l)}, {@code l = sqrt(6 / (fanIn + fanOut))}. */
public record GlorotUniform() implements Initializer {
    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        double limit = Math.sqrt(6.0 / (Initializer.fanIn(shape) + Initializer.fanOut(shape)));
        return Tensor.uniform(rng, -limit, limit, shape.toArray()).to(dtype);
    }
}
