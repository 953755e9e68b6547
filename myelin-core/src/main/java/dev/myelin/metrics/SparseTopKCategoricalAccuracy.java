package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * How often an integer target is among the {@code k} highest predictions, as Keras's
 * {@code SparseTopKCategoricalAccuracy}:
 * <pre>
 *   match_i = [ #{c : yPred_ic > yPred_i,yTrue_i} &lt; k ]     (ties at the k-th value count as in)
 *   result  = mean over all samples seen since reset
 * </pre>
 * A label that is not a valid class id never matches.
 *
 * <p>Shapes: {@code yPred [batch, C]} with {@code yTrue [batch]} or {@code [batch, 1]}; sequences
 * {@code yPred [batch, time, C]} with {@code yTrue [batch, time]}.
 *
 * <p>Example:
 * <pre>{@code
 * var m = new SparseTopKCategoricalAccuracy(1);
 * m.update(Tensor.of(new float[] {2, 1}, 2), Tensor.of(new float[] {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}, 2, 3));
 * m.result();   // 0.5
 * }</pre>
 */
public final class SparseTopKCategoricalAccuracy extends MeanMetric {
    private final int k;

    /** SparseTopKCategoricalAccuracy's configuration: its name in logs and k. */
    public record Config(String name, int k) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static SparseTopKCategoricalAccuracy fromConfig(Config config) {
        return new SparseTopKCategoricalAccuracy(config.k(), config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name(), k);
    }

    /** k = 5, named {@code "sparse_top_k_categorical_accuracy"}. */
    public SparseTopKCategoricalAccuracy() {
        this(5);
    }

    public SparseTopKCategoricalAccuracy(int k) {
        this(k, "sparse_top_k_categorical_accuracy");
    }

    public SparseTopKCategoricalAccuracy(int k, String name) {
        super(name);
        this.k = TopKCategoricalAccuracy.checkK(name, k);
    }

    public int k() {
        return k;
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.idsShape(name(), yTrue, yPred);
        int classes = yPred.dim(-1);
        if (classes == 0) return;
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        int hits = 0;
        for (int i = 0; i < t.length; i++) {
            float label = t[i];
            int target = label == Math.rint(label) && label >= 0 && label < classes ? (int) label : -1;
            if (TopKCategoricalAccuracy.inTopK(p, i * classes, classes, target, k)) hits++;
        }
        addBatch(hits, t.length, samples(yPred));
    }

    @Override
    public SparseTopKCategoricalAccuracy fresh() {
        return new SparseTopKCategoricalAccuracy(k, name());
    }
}
