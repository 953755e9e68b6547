package dev.myelin.losses;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** Argument checks shared by the losses; every message names the loss, what it expected and what it got. */
final class LossChecks {
    /** Keras's {@code backend.epsilon()}: probabilities are clipped to {@code [EPSILON, 1 − EPSILON]}. */
    static final double EPSILON = 1e-7;

    private LossChecks() {}

    /**
     * Checks that {@code yTrue} and {@code yPred} describe the same values and returns {@code yTrue} in
     * {@code yPred}'s shape and dtype. Besides equal shapes it accepts Keras's rank adjustment of a
     * trailing size-1 dimension ({@code [batch]} against {@code [batch, 1]}, either way round); anything
     * else is refused rather than broadcast, since {@code [batch] − [batch, 1]} would silently give a
     * {@code [batch, batch]} matrix.
     */
    static Tensor sameShape(String loss, Tensor yTrue, Tensor yPred) {
        nonNull(loss, yTrue, yPred);
        nonEmpty(loss, yPred);
        Shape t = yTrue.shape(), p = yPred.shape();
        if (!t.equals(p) && !(t.size() == p.size() && t.equalsUpToTrailingOne(p))) {
            throw new IllegalArgumentException(loss + ": yTrue shape " + t + " does not match yPred shape " + p
                    + "; expected the same shape (or [batch] against [batch, 1])");
        }
        return matchDtype(t.equals(p) ? yTrue : yTrue.reshape(p), yPred);
    }

    static void nonNull(String loss, Tensor yTrue, Tensor yPred) {
        Objects.requireNonNull(yTrue, () -> loss + ": yTrue is null");
        Objects.requireNonNull(yPred, () -> loss + ": yPred is null");
    }

    /** yPred needs a batch dimension with at least one sample, and no empty dimension. */
    static void nonEmpty(String loss, Tensor yPred) {
        if (yPred.rank() == 0) {
            throw new IllegalArgumentException(loss + ": expected yPred of shape [batch, ...], received a scalar");
        }
        if (yPred.size() == 0) {
            throw new IllegalArgumentException(loss + ": empty batch (yPred shape " + yPred.shape()
                    + "); expected at least one sample with at least one value");
        }
    }

    static Tensor matchDtype(Tensor yTrue, Tensor yPred) {
        return yTrue.dtype() == yPred.dtype() ? yTrue : yTrue.to(yPred.dtype());
    }

    static double checkLabelSmoothing(String loss, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException(loss + ": labelSmoothing must be in [0, 1], received " + labelSmoothing);
        }
        return labelSmoothing;
    }




    /** A label for messages: {@code 7} rather than {@code 7.0}, {@code 2.5} as it is. */
    static String formatLabel(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
