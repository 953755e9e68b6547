package dev.myelin.train;

import dev.myelin.metrics.ConfusionMatrix;
import java.util.Map;

/**
 * The result of {@code evaluate}: the loss and each compiled metric, and for a classifier (one output
 * with two or more classes) the confusion matrix.
 *
 * @param values          {@code loss} and the metric names, in compile order
 * @param confusionMatrix counts[true class][predicted class], or null when the output is not a class distribution
 */
public record Evaluation(Map<String, Double> values, ConfusionMatrix confusionMatrix) {
    public Evaluation {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

    /** The value of {@code name} ({@code "loss"}, {@code "accuracy"}, ...), an error naming the known keys if absent. */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) throw new IllegalArgumentException("evaluation has no '" + name + "'; it has " + values.keySet());
        return v;
    }

    public double loss() {
        return get("loss");
    }

    /** {@code loss: 0.4355 - accuracy: 0.8480}, as Keras prints an evaluation (the confusion matrix apart). */
    @Override
    public String toString() {
        return LogValues.join(values);
    }
}
