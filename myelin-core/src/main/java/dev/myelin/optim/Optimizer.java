package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import java.util.List;

/**
 * Base of the optimizers (placeholder contract; the optimizer work fills in the bookkeeping):
 * {@link #apply} updates each trainable parameter in place from its accumulated gradient.
 */
public abstract class Optimizer {
    private double learningRate;
    private long iterations;

    protected Optimizer(double learningRate) {
        this.learningRate = learningRate;
    }

    /** Updates {@code parameters} in place from their gradients (parameters without a gradient are skipped), then counts one iteration. */
    public abstract void apply(List<Parameter> parameters);

    public double learningRate() {
        return learningRate;
    }

    public void setLearningRate(double value) {
        this.learningRate = value;
    }

    public long iterations() {
        return iterations;
    }

    protected void countIteration() {
        iterations++;
    }
}
