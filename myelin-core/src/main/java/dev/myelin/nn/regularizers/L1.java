package dev.myelin.nn.regularizers;

import dev.myelin.nn.Regularizer;
import dev.myelin.tensor.Tensor;

/** L1 penalty, as Keras: {@code l1 · sum(|w|)} (default {@code l1 = 0.01}). */
public record L1(double l1) implements Regularizer {
    public L1 {
        Regularizers.checkFactor("l1", l1);
    }

    public L1() {
        this(0.01);
    }

    @Override
    public Tensor penalty(Tensor weight) {
        return weight.abs().sum().mul(l1);
    }
}
