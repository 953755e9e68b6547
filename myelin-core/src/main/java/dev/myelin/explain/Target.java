package dev.myelin.explain;

import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/**
 * Which output an attribution explains, per example: the class the model predicts ({@link #predicted()}),
 * one class for every example ({@link #of(int)}), or a class per example ({@link #perExample(int...)}).
 * For a regression model the "class" is the index of the output column.
 *
 * <p>Example: {@code new IntegratedGradients().explain(model, x, Target.predicted())}.
 */
public final class Target {
    private final int[] classes; // null: the predicted class; length 1: the same class for all
    private final boolean same;

    private Target(int[] classes, boolean same) {
        this.classes = classes;
        this.same = same;
    }

    /** The class with the highest score of each example (the arg max of the model's output). */
    public static Target predicted() {
        return new Target(null, false);
    }

    /** The same class for every example. */
    public static Target of(int classIndex) {
        if (classIndex < 0) throw new IllegalArgumentException("target class must be >= 0, got " + classIndex);
        return new Target(new int[] {classIndex}, true);
    }

    /** Class {@code classes[i]} for example {@code i} (as many classes as examples are explained). */
    public static Target perExample(int... classes) {
        for (int c : classes) if (c < 0) throw new IllegalArgumentException("target classes must be >= 0, got " + Arrays.toString(classes));
        return new Target(classes.clone(), false);
    }

    /**
     * The classes of examples {@code offset .. offset + n - 1}, for {@code scores [n, classes]} of those
     * examples (read only when the target is the predicted class).
     *
     * @throws IllegalArgumentException when a class is not below the number of outputs, or too few classes were given
     */
    int[] resolve(Tensor scores, int offset) {
        if (scores.rank() != 2) throw new IllegalArgumentException("attributions need a model output [batch, classes], got " + scores.shape());
        int n = scores.dim(0), k = scores.dim(1);
        int[] out = new int[n];
        if (classes == null) {
            float[] s = scores.toFloatArray();
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) if (s[i * k + c] > s[i * k + best]) best = c;
                out[i] = best;
            }
            return out;
        }
        if (!same && offset + n > classes.length) {
            throw new IllegalArgumentException("Target.perExample has " + classes.length + " classes but example " + (offset + n - 1) + " is explained");
        }
        for (int i = 0; i < n; i++) {
            out[i] = same ? classes[0] : classes[offset + i];
            if (out[i] >= k) throw new IllegalArgumentException("target class " + out[i] + " is not an output of the model (it has " + k + ")");
        }
        return out;
    }

    @Override
    public String toString() {
        return classes == null ? "predicted class" : same ? "class " + classes[0] : "classes " + Arrays.toString(classes);
    }
}
