package dev.myelin.semisupervised;

import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/**
 * Labels a classifier proposed for unlabelled samples, with its confidence in each, for review or for
 * training ({@link AutoLabeler#autoLabel}). Sample {@code i} is <em>kept</em> when
 * {@code confidences[i] >= threshold}; the rest are left for a person to label.
 *
 * <p>The arrays are copied in and out (a record holding arrays would otherwise share them).
 *
 * @param labels      the most probable class of each sample, {@code [n]}
 * @param confidences the probability the classifier gave that class, {@code [n]}, in [0, 1]
 * @param threshold   the confidence from which a label is kept
 */
public record AutoLabels(int[] labels, float[] confidences, double threshold) {

    public AutoLabels {
        if (labels.length != confidences.length) {
            throw new IllegalArgumentException("AutoLabels: " + labels.length + " labels but " + confidences.length + " confidences");
        }
        labels = labels.clone();
        confidences = confidences.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public float[] confidences() {
        return confidences.clone();
    }

    /** Number of samples labelled. */
    public int size() {
        return labels.length;
    }

    /** Whether sample {@code i}'s label is kept ({@code confidence >= threshold}, compared in float32 as the confidences are). */
    public boolean kept(int i) {
        return confidences[i] >= (float) threshold;
    }

    /** The indices of the kept samples, ascending. */
    public int[] keptIndices() {
        return java.util.stream.IntStream.range(0, labels.length).filter(this::kept).toArray();
    }

    /** The kept labels as class ids {@code [k]}, in the order of {@link #keptIndices()}. */
    public Tensor keptLabels() {
        int[] idx = keptIndices();
        float[] v = new float[idx.length];
        for (int j = 0; j < idx.length; j++) v[j] = labels[idx[j]];
        return Tensor.of(v, idx.length);
    }

    /** The kept share of the samples, in [0, 1] (0 for none). */
    public double keptFraction() {
        return labels.length == 0 ? 0 : (double) keptIndices().length / labels.length;
    }

    /**
     * The share of kept labels that equal {@code truth} (class ids {@code [n]}, for measuring an auto-labeller
     * on data whose labels are known); NaN when nothing is kept.
     */
    public double keptAccuracy(Tensor truth) {
        float[] t = truth.toFloatArray();
        if (t.length != labels.length) throw new IllegalArgumentException("AutoLabels.keptAccuracy: " + labels.length + " labels but " + t.length + " true labels");
        int kept = 0, right = 0;
        for (int i = 0; i < labels.length; i++) {
            if (!kept(i)) continue;
            kept++;
            if (labels[i] == (int) t[i]) right++;
        }
        return kept == 0 ? Double.NaN : (double) right / kept;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AutoLabels a && Arrays.equals(labels, a.labels) && Arrays.equals(confidences, a.confidences)
                && Double.compare(threshold, a.threshold) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(labels) + Arrays.hashCode(confidences) + Double.hashCode(threshold);
    }

    @Override
    public String toString() {
        return "AutoLabels(" + labels.length + " samples, " + keptIndices().length + " kept at confidence >= " + threshold + ")";
    }
}
