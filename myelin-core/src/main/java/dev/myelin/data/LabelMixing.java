package dev.myelin.data;

import dev.myelin.tensor.Tensor;

/** The label side of {@link MixUp} and {@link CutMix}: checks that targets are one-hot rows and mixes them. */
final class LabelMixing {
    private LabelMixing() {}

    /**
     * Checks that {@code labels} are rows {@code [batch, classes]} (one-hot or soft) for {@code batch}
     * images. Class ids ({@code [batch]} or {@code [batch, 1]}) are refused: a mixed label is a distribution.
     */
    static void checkOneHot(String who, Tensor labels, int batch) {
        boolean ids = labels.rank() == 1 || (labels.rank() == 2 && labels.dim(1) == 1);
        if (ids || labels.rank() != 2) {
            throw new IllegalArgumentException(who + " mixes one-hot labels [batch, classes], got labels " + labels.shape()
                    + (ids ? " (class ids?)" : "")
                    + ": convert class ids with Tensor.oneHot(y, classes) and train with CategoricalCrossentropy");
        }
        if (labels.dim(0) != batch) {
            throw new IllegalArgumentException(who + ": " + batch + " images but " + labels.dim(0) + " labels");
        }
    }

    /** Row {@code i}: {@code weight[i]·labels[i] + (1 − weight[i])·labels[partner[i]]}. */
    static Tensor mix(Tensor labels, int[] partner, double[] weight) {
        int b = labels.dim(0), k = labels.dim(1);
        float[] y = labels.toFloatArray(), out = new float[y.length];
        for (int i = 0; i < b; i++) {
            float w = (float) weight[i];
            for (int j = 0; j < k; j++) out[i * k + j] = w * y[i * k + j] + (1 - w) * y[partner[i] * k + j];
        }
        return Tensor.of(out, b, k).to(labels.dtype());
    }

    /** Checks the hand-given permutation and weights of the deterministic {@code mix}/{@code cut} methods. */
    static void checkPartners(String who, int b, int[] partner, int weights) {
        if (partner.length != b || weights != b) {
            throw new IllegalArgumentException(who + ": " + b + " images need " + b + " partners and weights, got " + partner.length + " and " + weights);
        }
        for (int p : partner) if (p < 0 || p >= b) throw new IllegalArgumentException(who + ": partner " + p + " is not an image of the batch of " + b);
    }
}
