package dev.myelin.semisupervised;

import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Checks that labelled data hold every class a classifier predicts, and builds targets in their format. */
final class LabelCoverage {
    private LabelCoverage() {}

    /**
     * The class id of each labelled sample: {@code y} as ids {@code [n]} / {@code [n, 1]} or one-hot rows {@code [n, classes]}.
     */
    static int[] classIds(Tensor y, int classes, String who) {
        int n = y.dim(0);
        float[] v = y.toFloatArray();
        int[] ids = new int[n];
        boolean oneHot = y.rank() == 2 && y.dim(1) == classes && classes > 1;
        if (!oneHot && !(y.rank() == 1 || y.rank() == 2 && y.dim(1) == 1)) {
            throw new IllegalArgumentException(who + ": labels must be class ids [n] or one-hot rows [n, " + classes + "], got " + y.shape());
        }
        for (int i = 0; i < n; i++) {
            if (oneHot) {
                int best = 0;
                for (int j = 1; j < classes; j++) if (v[i * classes + j] > v[i * classes + best]) best = j;
                ids[i] = best;
            } else {
                ids[i] = (int) v[i];
                if (ids[i] != v[i] || ids[i] < 0 || ids[i] >= Math.max(classes, 2)) {
                    throw new IllegalArgumentException(who + ": label " + v[i] + " of sample " + i + " is not a class id in [0, " + (Math.max(classes, 2) - 1) + "]");
                }
            }
        }
        return ids;
    }

    /**
     * Throws unless every class {@code 0 .. classes − 1} has at least one labelled sample: pseudo-labels of a
     * class never seen labelled would be guesses.
     */
    static void requireEveryClass(Tensor y, int classes, String who) {
        int k = Math.max(classes, 2);
        int[] counts = new int[k];
        for (int id : classIds(y, classes, who)) counts[id]++;
        List<Integer> missing = new ArrayList<>();
        for (int c = 0; c < k; c++) if (counts[c] == 0) missing.add(c);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(who + ": the labelled data do not cover the classes: no sample of class(es) " + missing
                    + " among the " + y.dim(0) + " labelled (counts per class " + java.util.Arrays.toString(counts)
                    + "); label at least one sample of every class the classifier predicts (" + k + ")");
        }
    }

    /** Targets for {@code ids} in the format of {@code like}: ids {@code [k]} / {@code [k, 1]}, or one-hot {@code [k, classes]}. */
    static Tensor targetsLike(Tensor like, int[] ids, int classes) {
        float[] v = new float[ids.length];
        for (int i = 0; i < ids.length; i++) v[i] = ids[i];
        Tensor t = Tensor.of(v, ids.length);
        if (like.rank() == 2 && like.dim(1) == classes && classes > 1) return Tensor.oneHot(t, classes).to(like.dtype());
        return (like.rank() == 2 ? t.reshape(ids.length, 1) : t).to(like.dtype());
    }

    /** The number of classes of a classifier's output {@code [batch, classes]} (1: a sigmoid over two classes). */
    static int classesOf(dev.myelin.models.Model classifier, String who) {
        if (classifier.outputs().size() != 1 || classifier.outputs().get(0).shape().rank() != 1) {
            throw new IllegalArgumentException(who + ": needs a classifier with one output [batch, classes], got model '" + classifier.name() + "' with outputs "
                    + classifier.outputs().stream().map(o -> o.shape().toString()).toList());
        }
        return classifier.outputs().get(0).shape().dim(0);
    }
}
