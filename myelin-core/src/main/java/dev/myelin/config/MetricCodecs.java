package dev.myelin.config;

import static dev.myelin.config.KerasArgs.map;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.metrics.AUC;
import dev.myelin.metrics.Accuracy;
import dev.myelin.metrics.BinaryAccuracy;
import dev.myelin.metrics.CategoricalAccuracy;
import dev.myelin.metrics.Mean;
import dev.myelin.metrics.MeanAbsoluteError;
import dev.myelin.metrics.MeanSquaredError;
import dev.myelin.metrics.Metric;
import dev.myelin.metrics.Precision;
import dev.myelin.metrics.Recall;
import dev.myelin.metrics.SparseCategoricalAccuracy;
import dev.myelin.metrics.SparseTopKCategoricalAccuracy;
import dev.myelin.metrics.TopKCategoricalAccuracy;
import java.util.List;
import java.util.Map;

/**
 * Metrics with Keras 3's arguments: the settings only, never the accumulated state. Keras's options that
 * Myelin lacks (AUC's PR curve or multi-label mode, Precision's {@code top_k}, ...) are accepted at their
 * defaults only. {@code Accuracy} is Myelin's shape-chosen accuracy (what Keras's {@code "accuracy"}
 * string means), registered under Keras's class name.
 */
final class MetricCodecs {
    private MetricCodecs() {}

    static void register(Registry<Metric> r) {
        r.add("Accuracy", Accuracy.class, Accuracy.Config.class, Accuracy::config,
                a -> new Accuracy.Config(name(a, "accuracy")), c -> base(c.name()), Accuracy::fromConfig);
        r.add("BinaryAccuracy", BinaryAccuracy.class, BinaryAccuracy.Config.class, BinaryAccuracy::config,
                a -> new BinaryAccuracy.Config(name(a, "binary_accuracy"), a.optionalDouble("threshold", 0.5)),
                c -> with(base(c.name()), "threshold", c.threshold()), BinaryAccuracy::fromConfig);
        r.add("CategoricalAccuracy", CategoricalAccuracy.class, CategoricalAccuracy.Config.class, CategoricalAccuracy::config,
                a -> new CategoricalAccuracy.Config(name(a, "categorical_accuracy")), c -> base(c.name()), CategoricalAccuracy::fromConfig);
        r.add("SparseCategoricalAccuracy", SparseCategoricalAccuracy.class, SparseCategoricalAccuracy.Config.class,
                SparseCategoricalAccuracy::config, a -> new SparseCategoricalAccuracy.Config(name(a, "sparse_categorical_accuracy")),
                c -> base(c.name()), SparseCategoricalAccuracy::fromConfig);
        r.add("TopKCategoricalAccuracy", TopKCategoricalAccuracy.class, TopKCategoricalAccuracy.Config.class, TopKCategoricalAccuracy::config,
                a -> new TopKCategoricalAccuracy.Config(name(a, "top_k_categorical_accuracy"), a.optionalInt("k", 5)),
                c -> with(base(c.name()), "k", c.k()), TopKCategoricalAccuracy::fromConfig);
        r.add("SparseTopKCategoricalAccuracy", SparseTopKCategoricalAccuracy.class, SparseTopKCategoricalAccuracy.Config.class,
                SparseTopKCategoricalAccuracy::config,
                a -> {
                    a.onlyDefault("from_sorted_ids", false);
                    return new SparseTopKCategoricalAccuracy.Config(name(a, "sparse_top_k_categorical_accuracy"), a.optionalInt("k", 5));
                },
                c -> with(base(c.name()), "k", c.k()), SparseTopKCategoricalAccuracy::fromConfig);
        r.add("MeanAbsoluteError", MeanAbsoluteError.class, MeanAbsoluteError.Config.class, MeanAbsoluteError::config,
                a -> new MeanAbsoluteError.Config(name(a, "mean_absolute_error")), c -> base(c.name()), MeanAbsoluteError::fromConfig);
        r.add("MeanSquaredError", MeanSquaredError.class, MeanSquaredError.Config.class, MeanSquaredError::config,
                a -> new MeanSquaredError.Config(name(a, "mean_squared_error")), c -> base(c.name()), MeanSquaredError::fromConfig);
        r.add("Mean", Mean.class, Mean.Config.class, Mean::config,
                a -> new Mean.Config(name(a, "mean")), c -> base(c.name()), Mean::fromConfig);
        r.add("AUC", AUC.class, AUC.Config.class, AUC::config,
                a -> {
                    a.onlyDefault("curve", "ROC");
                    a.onlyDefault("summation_method", "interpolation");
                    KerasArgs.onlyNull(a, "thresholds", "num_labels", "label_weights");
                    a.onlyDefault("multi_label", false);
                    a.onlyDefault("from_logits", false);
                    return new AUC.Config(name(a, "auc"), a.optionalInt("num_thresholds", 200));
                },
                c -> with(base(c.name()), "num_thresholds", c.numThresholds(), "curve", "ROC", "summation_method", "interpolation",
                        "thresholds", null, "multi_label", false, "num_labels", null, "label_weights", null, "from_logits", false),
                AUC::fromConfig);
        r.add("Precision", Precision.class, Precision.Config.class, Precision::config,
                a -> new Precision.Config(name(a, "precision"), threshold(a)),
                c -> with(base(c.name()), "thresholds", c.threshold(), "top_k", null, "class_id", null),
                Precision::fromConfig);
        r.add("Recall", Recall.class, Recall.Config.class, Recall::config,
                a -> new Recall.Config(name(a, "recall"), threshold(a)),
                c -> with(base(c.name()), "thresholds", c.threshold(), "top_k", null, "class_id", null),
                Recall::fromConfig);
    }

    private static String name(ConfigArgs a, String fallback) {
        a.onlyDefault("dtype", "float32");
        return a.optionalString("name", fallback);
    }

    private static Map<String, Object> base(String name) {
        return map("name", name, "dtype", "float32");
    }

    /** Keras's {@code thresholds}: null (0.5), a number, or a list of one number; {@code top_k} and {@code class_id} only null. */
    private static double threshold(ConfigArgs a) {
        KerasArgs.onlyNull(a, "top_k", "class_id");
        Object t = a.raw("thresholds");
        if (t instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Number n) return n.doubleValue();
        if (t instanceof List<?>) throw a.error("argument 'thresholds' expected one threshold, got " + ConfigArgs.describe(t));
        return a.optionalDouble("thresholds", 0.5);
    }
}
