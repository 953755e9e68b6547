package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * Base of the metrics that average a per-sample value, as Keras's {@code MeanMetricWrapper}: each batch
 * adds the sum of its per-sample values (a sample's value is the mean over its non-batch positions) and
 * its number of samples; {@code result = total / count}, 0 before any sample.
 */
abstract class MeanMetric implements Metric {
    private final String name;
    private double total;
    private double count;

    MeanMetric(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is empty");
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void reset() {
        total = 0;
        count = 0;
    }

    @Override
    public final double result() {
        return count == 0 ? 0.0 : total / count;
    }

    /**
     * Adds a batch whose per-position values sum to {@code sum} over {@code positions} positions,
     * spread evenly over {@code samples} samples (the batch dimension).
     */
    final void addBatch(double sum, int positions, int samples) {
        if (samples == 0 || positions == 0) return;
        total += sum * samples / positions;
        count += samples;
    }

    /** The batch size: the first dimension of yPred. */
    static int samples(Tensor yPred) {
        return yPred.dim(0);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + " = " + result() + "]";
    }
}
