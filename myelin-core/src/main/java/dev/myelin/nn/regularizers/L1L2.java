package dev.myelin.nn.regularizers;

import dev.myelin.nn.Regularizer;
import dev.myelin.tensor.Tensor;

/** Both penalties, as Keras: {@code l1 · sum(|w|) + l2 · sum(w²)} (Keras's defaults are 0 for both). */
public record L1L2(double l1, double l2) implements Regularizer {
    public L1L2 {
        Regularizers.checkFactor("l1", l1);
        Regularizers.checkFactor("l2", l2);
    }

    public L1L2() {
        this(0.0, 0.0);
    }

    @Override
    public Tensor penalty(Tensor weight) {
        Tensor p = Tensor.scalar(weight.dtype(), 0.0);
        if (l1 != 0) p = p.add(weight.abs().sum().mul(l1));
        if (l2 != 0) p = p.add(weight.square().sum().mul(l2));
        return p;
    }
}
