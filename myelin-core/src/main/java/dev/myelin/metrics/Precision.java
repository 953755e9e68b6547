package dev.myelin.metrics;

/**
 * Precision of binary predictions, as Keras's {@code Precision} with one threshold:
 * <pre>
 *   positive label:      yTrue ≠ 0
 *   positive prediction: yPred > threshold
 *   result = TP / (TP + FP)       (0 while nothing was predicted positive)
 * </pre>
 * counted over every element of every batch since reset.
 *
 * <p>Shapes: {@code yPred [batch, ...]} probabilities; {@code yTrue} the same shape ({@code [batch]}
 * against {@code [batch, 1]} is accepted).
 *
 * <p>Example:
 * <pre>{@code
 * var m = new Precision();
 * m.update(Tensor.of(new float[] {0, 1, 1, 1}, 4), Tensor.of(new float[] {1, 0, 1, 1}, 4));
 * m.result();   // 2 / 3
 * }</pre>
 */
public final class Precision extends ConfusionCounts {
    /** Precision's configuration: its name in logs and threshold. */
    public record Config(String name, double threshold) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static Precision fromConfig(Config config) {
        return new Precision(config.threshold(), config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name(), threshold());
    }

    /** Threshold 0.5, named {@code "precision"}. */
    public Precision() {
        this(0.5);
    }

    /** Named {@code "precision"}; predictions strictly above {@code threshold}, in [0, 1], are positive. */
    public Precision(double threshold) {
        this(threshold, "precision");
    }

    public Precision(double threshold, String name) {
        super(threshold, name);
    }

    @Override
    public double result() {
        return divideNoNan(truePositives, truePositives + falsePositives);
    }

    @Override
    public Precision fresh() {
        return new Precision(threshold(), name());
    }
}
