package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * How often the predicted class equals an integer label, as Keras's {@code SparseCategoricalAccuracy}:
 * <pre>
 *   match_i = [ yTrue_i == argmax_c yPred_ic ]      (first index on ties)
 *   result  = mean over all samples seen since reset
 * </pre>
 * A label that is not a valid class id never matches. Logits work as well as probabilities.
 *
 * <p>Shapes: {@code yPred [batch, C]} with {@code yTrue [batch]} or {@code [batch, 1]}; sequences
 * {@code yPred [batch, time, C]} with {@code yTrue [batch, time]} (averaged over time within a sample).
 *
 * <p>Example:
 * <pre>{@code
 * var m = new SparseCategoricalAccuracy();
 * m.update(Tensor.of(new float[] {2, 1}, 2, 1), Tensor.of(new float[] {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0}, 2, 3));
 * m.result();   // 0.5
 * }</pre>
 */
public final class SparseCategoricalAccuracy extends MeanMetric {
    /** SparseCategoricalAccuracy's configuration: its name in logs. */
    public record Config(String name) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static SparseCategoricalAccuracy fromConfig(Config config) {
        return new SparseCategoricalAccuracy(config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name());
    }

    /** Named {@code "sparse_categorical_accuracy"}. */
    public SparseCategoricalAccuracy() {
        this("sparse_categorical_accuracy");
    }

    public SparseCategoricalAccuracy(String name) {
        super(name);
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.idsShape(name(), yTrue, yPred);
        addBatch(matches(yTrue, yPred), yTrue.size(), samples(yPred));
    }

    /** Number of rows whose argmax equals the label (yTrue holds one id per row of yPred). */
    static int matches(Tensor yTrue, Tensor yPred) {
        int classes = yPred.dim(-1);
        if (classes == 0) return 0;
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        int hits = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == MetricInputs.argmax(p, i * classes, classes)) hits++;
        }
        return hits;
    }

    @Override
    public SparseCategoricalAccuracy fresh() {
        return new SparseCategoricalAccuracy(name());
    }
}
