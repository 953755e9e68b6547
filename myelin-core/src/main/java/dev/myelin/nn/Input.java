package dev.myelin.nn;

import dev.myelin.tensor.Shape;
import java.util.concurrent.atomic.AtomicInteger;

/** Model inputs for the functional API, as {@code keras.Input(shape=...)}. */
public final class Input {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private Input() {}

    /** An input of the given shape without the batch dimension, such as {@code Input.of(28, 28, 1)}. */
    public static SymbolicTensor of(int... shape) {
        int n = COUNT.getAndIncrement();
        return named(n == 0 ? "input" : "input_" + n, shape);
    }

    /** A named input (names label the inputs in {@link dev.myelin.models.Model#summary()}). */
    public static SymbolicTensor named(String name, int... shape) {
        return SymbolicTensor.input(Shape.of(shape), name);
    }
}
