package dev.myelin.metrics;

import dev.myelin.tensor.Tensor;

/**
 * Area under the ROC curve, as Keras's {@code AUC} with its defaults (curve ROC, summation
 * {@code "interpolation"}, not multi-label): the curve is sampled at {@code T = numThresholds} thresholds
 * <pre>
 *   θ_0 = −ε,   θ_i = i / (T − 1) for 0 &lt; i &lt; T − 1,   θ_{T−1} = 1 + ε        (ε = 1e-7)
 * </pre>
 * and with predictions clipped to [0, 1], positive labels {@code yTrue ≠ 0}, counted over every element
 * of every batch since reset,
 * <pre>
 *   TP_i = #{positive, yPred > θ_i},   FP_i = #{negative, yPred > θ_i},   P, N = positives, negatives
 *   TPR_i = TP_i / P,   FPR_i = FP_i / N            (0 when P or N is 0)
 *   AUC = Σ_{i=0}^{T−2} (FPR_i − FPR_{i+1}) · (TPR_i + TPR_{i+1}) / 2      (trapezoids)
 * </pre>
 * It approaches the exact ROC AUC (the Mann–Whitney statistic) as T grows; scores in one bucket
 * {@code (θ_{i}, θ_{i+1}]} count as tied.
 *
 * <p>Implementation: as Keras does for evenly spaced thresholds, each prediction goes to the bucket
 * {@code max(0, ⌈p·(T − 1)⌉ − 1)} (computed in float, as Keras's float32); TP and FP at each threshold are
 * suffix sums of the bucket histograms, so an update costs O(batch) and a result O(T). A NaN
 * prediction falls in bucket 0.
 *
 * <p>Shapes: {@code yPred [batch, ...]} probabilities; {@code yTrue} the same shape ({@code [batch]}
 * against {@code [batch, 1]} is accepted), labels 0 or 1.
 *
 * <p>Example (Keras's):
 * <pre>{@code
 * var m = new AUC(3);
 * m.update(Tensor.of(new float[] {0, 0, 1, 1}, 4), Tensor.of(new float[] {0, 0.5f, 0.3f, 0.9f}, 4));
 * m.result();   // 0.75: thresholds [−ε, 0.5, 1 + ε], TPR [1, 0.5, 0], FPR [1, 0, 0]
 * }</pre>
 */
public final class AUC implements Metric {
    private final String name;
    private final int numThresholds;

    /** AUC's configuration: its name in logs and numThresholds. */
    public record Config(String name, int numThresholds) {}

    /** A new metric (no accumulated state) with {@code config}'s settings. */
    public static AUC fromConfig(Config config) {
        return new AUC(config.numThresholds(), config.name());
    }

    /** This metric's settings (not its accumulated state). */
    public Config config() {
        return new Config(name(), numThresholds());
    }

    private final double[] positives, negatives;   // histograms over buckets

    /** 200 thresholds, named {@code "auc"}. */
    public AUC() {
        this(200);
    }

    /** Named {@code "auc"}; {@code numThresholds} at least 2 (Keras's default 200). */
    public AUC(int numThresholds) {
        this(numThresholds, "auc");
    }

    public AUC(int numThresholds, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is empty");
        if (numThresholds < 2) {
            throw new IllegalArgumentException(name + ": numThresholds must be an integer > 1, received " + numThresholds);
        }
        this.name = name;
        this.numThresholds = numThresholds;
        this.positives = new double[numThresholds];
        this.negatives = new double[numThresholds];
    }

    @Override
    public String name() {
        return name;
    }

    public int numThresholds() {
        return numThresholds;
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(positives, 0);
        java.util.Arrays.fill(negatives, 0);
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.sameShape(name, yTrue, yPred);
        float[] t = MetricInputs.read(yTrue), p = MetricInputs.read(yPred);
        float scale = numThresholds - 1;
        for (int i = 0; i < p.length; i++) {
            float v = Math.min(Math.max(p[i], 0f), 1f);
            int bucket = Math.max(0, (int) Math.ceil(v * scale) - 1);  // NaN: (int) NaN = 0 -> bucket 0
            if (t[i] != 0) positives[bucket]++;
            else negatives[bucket]++;
        }
    }

    @Override
    public double result() {
        double totalPositives = 0, totalNegatives = 0;
        for (int i = 0; i < numThresholds; i++) {
            totalPositives += positives[i];
            totalNegatives += negatives[i];
        }
        // walk the thresholds from the top: TP_i and FP_i are suffix sums of the histograms
        double tp = 0, fp = 0, auc = 0;
        double tprNext = 0, fprNext = 0;   // at threshold i + 1
        for (int i = numThresholds - 1; i >= 0; i--) {
            tp += positives[i];
            fp += negatives[i];
            double tpr = totalPositives == 0 ? 0 : tp / totalPositives;
            double fpr = totalNegatives == 0 ? 0 : fp / totalNegatives;
            if (i < numThresholds - 1) auc += (fpr - fprNext) * (tpr + tprNext) / 2;
            tprNext = tpr;
            fprNext = fpr;
        }
        return auc;
    }

    @Override
    public AUC fresh() {
        return new AUC(numThresholds, name);
    }

    @Override
    public String toString() {
        return "AUC[" + name + " = " + result() + ", " + numThresholds + " thresholds]";
    }
}
