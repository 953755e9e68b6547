package dev.myelin.semisupervised;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.Objects;

/**
 * Automatic labelling (the seed's 自动标注): a trained classifier proposes a label for each unlabelled
 * sample with its confidence, and labels at or above a threshold are kept ({@link AutoLabels}). A static
 * utility rather than a {@code Model} method, so that {@code Model} does not grow.
 *
 * <p>The classifier's output is read as class probabilities: {@code [n, classes]} rows (softmax), the
 * label the arg-max and the confidence its probability; or {@code [n, 1]} (sigmoid), the label
 * {@code p >= 0.5} and the confidence {@code max(p, 1 − p)}.
 *
 * <p>Example:
 * <pre>{@code
 * AutoLabels proposed = AutoLabeler.autoLabel(model, unlabelled, 0.95);
 * Tensor x = unlabelled.indexSelect(0, proposed.keptIndices()), y = proposed.keptLabels();
 * }</pre>
 */
public final class AutoLabeler {
    private AutoLabeler() {}

    /** {@link #autoLabel(Model, Tensor, double, int)} in batches of 256. */
    public static AutoLabels autoLabel(Model classifier, Tensor unlabelled, double threshold) {
        return autoLabel(classifier, unlabelled, threshold, 256);
    }

    /**
     * The classifier's labels and confidences for every sample of {@code unlabelled} (inference mode, in
     * batches of {@code batchSize}).
     *
     * @throws IllegalArgumentException when {@code threshold} is not in [0, 1] or the output is not class probabilities
     */
    public static AutoLabels autoLabel(Model classifier, Tensor unlabelled, double threshold, int batchSize) {
        Objects.requireNonNull(classifier, "classifier");
        checkThreshold("autoLabel", threshold);
        return fromProbabilities(classifier.predict(unlabelled, batchSize), threshold);
    }

    /** Labels and confidences from class probabilities {@code [n, classes]} or {@code [n, 1]} (sigmoid). */
    static AutoLabels fromProbabilities(Tensor probabilities, double threshold) {
        if (probabilities.rank() != 2) {
            throw new IllegalArgumentException("autoLabel: the classifier must output class probabilities [batch, classes], got " + probabilities.shape());
        }
        int n = probabilities.dim(0), k = probabilities.dim(1);
        float[] p = probabilities.toFloatArray();
        int[] labels = new int[n];
        float[] conf = new float[n];
        for (int i = 0; i < n; i++) {
            if (k == 1) {
                labels[i] = p[i] >= 0.5f ? 1 : 0;
                conf[i] = Math.max(p[i], 1 - p[i]);
                continue;
            }
            int best = 0;
            for (int j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
            labels[i] = best;
            conf[i] = p[i * k + best];
        }
        return new AutoLabels(labels, conf, threshold);
    }

    static void checkThreshold(String who, double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException(who + ": threshold must be a confidence in [0, 1], got " + threshold);
    }
}
