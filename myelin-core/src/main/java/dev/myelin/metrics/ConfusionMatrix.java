package dev.myelin.metrics;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Counts of (true class, predicted class) pairs over every batch since reset:
 * <pre>
 *   counts[t][p] = #{samples with true class t predicted as p}
 *   predicted class = argmax_c yPred_c      (first on ties; for one output column with 2 classes: yPred > 0.5)
 *   result = Σ_c counts[c][c] / Σ counts   (the accuracy; 0 before any sample)
 * </pre>
 * Rows are true classes and columns predictions, as Keras's {@code confusion_matrix} and scikit-learn.
 *
 * <p>Shapes: {@code yPred [batch, ..., C]} with {@code C = numClasses} (probabilities or logits), or
 * {@code [batch, 1]} / {@code [batch]} probabilities when {@code numClasses} is 2; {@code yTrue} class ids
 * ({@code [batch, ...]}, optionally with a trailing 1) or one-hot of {@code yPred}'s shape.
 *
 * <p>Example:
 * <pre>{@code
 * var cm = new ConfusionMatrix(3);
 * cm.update(Tensor.of(new float[] {0, 1, 2, 2}, 4), probabilities);   // probabilities [4, 3]
 * int[][] counts = cm.counts();        // counts[true][predicted]
 * System.out.println(cm);              // a table
 * }</pre>
 */
public final class ConfusionMatrix implements Metric {
    private final String name;
    private final int numClasses;
    private final int[][] counts;

    /** Named {@code "confusion_matrix"}. */
    public ConfusionMatrix(int numClasses) {
        this(numClasses, "confusion_matrix");
    }

    /** {@code numClasses} at least 2; {@code name} as it appears in logs. */
    public ConfusionMatrix(int numClasses, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("metric name is empty");
        if (numClasses < 2) throw new IllegalArgumentException(name + ": numClasses must be at least 2, received " + numClasses);
        this.name = name;
        this.numClasses = numClasses;
        this.counts = new int[numClasses][numClasses];
    }

    @Override
    public String name() {
        return name;
    }

    public int numClasses() {
        return numClasses;
    }

    @Override
    public void reset() {
        for (int[] row : counts) java.util.Arrays.fill(row, 0);
    }

    @Override
    public void update(Tensor yTrue, Tensor yPred) {
        MetricInputs.nonNull(name, yTrue, yPred);
        Shape t = yTrue.shape(), p = yPred.shape();
        int[] predicted = predictedClasses(yPred);
        int[] actual;
        if (p.rank() >= 2 && p.dim(-1) == numClasses && t.equals(p)) {
            actual = argmaxRows(MetricInputs.read(yTrue), numClasses);          // one-hot
        } else if (t.size() == predicted.length && (MetricInputs.isIds(t, p) || t.equals(p) || t.equalsUpToTrailingOne(p))) {
            actual = classIds(yTrue, t);
        } else {
            throw new IllegalArgumentException(name + ": yTrue shape " + t + " does not fit yPred shape " + p
                    + "; expected class ids (one per row of yPred) or one-hot targets of yPred's shape");
        }
        for (int i = 0; i < actual.length; i++) counts[actual[i]][predicted[i]]++;
    }

    private int[] predictedClasses(Tensor yPred) {
        Shape p = yPred.shape();
        float[] v = MetricInputs.read(yPred);
        if (p.rank() >= 2 && p.dim(-1) == numClasses) return argmaxRows(v, numClasses);
        if (numClasses == 2 && (p.rank() == 1 || p.dim(-1) == 1)) {
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i] > 0.5f ? 1 : 0;
            return out;
        }
        throw new IllegalArgumentException(name + ": yPred shape " + p + " does not fit " + numClasses + " classes; expected [batch, "
                + numClasses + "]" + (numClasses == 2 ? " or [batch, 1] probabilities" : ""));
    }

    private static int[] argmaxRows(float[] v, int classes) {
        int[] out = new int[v.length / classes];
        for (int i = 0; i < out.length; i++) out[i] = MetricInputs.argmax(v, i * classes, classes);
        return out;
    }

    private int[] classIds(Tensor yTrue, Shape shape) {
        float[] v = MetricInputs.read(yTrue);
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (x != Math.rint(x) || x < 0 || x >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + (x == Math.rint(x) ? Long.toString((long) x) : Float.toString(x))
                        + " at position " + java.util.Arrays.toString(shape.unravel(i)) + " is not a class id; expected an integer in [0, " + numClasses + ")");
            }
            out[i] = (int) x;
        }
        return out;
    }

    /** A copy of the counts, {@code [true class][predicted class]}. */
    public int[][] counts() {
        int[][] copy = new int[numClasses][];
        for (int i = 0; i < numClasses; i++) copy[i] = counts[i].clone();
        return copy;
    }

    /** The number of samples counted. */
    public long total() {
        long n = 0;
        for (int[] row : counts) for (int c : row) n += c;
        return n;
    }

    /** The accuracy: the share of samples on the diagonal. */
    @Override
    public double result() {
        long n = total(), diagonal = 0;
        for (int i = 0; i < numClasses; i++) diagonal += counts[i][i];
        return n == 0 ? 0.0 : (double) diagonal / n;
    }

    @Override
    public ConfusionMatrix fresh() {
        return new ConfusionMatrix(numClasses, name);
    }

    /**
     * A table, rows true classes and columns predictions:
     * <pre>
     * confusion_matrix: 3 classes, 4 samples, accuracy 0.7500 (rows: true class, columns: predicted class)
     * true\pred  0  1  2
     *         0  1  0  0
     *         1  0  1  0
     *         2  0  1  1
     * </pre>
     */
    @Override
    public String toString() {
        int width = Integer.toString(numClasses - 1).length();
        for (int[] row : counts) for (int c : row) width = Math.max(width, Integer.toString(c).length());
        String label = "true\\pred";
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(": ").append(numClasses).append(" classes, ").append(total()).append(" samples, accuracy ")
                .append(String.format(java.util.Locale.ROOT, "%.4f", result())).append(" (rows: true class, columns: predicted class)\n");
        sb.append(label);
        for (int c = 0; c < numClasses; c++) sb.append(' ').append(pad(Integer.toString(c), width + 1));
        for (int r = 0; r < numClasses; r++) {
            sb.append('\n').append(pad(Integer.toString(r), label.length()));
            for (int c = 0; c < numClasses; c++) sb.append(' ').append(pad(Integer.toString(counts[r][c]), width + 1));
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
