package dev.myelin.metrics;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Keras's {@code "accuracy"} metric as {@code compile} resolves it: the kind of accuracy follows from
 * the shapes of each batch.
 * <table>
 *   <caption>Selection</caption>
 *   <tr><th>yPred</th><th>yTrue</th><th>computed as</th></tr>
 *   <tr><td>last dimension 1, or rank 1</td><td>same shape, or {@code [batch]} against {@code [batch, 1]}</td>
 *       <td>{@link BinaryAccuracy}, threshold 0.5</td></tr>
 *   <tr><td>{@code [..., C]}, C &gt; 1</td><td>one dimension fewer ({@code [...]}), or a trailing 1 ({@code [..., 1]})</td>
 *       <td>{@link SparseCategoricalAccuracy}</td></tr>
 *   <tr><td>{@code [..., C]}, C &gt; 1</td><td>the same shape</td><td>{@link CategoricalAccuracy}</td></tr>
 * </table>
 * Each kind is the mean over samples of the per-sample match, so {@code result} is the fraction of
 * correctly classified samples since {@link #reset}.
 *
 * <p>(Keras's {@code keras.metrics.Accuracy} class compares values for exact equality; what models use
 * under the name "accuracy" is this selection, so that is what this class does.)
 *
 * <p>Example:
 * <pre>{@code
 * var acc = new Accuracy();
 * acc.update(Tensor.of(new float[] {2, 1}, 2), Tensor.of(new float[] {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0}, 2, 3));
 * acc.result();   // 0.5 (sparse: ids [2] against probabilities [2, 3])
 * }</pre>
 */
public final class Accuracy extends MeanMetric {
    /** Accuracy's configuration: its name in logs. */
    public record Config(String name) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static Accuracy fromConfig(Config config) {
        return new Accuracy(config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name());
    }

    /** Which accuracy a batch is scored with. */
    public enum Kind { BINARY, SPARSE_CATEGORICAL, CATEGORICAL }

    /** Named {@code "accuracy"}. */
    public Accuracy() {
        this("accuracy");
    }

    /** With the name used in logs, such as Keras's alias {@code "acc"}. */
    public Accuracy(String name) {
        super(name);
    }

    /**
     * The kind of accuracy for targets and predictions of these shapes (see the table above).
     *
     * @throws IllegalArgumentException naming both shapes when none fits
     */
    public static Kind select(Shape yTrue, Shape yPred) {
        return select("accuracy", yTrue, yPred);
    }

    static Kind select(String metric, Shape yTrue, Shape yPred) {
        if (yPred.rank() == 0) throw new IllegalArgumentException(metric + ": expected yPred of shape [batch, ...], received a scalar");
        int classes = yPred.dim(-1);
        if (yPred.rank() == 1 || classes == 1) {
            if (yTrue.equals(yPred) || yTrue.equalsUpToTrailingOne(yPred)) return Kind.BINARY;
        } else if (MetricInputs.isIds(yTrue, yPred)) {
            return Kind.SPARSE_CATEGORICAL;
        } else if (yTrue.equals(yPred)) {
            return Kind.CATEGORICAL;
        }
        Shape lead = yPred.withoutLast();
        throw new IllegalArgumentException(metric + ": yTrue shape " + yTrue + " does not fit yPred shape " + yPred
                + "; expected class ids " + lead + " or " + lead + " + [1] (sparse), one-hot " + yPred
                + " (categorical), or yPred with last dimension 1 and yTrue of the same shape (binary)");
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.nonNull(name(), yTrue, yPred);
        int samples = samples(yPred);
        switch (select(name(), yTrue.shape(), yPred.shape())) {
            case BINARY -> addBatch(BinaryAccuracy.matches(yTrue, yPred, 0.5), yPred.size(), samples);
            case SPARSE_CATEGORICAL -> addBatch(SparseCategoricalAccuracy.matches(yTrue, yPred), yTrue.size(), samples);
            case CATEGORICAL -> addBatch(CategoricalAccuracy.matches(yTrue, yPred), yPred.size() / yPred.dim(-1), samples);
        }
    }

    @Override
    public Accuracy fresh() {
        return new Accuracy(name());
    }
}
