package dev.myelin.metrics;

import dev.myelin.autograd.NoGrad;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** Shape checks and host reads shared by the metrics. Messages name the metric and both shapes. */
final class MetricInputs {
    private MetricInputs() {}

    /** The elements in row-major order, read outside any autograd graph. */
    static float[] read(Tensor t) {
        try (var scope = NoGrad.scope()) {
            return t.toFloatArray();
        }
    }

    static void nonNull(String metric, Tensor yTrue, Tensor yPred) {
        Objects.requireNonNull(yTrue, () -> metric + ": yTrue is null");
        Objects.requireNonNull(yPred, () -> metric + ": yPred is null");
        if (yPred.rank() == 0) {
            throw new IllegalArgumentException(metric + ": expected yPred of shape [batch, ...], received a scalar");
        }
    }

    /**
     * For metrics comparing values element by element: the shapes must be equal, or differ by a trailing
     * size-1 dimension ({@code [batch]} against {@code [batch, 1]}), as Keras's rank adjustment.
     */
    static void sameShape(String metric, Tensor yTrue, Tensor yPred) {
        nonNull(metric, yTrue, yPred);
        Shape t = yTrue.shape(), p = yPred.shape();
        if (!t.equals(p) && !t.equalsUpToTrailingOne(p)) {
            throw new IllegalArgumentException(metric + ": yTrue shape " + t + " does not match yPred shape " + p
                    + "; expected the same shape (or [batch] against [batch, 1])");
        }
    }

    /** True when {@code yTrue} holds one class id per row of {@code yPred}: {@code yPred}'s shape without its last dimension, or that plus a trailing 1. */
    static boolean isIds(Shape t, Shape p) {
        if (p.rank() < 1) return false;
        Shape lead = p.withoutLast();
        return t.equals(lead) || (t.rank() == p.rank() && t.dim(-1) == 1 && t.withoutLast().equals(lead));
    }

    /** For metrics taking class ids: checks {@link #isIds}. */
    static void idsShape(String metric, Tensor yTrue, Tensor yPred) {
        nonNull(metric, yTrue, yPred);
        Shape t = yTrue.shape(), p = yPred.shape();
        if (p.rank() < 2 || !isIds(t, p)) {
            throw new IllegalArgumentException(metric + ": yTrue shape " + t + " does not fit yPred shape " + p
                    + "; expected class ids of shape " + (p.rank() < 2 ? "[batch] with yPred [batch, classes]" : p.withoutLast() + " or " + p.withoutLast() + " + [1]"));
        }
    }

    /** For metrics taking one-hot targets: equal shapes of rank at least 1. */
    static void oneHotShape(String metric, Tensor yTrue, Tensor yPred) {
        nonNull(metric, yTrue, yPred);
        if (!yTrue.shape().equals(yPred.shape())) {
            String hint = isIds(yTrue.shape(), yPred.shape()) ? "; yTrue looks like class ids: use the sparse variant" : "";
            throw new IllegalArgumentException(metric + ": yTrue shape " + yTrue.shape() + " does not match yPred shape "
                    + yPred.shape() + "; expected one-hot targets of the same shape" + hint);
        }
    }




    /** Index of the largest of {@code a[off .. off + n)}, the first on ties (as argmax). */
    static int argmax(float[] a, int off, int n) {
        int best = 0;
        float max = a[off];
        for (int j = 1; j < n; j++) {
            if (a[off + j] > max) {
                max = a[off + j];
                best = j;
            }
        }
        return best;
    }
}
