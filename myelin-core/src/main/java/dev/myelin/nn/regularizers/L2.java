package dev.myelin.nn.regularizers;

import dev.myelin.nn.Regularizer;
import dev.myelin.tensor.Tensor;

/** L2 penalty, as Keras: {@code l2 · sum(w²)} (default {@code l2 = 0.01}; no factor ½). */
public record L2(double l2) implements Regularizer {
    public L2 {
        Regularizers.checkFactor("l2", l2);
    }

    public L2() {
        this(0.01);
    }

    @Override
    public Tensor penalty(Tensor weight) {
        return weight.square().sum().mul(l2);
    }
}
