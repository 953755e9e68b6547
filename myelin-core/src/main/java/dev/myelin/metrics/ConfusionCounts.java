package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * Base of {@link Precision} and {@link Recall}: true positives, false positives and false negatives at
 * one threshold over every element (flattened), as Keras's confusion-matrix metrics:
 * {@code positive label ⇔ yTrue ≠ 0}, {@code positive prediction ⇔ yPred > threshold}.
 */
abstract class ConfusionCounts implements Metric {
    private final String name;
    private final double threshold;
    double truePositives, falsePositives, falseNegatives;

    ConfusionCounts(double threshold, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is empty");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(name + ": threshold must be in [0, 1], received " + threshold);
        }
        this.name = name;
        this.threshold = threshold;
    }

    @Override
    public final String name() {
        return name;
    }

    public final double threshold() {
        return threshold;
    }

    @Override
    public final void reset() {
        truePositives = falsePositives = falseNegatives = 0;
    }

    @Override
    public final void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.sameShape(name, yTrue, yPred);
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < p.length; i++) {
            boolean label = t[i] != 0, predicted = p[i] > threshold;
            if (predicted) {
                if (label) tp++;
                else fp++;
            } else if (label) {
                fn++;
            }
        }
        truePositives += tp;
        falsePositives += fp;
        falseNegatives += fn;
    }

    static double divideNoNan(double a, double b) {
        return b == 0 ? 0.0 : a / b;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + " = " + result() + ", tp " + (long) truePositives
                + ", fp " + (long) falsePositives + ", fn " + (long) falseNegatives + "]";
    }
}
