package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * A stateful metric, as Keras's: {@link #update} accumulates over batches, {@link #result} reads the
 * value so far, {@link #reset} starts an epoch. Metrics never join the autograd graph.
 */
public interface Metric {
    /** The name used in logs and {@code History}, such as {@code "accuracy"}. */
    String name();

    void reset();

    /** Accumulates one batch of targets and predictions (shapes as the matching loss). */
    void update(Tensor yTrue, Tensor yPred);

    double result();

    /** A new instance with the same configuration and empty state (models copy the metrics they are compiled with). */
    Metric fresh();
}
