package dev.myelin.metrics;

/**
 * Recall of binary predictions, as Keras's {@code Recall} with one threshold:
 * <pre>
 *   positive label:      yTrue ≠ 0
 *   positive prediction: yPred > threshold
 *   result = TP / (TP + FN)       (0 while no positive label was seen)
 * </pre>
 * counted over every element of every batch since reset.
 *
 * <p>Shapes: {@code yPred [batch, ...]} probabilities; {@code yTrue} the same shape ({@code [batch]}
 * against {@code [batch, 1]} is accepted).
 *
 * <p>Example:
 * <pre>{@code
 * var m = new Recall();
 * m.update(Tensor.of(new float[] {0, 1, 1, 1}, 4), Tensor.of(new float[] {1, 0, 1, 1}, 4));
 * m.result();   // 2 / 3
 * }</pre>
 */
public final class Recall extends ConfusionCounts {
    /** Recall's configuration: its name in logs and threshold. */
    public record Config(String name, double threshold) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static Recall fromConfig(Config config) {
        return new Recall(config.threshold(), config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name(), threshold());
    }

    /** Threshold 0.5, named {@code "recall"}. */
    public Recall() {
        this(0.5);
    }

    /** Named {@code "recall"}; predictions strictly above {@code threshold}, in [0, 1], are positive. */
    public Recall(double threshold) {
        this(threshold, "recall");
    }

    public Recall(double threshold, String name) {
        super(threshold, name);
    }

    @Override
    public double result() {
        return divideNoNan(truePositives, truePositives + falseNegatives);
    }

    @Override
    public Recall fresh() {
        return new Recall(threshold(), name());
    }
}
