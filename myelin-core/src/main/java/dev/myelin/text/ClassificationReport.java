package dev.myelin.text;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * Accuracy, per-class precision, recall and F1, and macro-F1 of a classifier's predictions, as
 * scikit-learn's {@code classification_report}:
 * <pre>
 *   precision_c = TP_c / (TP_c + FP_c)    recall_c = TP_c / (TP_c + FN_c)
 *   F1_c = 2 · precision_c · recall_c / (precision_c + recall_c)
 *   macro-F1 = mean over classes of F1_c     accuracy = Σ_c TP_c / N
 * </pre>
 * A ratio with a zero denominator counts as 0 (scikit-learn's {@code zero_division=0}); every class listed
 * counts in the macro mean, even one without samples.
 *
 * <p>Example: {@code ClassificationReport.of(test.labels(), model.predict(x), test.classNames()).macroF1()}.
 */
public record ClassificationReport(List<String> classNames, int[][] confusion) {
    public ClassificationReport {
        classNames = List.copyOf(classNames);
        int k = classNames.size();
        if (confusion.length != k) throw new IllegalArgumentException(k + " classes but a confusion matrix of " + confusion.length + " rows");
        int[][] copy = new int[k][];
        for (int i = 0; i < k; i++) {
            if (confusion[i].length != k) throw new IllegalArgumentException("confusion row " + i + " has " + confusion[i].length + " columns, expected " + k);
            copy[i] = confusion[i].clone();
        }
        confusion = copy;
    }

    /** From true and predicted class ids. */
    public static ClassificationReport of(int[] trueLabels, int[] predicted, List<String> classNames) {
        if (trueLabels.length != predicted.length) throw new IllegalArgumentException(trueLabels.length + " true labels but " + predicted.length + " predictions");
        int k = classNames.size();
        int[][] m = new int[k][k];
        for (int i = 0; i < trueLabels.length; i++) {
            if (trueLabels[i] < 0 || trueLabels[i] >= k || predicted[i] < 0 || predicted[i] >= k) {
                throw new IllegalArgumentException("sample " + i + ": label " + trueLabels[i] + " or prediction " + predicted[i] + " outside [0, " + k + ")");
            }
            m[trueLabels[i]][predicted[i]]++;
        }
        return new ClassificationReport(classNames, m);
    }

    /** From true class ids and scores {@code [n, classes]} (probabilities or logits; the arg max is the prediction, the first on ties). */
    public static ClassificationReport of(int[] trueLabels, Tensor scores, List<String> classNames) {
        int k = classNames.size();
        if (scores.rank() != 2 || scores.dim(1) != k || scores.dim(0) != trueLabels.length) {
            throw new IllegalArgumentException("scores must be [" + trueLabels.length + ", " + k + "], got " + scores.shape());
        }
        float[] s = scores.toFloatArray();
        int[] predicted = new int[trueLabels.length];
        for (int i = 0; i < predicted.length; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (s[i * k + c] > s[i * k + best]) best = c;
            predicted[i] = best;
        }
        return of(trueLabels, predicted, classNames);
    }

    @Override
    public int[][] confusion() {
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < copy.length; i++) copy[i] = confusion[i].clone();
        return copy;
    }

    public int samples() {
        int n = 0;
        for (int[] row : confusion) for (int v : row) n += v;
        return n;
    }

    public double accuracy() {
        int correct = 0;
        for (int c = 0; c < confusion.length; c++) correct += confusion[c][c];
        return ratio(correct, samples());
    }

    /** Samples whose true class is {@code c}. */
    public int support(int c) {
        int n = 0;
        for (int v : confusion[c]) n += v;
        return n;
    }

    public double precision(int c) {
        int predicted = 0;
        for (int[] row : confusion) predicted += row[c];
        return ratio(confusion[c][c], predicted);
    }

    public double recall(int c) {
        return ratio(confusion[c][c], support(c));
    }

    public double f1(int c) {
        double p = precision(c), r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < confusion.length; c++) sum += f1(c);
        return sum / confusion.length;
    }

    private static double ratio(int a, int b) {
        return b == 0 ? 0 : (double) a / b;
    }

    /** A table: one row per class (precision, recall, F1, support), then accuracy and the macro averages. */
    @Override
    public String toString() {
        int width = Math.max(12, classNames.stream().mapToInt(String::length).max().orElse(0));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%" + width + "s %9s %9s %9s %8s%n", "", "precision", "recall", "f1", "support"));
        double mp = 0, mr = 0;
        for (int c = 0; c < classNames.size(); c++) {
            sb.append(String.format(Locale.ROOT, "%" + width + "s %9.4f %9.4f %9.4f %8d%n", classNames.get(c), precision(c), recall(c), f1(c), support(c)));
            mp += precision(c);
            mr += recall(c);
        }
        int k = classNames.size();
        sb.append(String.format(Locale.ROOT, "%" + width + "s %9s %9s %9.4f %8d%n", "accuracy", "", "", accuracy(), samples()));
        sb.append(String.format(Locale.ROOT, "%" + width + "s %9.4f %9.4f %9.4f %8d%n", "macro avg", mp / k, mr / k, macroF1(), samples()));
        return sb.toString();
    }
}
