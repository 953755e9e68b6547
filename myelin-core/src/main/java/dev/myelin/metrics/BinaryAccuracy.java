package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * How often thresholded predictions equal binary labels, as Keras's {@code BinaryAccuracy}:
 * <pre>
 *   match_ij = [ yTrue_ij == (yPred_ij > threshold ? 1 : 0) ]
 *   per sample: mean_j match_ij;   result = mean over all samples seen since reset
 * </pre>
 *
 * <p>Shapes: {@code yPred [batch, ...]} probabilities, usually {@code [batch, 1]}; {@code yTrue} the same
 * shape ({@code [batch]} against {@code [batch, 1]} is accepted), labels 0 or 1.
 *
 * <p>Example:
 * <pre>{@code
 * var m = new BinaryAccuracy();
 * m.update(Tensor.of(new float[] {1, 1, 0, 0}, 4, 1), Tensor.of(new float[] {0.98f, 1, 0, 0.6f}, 4, 1));
 * m.result();   // 0.75
 * }</pre>
 */
public final class BinaryAccuracy extends MeanMetric {
    private final double threshold;

    /** BinaryAccuracy's configuration: its name in logs and threshold. */
    public record Config(String name, double threshold) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static BinaryAccuracy fromConfig(Config config) {
        return new BinaryAccuracy(config.threshold(), config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name(), threshold);
    }

    /** Threshold 0.5, named {@code "binary_accuracy"}. */
    public BinaryAccuracy() {
        this(0.5);
    }

    /** Named {@code "binary_accuracy"}; predictions strictly above {@code threshold}, in (0, 1), count as 1. */
    public BinaryAccuracy(double threshold) {
        this(threshold, "binary_accuracy");
    }

    public BinaryAccuracy(double threshold, String name) {
        super(name);
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException(name + ": threshold must be in (0, 1), received " + threshold);
        }
        this.threshold = threshold;
    }

    public double threshold() {
        return threshold;
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.sameShape(name(), yTrue, yPred);
        addBatch(matches(yTrue, yPred, threshold), yPred.size(), samples(yPred));
    }

    /** Number of positions where the thresholded prediction equals the label. */
    static int matches(Tensor yTrue, Tensor yPred, double threshold) {
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        int hits = 0;
        for (int i = 0; i < p.length; i++) {
            float predicted = p[i] > threshold ? 1f : 0f;
            if (t[i] == predicted) hits++;
        }
        return hits;
    }

    @Override
    public BinaryAccuracy fresh() {
        return new BinaryAccuracy(threshold, name());
    }
}
