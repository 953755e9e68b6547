package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * Mean squared error as a metric, as Keras's {@code metrics.MeanSquaredError}:
 * <pre>
 *   per sample: mean_j (yPred_ij − yTrue_ij)²;   result = mean over all samples seen since reset
 * </pre>
 *
 * <p>Shapes: {@code yPred [batch, ...]}; {@code yTrue} the same shape ({@code [batch]} against
 * {@code [batch, 1]} is accepted). A rank-1 {@code yPred [batch]} is one value per sample.
 *
 * <p>Example:
 * <pre>{@code
 * var m = new MeanSquaredError();
 * m.update(Tensor.of(new float[] {0, 1, 0, 0}, 2, 2), Tensor.of(new float[] {1, 1, 1, 0}, 2, 2));
 * m.result();   // 0.5
 * }</pre>
 */
public final class MeanSquaredError extends MeanMetric {
    /** MeanSquaredError's configuration: its name in logs. */
    public record Config(String name) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static MeanSquaredError fromConfig(Config config) {
        return new MeanSquaredError(config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name());
    }

    /** Named {@code "mean_squared_error"}. */
    public MeanSquaredError() {
        this("mean_squared_error");
    }

    public MeanSquaredError(String name) {
        super(name);
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.sameShape(name(), yTrue, yPred);
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double e = (double) p[i] - t[i];
            sum += e * e;
        }
        addBatch(sum, p.length, samples(yPred));
    }

    @Override
    public MeanSquaredError fresh() {
        return new MeanSquaredError(name());
    }
}
