package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * A metric constant such as {@link Metric#ACCURACY}: a configuration without state. Models call
 * {@link #fresh()} for their own instance; updating, reading or resetting the constant itself is refused,
 * so two models can never share one running state through it.
 */
final class SharedMetric implements Metric {
    private final String constant;
    private final Metric prototype;

    SharedMetric(String constant, Metric prototype) {
        this.constant = constant;
        this.prototype = prototype;
    }

    @Override
    public String name() {
        return prototype.name();
    }

    @Override
    public void reset() {
        throw refused();
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        throw refused();
    }

    @Override
    public double result() {
        throw refused();
    }

    @Override
    public Metric fresh() {
        return prototype.fresh();
    }

    private IllegalStateException refused() {
        return new IllegalStateException(constant + " is a shared constant and keeps no state; call " + constant
                + ".fresh() for an instance of your own (models do this when compiled)");
    }

    @Override
    public String toString() {
        return constant;
    }
}
