package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * A running weighted mean of values, as Keras's {@code Mean}; the training loop tracks the loss with one
 * ({@code new Mean("loss")}, updated with each batch's loss weighted by the batch size, so a short last
 * batch counts for what it holds):
 * <pre>
 *   total += Σ w·v,   count += Σ w,   result = total / count      (0 before any value)
 * </pre>
 *
 * <p>Shapes: as a {@link Metric}, {@link #update(Tensor, Tensor)} averages every element of
 * {@code yPred} (weight 1 each) and ignores {@code yTrue}, which may be null.
 *
 * <p>Example:
 * <pre>{@code
 * var loss = new Mean("loss");
 * loss.update(0.9, 32);
 * loss.update(0.6, 16);
 * loss.result();   // (0.9·32 + 0.6·16) / 48 = 0.8
 * }</pre>
 */
public final class Mean implements Metric {
    private final String name;
    private double total;
    private double count;

    /** Mean's configuration: its name in logs. */
    public record Config(String name) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static Mean fromConfig(Config config) {
        return new Mean(config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name());
    }

    /** Named {@code "mean"}. */
    public Mean() {
        this("mean");
    }

    public Mean(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is empty");
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void reset() {
        total = 0;
        count = 0;
    }

    /** Adds one value with weight 1. */
    public void update(double value) {
        update(value, 1);
    }

    /** Adds one value with a non-negative weight (such as the number of samples it averages). */
    public void update(double value, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(name + ": weight must be finite and >= 0, received " + weight);
        }
        total += value * weight;
        count += weight;
    }

    /** Adds every element of {@code values} with weight 1 (a scalar loss adds one value). */
    public void update(Tensor values) {
        java.util.Objects.requireNonNull(values, () -> name + ": values is null");
        float[] v = MetricInputs.read(values);
        double sum = 0;
        for (float x : v) sum += x;
        total += sum;
        count += v.length;
    }

    /** Adds the elements of {@code yPred} (see {@link #update(Tensor)}); {@code yTrue} is ignored. */
    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        update(yPred);
    }

    @Override
    public double result() {
        return count == 0 ? 0.0 : total / count;
    }

    /** The sum of weights so far. */
    public double count() {
        return count;
    }

    @Override
    public Mean fresh() {
        return new Mean(name);
    }

    @Override
    public String toString() {
        return "Mean[" + name + " = " + result() + ", count " + count + "]";
    }
}
