package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * Mean absolute error as a metric, as Keras's {@code metrics.MeanAbsoluteError}:
 * <pre>
 *   per sample: mean_j |yPred_ij − yTrue_ij|;   result = mean over all samples seen since reset
 * </pre>
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} the same shape ({@code [batch]} against
 * {@code [batch, 1]} is accepted). A rank-1 {@code yPred [batch]} is one value per sample.
 *
 * <p>Example:
 * <pre>{@code
 * var m = new MeanAbsoluteError();
 * m.update(Tensor.of(new float[] {0, 1, 0, 0}, 2, 2), Tensor.of(new float[] {1, 1, 1, 0}, 2, 2));
 * m.result();   // 0.5
 * }</pre>
 */
public final class MeanAbsoluteError extends MeanMetric {
    /** MeanAbsoluteError's configuration: its name in logs. */
    public record Config(String name) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static MeanAbsoluteError fromConfig(Config config) {
        return new MeanAbsoluteError(config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name());
    }

    /** Named {@code "mean_absolute_error"}. */
    public MeanAbsoluteError() {
        this("mean_absolute_error");
    }

    public MeanAbsoluteError(String name) {
        super(name);
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.sameShape(name(), yTrue, yPred);
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += Math.abs((double) p[i] - t[i]);
        addBatch(sum, p.length, samples(yPred));
    }

    @Override
    public MeanAbsoluteError fresh() {
        return new MeanAbsoluteError(name());
    }
}
