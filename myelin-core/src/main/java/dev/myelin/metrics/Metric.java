package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;
import java.util.Locale;

/**
 * A stateful metric, as Keras's: {@link #update} accumulates over batches, {@link #result} reads the
 * value so far, {@link #reset} starts an epoch. Metrics never join the autograd graph: they read their
 * inputs once per batch as arrays.
 *
 * <p>The constants ({@link #ACCURACY}, {@link #MAE}, ...) stand for Keras's metric strings. They are
 * shared, stateless configurations: a model calls {@link #fresh()} on each metric it is compiled with
 * and updates only its copies; the constants themselves refuse {@code update}, {@code result} and
 * {@code reset}. {@link #of(String)} returns a new instance, named by the string as Keras does
 * ({@code "acc"} logs as {@code acc}).
 * <table>
 *   <caption>Metric names</caption>
 *   <tr><th>names</th><th>metric</th></tr>
 *   <tr><td>{@code accuracy}, {@code acc}</td><td>{@link Accuracy} (binary / sparse / categorical chosen from the shapes)</td></tr>
 *   <tr><td>{@code binary_accuracy}</td><td>{@link BinaryAccuracy} (threshold 0.5)</td></tr>
 *   <tr><td>{@code categorical_accuracy}</td><td>{@link CategoricalAccuracy}</td></tr>
 *   <tr><td>{@code sparse_categorical_accuracy}</td><td>{@link SparseCategoricalAccuracy}</td></tr>
 *   <tr><td>{@code top_k_categorical_accuracy}</td><td>{@link TopKCategoricalAccuracy} (k = 5)</td></tr>
 *   <tr><td>{@code sparse_top_k_categorical_accuracy}</td><td>{@link SparseTopKCategoricalAccuracy} (k = 5)</td></tr>
 *   <tr><td>{@code mean_absolute_error}, {@code mae}</td><td>{@link MeanAbsoluteError}</td></tr>
 *   <tr><td>{@code mean_squared_error}, {@code mse}</td><td>{@link MeanSquaredError}</td></tr>
 *   <tr><td>{@code auc}</td><td>{@link AUC} (200 thresholds, ROC)</td></tr>
 *   <tr><td>{@code precision}, {@code recall}</td><td>{@link Precision}, {@link Recall} (threshold 0.5)</td></tr>
 * </table>
 * Matching ignores case and underscores, so Keras class names such as {@code "SparseCategoricalAccuracy"}
 * work too. {@link Mean} and {@link ConfusionMatrix} are made with their constructors.
 *
 * <p>Example:
 * <pre>{@code
 * Metric acc = Metric.ACCURACY.fresh();
 * for (var batch : batches) acc.update(batch.labels(), model.call(batch.x(), false));
 * double accuracy = acc.result();
 * }</pre>
 */
public interface Metric {
    /** Keras's {@code "accuracy"}: see {@link Accuracy}. */
    Metric ACCURACY = new SharedMetric("Metric.ACCURACY", new Accuracy());
    /** Keras's {@code "mae"}: {@link MeanAbsoluteError} named {@code mae}. */
    Metric MAE = new SharedMetric("Metric.MAE", new MeanAbsoluteError("mae"));
    /** Keras's {@code "mse"}: {@link MeanSquaredError} named {@code mse}. */
    Metric MSE = new SharedMetric("Metric.MSE", new MeanSquaredError("mse"));
    /** Keras's {@code "auc"}: ROC {@link AUC} with 200 thresholds. */
    Metric AUC = new SharedMetric("Metric.AUC", new AUC());
    /** Keras's {@code "precision"}: {@link Precision} at threshold 0.5. */
    Metric PRECISION = new SharedMetric("Metric.PRECISION", new Precision());
    /** Keras's {@code "recall"}: {@link Recall} at threshold 0.5. */
    Metric RECALL = new SharedMetric("Metric.RECALL", new Recall());

    /** The name used in logs and {@code History}, such as {@code "accuracy"}. */
    String name();

    void reset();

    /** Accumulates one batch of targets and predictions (shapes as the matching loss). */
    void update(Tensor yTrue, Tensor yPred);

    double result();

    /** A new instance with the same configuration and empty state (models copy the metrics they are compiled with). */
    Metric fresh();

    /**
     * A new metric for a Keras metric string (see the table above), named by that string.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    static Metric of(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is empty; expected one of " + validNames());
        String n = name.trim();
        return switch (n.replace("_", "").toLowerCase(Locale.ROOT)) {
            case "accuracy", "acc" -> new Accuracy(n);
            case "binaryaccuracy" -> new BinaryAccuracy(0.5, n);
            case "categoricalaccuracy" -> new CategoricalAccuracy(n);
            case "sparsecategoricalaccuracy" -> new SparseCategoricalAccuracy(n);
            case "topkcategoricalaccuracy" -> new TopKCategoricalAccuracy(5, n);
            case "sparsetopkcategoricalaccuracy" -> new SparseTopKCategoricalAccuracy(5, n);
            case "meanabsoluteerror", "mae" -> new MeanAbsoluteError(n);
            case "meansquarederror", "mse" -> new MeanSquaredError(n);
            case "auc" -> new AUC(200, n);
            case "precision" -> new Precision(0.5, n);
            case "recall" -> new Recall(0.5, n);
            default -> throw new IllegalArgumentException("unknown metric '" + name + "'; expected one of " + validNames());
        };
    }

    private static String validNames() {
        return "accuracy (acc), binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, "
                + "top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_absolute_error (mae), "
                + "mean_squared_error (mse), auc, precision, recall";
    }
}
