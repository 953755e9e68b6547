package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * How often the target class is among the {@code k} highest predictions, as Keras's
 * {@code TopKCategoricalAccuracy} with one-hot targets:
 * <pre>
 *   t_i     = argmax_c yTrue_ic
 *   match_i = [ #{c : yPred_ic > yPred_i,t_i} &lt; k ]      (ties at the k-th value count as in, as Keras's in_top_k)
 *   result  = mean over all samples seen since reset
 * </pre>
 * With {@code k} at least the number of classes every sample matches.
 *
 * <p>Shapes: {@code yPred [batch, ..., C]}; {@code yTrue} the same shape (one-hot).
 *
 * <p>Example:
 * <pre>{@code
 * var m = new TopKCategoricalAccuracy(1);
 * m.update(Tensor.of(new float[] {0, 0, 1, 0, 1, 0}, 2, 3), Tensor.of(new float[] {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}, 2, 3));
 * m.result();   // 0.5
 * }</pre>
 */
public final class TopKCategoricalAccuracy extends MeanMetric {
    private final int k;

    /** TopKCategoricalAccuracy's configuration: its name in logs and k. */
    public record Config(String name, int k) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static TopKCategoricalAccuracy fromConfig(Config config) {
        return new TopKCategoricalAccuracy(config.k(), config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name(), k);
    }

    /** k = 5, named {@code "top_k_categorical_accuracy"}. */
    public TopKCategoricalAccuracy() {
        this(5);
    }

    public TopKCategoricalAccuracy(int k) {
        this(k, "top_k_categorical_accuracy");
    }

    public TopKCategoricalAccuracy(int k, String name) {
        super(name);
        this.k = checkK(name, k);
    }

    public int k() {
        return k;
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.oneHotShape(name(), yTrue, yPred);
        int classes = yPred.dim(-1);
        if (classes == 0) return;
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        int hits = 0;
        for (int off = 0; off < p.length; off += classes) {
            if (inTopK(p, off, classes, MetricInputs.argmax(t, off, classes), k)) hits++;
        }
        addBatch(hits, p.length / classes, samples(yPred));
    }

    static int checkK(String name, int k) {
        if (k < 1) throw new IllegalArgumentException(name + ": k must be at least 1, received " + k);
        return k;
    }

    /** Whether class {@code target} of the row {@code p[off .. off + n)} is among its k largest (ties included). */
    static boolean inTopK(float[] p, int off, int n, int target, int k) {
        if (target < 0 || target >= n) return false;
        float v = p[off + target];
        if (Float.isNaN(v)) return false;
        int greater = 0;
        for (int j = 0; j < n; j++) {
            if (p[off + j] > v && ++greater >= k) return false;
        }
        return true;
    }

    @Override
    public TopKCategoricalAccuracy fresh() {
        return new TopKCategoricalAccuracy(k, name());
    }
}
