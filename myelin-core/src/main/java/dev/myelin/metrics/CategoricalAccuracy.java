package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * How often the predicted class matches a one-hot target, as Keras's {@code CategoricalAccuracy}:
 * <pre>
 *   match_i = [ argmax_c yTrue_ic == argmax_c yPred_ic ]      (first index on ties)
 *   result  = mean over all samples seen since reset
 * </pre>
 * Logits work as well as probabilities (argmax is the same).
 *
 * <p>Shapes: {@code yPred [batch, ..., C]}; {@code yTrue} the same shape (one-hot). A sequence
 * {@code [batch, time, C]} averages over time within each sample.
 *
 * <p>Example:
 * <pre>{@code
 * var m = new CategoricalAccuracy();
 * m.update(Tensor.of(new float[] {0, 0, 1, 0, 1, 0}, 2, 3), Tensor.of(new float[] {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}, 2, 3));
 * m.result();   // 0.5
 * }</pre>
 */
public final class CategoricalAccuracy extends MeanMetric {
    /** CategoricalAccuracy's configuration: its name in logs. */
    public record Config(String name) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static CategoricalAccuracy fromConfig(Config config) {
        return new CategoricalAccuracy(config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name());
    }

    /** Named {@code "categorical_accuracy"}. */
    public CategoricalAccuracy() {
        this("categorical_accuracy");
    }

    public CategoricalAccuracy(String name) {
        super(name);
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.oneHotShape(name(), yTrue, yPred);
        int classes = yPred.dim(-1);
        addBatch(matches(yTrue, yPred), yPred.size() / Math.max(classes, 1), samples(yPred));
    }

    /** Number of rows whose argmax agrees (yTrue one-hot, same shape as yPred). */
    static int matches(Tensor yTrue, Tensor yPred) {
        int classes = yPred.dim(-1);
        if (classes == 0) return 0;
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        int hits = 0;
        for (int off = 0; off < p.length; off += classes) {
            if (MetricInputs.argmax(t, off, classes) == MetricInputs.argmax(p, off, classes)) hits++;
        }
        return hits;
    }

    @Override
    public CategoricalAccuracy fresh() {
        return new CategoricalAccuracy(name());
    }
}
