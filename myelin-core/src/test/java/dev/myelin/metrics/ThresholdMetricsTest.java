package dev.myelin.metrics;

import static dev.myelin.metrics.AccuracyMetricsTest.f;
import static dev.myelin.metrics.AccuracyMetricsTest.v;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Precision, Recall, AUC and ConfusionMatrix against hand-computed values and references. */
class ThresholdMetricsTest {

    @Test
    void precisionAndRecallKerasExamples() {
        // Keras docs: update_state([0, 1, 1, 1], [1, 0, 1, 1]) -> 2/3 for both
        var precision = new Precision();
        var recall = new Recall();
        precision.update(f(v(0, 1, 1, 1), 4), f(v(1, 0, 1, 1), 4));
        recall.update(f(v(0, 1, 1, 1), 4), f(v(1, 0, 1, 1), 4));
        assertEquals(2.0 / 3, precision.result(), 1e-12);
        assertEquals(2.0 / 3, recall.result(), 1e-12);
    }

    @Test
    void precisionAndRecallAccumulateCounts() {
        var precision = new Precision();
        var recall = new Recall();
        // batch 1: labels [1, 0, 1, 0], preds > 0.5: [1, 1, 0, 0] -> tp 1, fp 1, fn 1
        // batch 2: labels [1, 1, 0],    preds > 0.5: [1, 1, 1]    -> tp 2, fp 1, fn 0 ; 0.5 itself is negative
        Tensor[][] batches = {{f(v(1, 0, 1, 0), 4, 1), f(v(0.9f, 0.7f, 0.5f, 0.2f), 4, 1)}, {f(v(1, 1, 0), 3), f(v(0.6f, 0.99f, 0.51f), 3, 1)}};
        for (Tensor[] b : batches) {
            precision.update(b[0], b[1]);
            recall.update(b[0], b[1]);
        }
        assertEquals(3.0 / 5, precision.result(), 1e-12);   // tp 3 / (tp 3 + fp 2)
        assertEquals(3.0 / 4, recall.result(), 1e-12);      // tp 3 / (tp 3 + fn 1)
        precision.reset();
        recall.reset();
        assertEquals(0.0, precision.result());
        assertEquals(0.0, recall.result());
        // nothing predicted positive: precision 0 (Keras's divide_no_nan); no positive label: recall 0
        precision.update(f(v(1, 0), 2), f(v(0.1f, 0.2f), 2));
        recall.update(f(v(0, 0), 2), f(v(0.9f, 0.2f), 2));
        assertEquals(0.0, precision.result());
        assertEquals(0.0, recall.result());
        var strict = new Precision(0.8);
        strict.update(f(v(1, 0, 1), 3), f(v(0.9f, 0.85f, 0.7f), 3));
        assertEquals(0.5, strict.result(), 1e-12);
    }

    @Test
    void aucKerasExample() {
        var m = new AUC(3);
        m.update(f(v(0, 0, 1, 1), 4), f(v(0, 0.5f, 0.3f, 0.9f), 4));
        assertEquals(0.75, m.result(), 1e-12);
    }

    // 24 labels and scores; the expected values were computed with NumPy (float32 thresholds, Keras's
    // definition TP_i = #{pos, s > θ_i}, trapezoids over (FPR, TPR)); the exact Mann–Whitney AUC is the same
    // 0.8041958041958042 for 200 thresholds since no two scores share a bucket.
    static final float[] AUC_Y = {1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1};
    static final float[] AUC_S = {0.974f, 0.76f, 0.33f, 0.541f, 0.371f, 0.845f, 0.262f, 0.414f, 0.462f, 1.0f, 0.495f, 0.441f,
                                  0.559f, 0.519f, 0.506f, 0.153f, 0.931f, 0.46f, 0.478f, 0.924f, 0.65f, 0.531f, 0.965f, 0.422f};

    @Test
    void aucMatchesNumpyLiteral() {
        var m = new AUC();
        m.update(f(AUC_Y, 24, 1), f(AUC_S, 24, 1));
        assertEquals(0.8041958041958043, m.result(), 1e-12);
        var coarse = new AUC(10);
        coarse.update(f(AUC_Y, 24), f(AUC_S, 24));
        assertEquals(0.8181818181818181, coarse.result(), 1e-12);
        assertEquals(mannWhitney(AUC_Y, AUC_S), m.result(), 1e-12);
    }

    @Test
    void aucMatchesTheThresholdDefinitionOnRandomData() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int numThresholds : new int[] {2, 3, 7, 200}) {
            int n = 500;
            float[] y = new float[n], s = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = rng.nextDouble() < 0.3 ? 1 : 0;
                s[i] = (float) Math.min(1.2, Math.max(-0.2, 0.3 * y[i] + rng.nextDouble() * 0.8 - 0.05));   // some outside [0, 1]
            }
            var m = new AUC(numThresholds);
            for (int start = 0; start < n; start += 128) {
                int end = Math.min(n, start + 128);
                m.update(f(y, n).slice(0, start, end), f(s, n, 1).slice(0, start, end));
            }
            assertEquals(referenceAuc(y, s, numThresholds), m.result(), 1e-12, numThresholds + " thresholds");
        }
    }

    @Test
    void aucOnBucketCentresIsTheExactMannWhitneyStatistic() {
        // With scores at bucket centres, every ROC vertex is sampled and ties share a bucket: the
        // trapezoid sum equals the exact AUC with ties counted half.
        SplittableRandom rng = new SplittableRandom(21);
        int n = 300, t = 200;
        float[] y = new float[n], s = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextDouble() < 0.5 ? 1 : 0;
            int bucket = Math.min(t - 2, (int) ((0.25 * y[i] + rng.nextDouble() * 0.75) * (t - 1)));
            s[i] = (float) ((bucket + 0.5) / (t - 1));
        }
        var m = new AUC(t);
        m.update(f(y, n), f(s, n));
        assertEquals(mannWhitney(y, s), m.result(), 1e-12);
    }

    @Test
    void aucEdgeCases() {
        var m = new AUC();
        assertEquals(0.0, m.result(), "empty");
        m.update(f(v(1, 1), 2), f(v(0.2f, 0.9f), 2));
        assertEquals(0.0, m.result(), "no negatives: FPR is 0 everywhere, as Keras");
        m.reset();
        m.update(f(v(0, 1), 2), f(v(0.1f, 0.9f), 2));
        assertEquals(1.0, m.result(), 1e-12);
        m.reset();
        m.update(f(v(0, 1), 2), f(v(0.9f, 0.1f), 2));
        assertEquals(0.0, m.result(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new AUC(1));
    }

    /** Keras's definition, O(T·N): thresholds [−ε, 1/(T−1), ..., (T−2)/(T−1), 1 + ε] in float32, scores clipped. */
    static double referenceAuc(float[] y, float[] s, int t) {
        float[] th = new float[t];
        th[0] = (float) -1e-7;
        for (int i = 1; i < t - 1; i++) th[i] = (float) (i * 1.0 / (t - 1));
        th[t - 1] = (float) (1 + 1e-7);
        double pos = 0, neg = 0;
        for (float l : y) if (l != 0) pos++; else neg++;
        double[] tpr = new double[t], fpr = new double[t];
        for (int i = 0; i < t; i++) {
            double tp = 0, fp = 0;
            for (int j = 0; j < s.length; j++) {
                float c = Math.min(1f, Math.max(0f, s[j]));
                if (c > th[i]) {
                    if (y[j] != 0) tp++;
                    else fp++;
                }
            }
            tpr[i] = pos == 0 ? 0 : tp / pos;
            fpr[i] = neg == 0 ? 0 : fp / neg;
        }
        double auc = 0;
        for (int i = 0; i < t - 1; i++) auc += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2;
        return auc;
    }

    /** P(score of a positive > score of a negative) + ½ P(tie). */
    static double mannWhitney(float[] y, float[] s) {
        double wins = 0, pairs = 0;
        for (int i = 0; i < s.length; i++) {
            if (y[i] == 0) continue;
            for (int j = 0; j < s.length; j++) {
                if (y[j] != 0) continue;
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }

    @Test
    void confusionMatrixCountsFromSparseAndOneHot() {
        var cm = new ConfusionMatrix(3);
        Tensor probs = f(v(0.8f, 0.1f, 0.1f,   // -> 0
                           0.2f, 0.7f, 0.1f,   // -> 1
                           0.3f, 0.3f, 0.4f,   // -> 2
                           0.1f, 0.6f, 0.3f,   // -> 1
                           0.5f, 0.5f, 0.0f),  // tie -> 0 (first)
                5, 3);
        cm.update(f(v(0, 1, 2, 2, 1), 5), probs);
        int[][] expected = {{1, 0, 0}, {1, 1, 0}, {0, 1, 1}};
        assertArrayEquals(expected, cm.counts());
        assertEquals(3.0 / 5, cm.result(), 1e-12);
        assertEquals(5, cm.total());
        // the same targets one-hot, and as [batch, 1]: the counts double
        cm.update(Tensor.oneHot(f(v(0, 1, 2, 2, 1), 5), 3), probs);
        cm.update(f(v(0, 1, 2, 2, 1), 5, 1), probs);
        assertArrayEquals(new int[][] {{3, 0, 0}, {3, 3, 0}, {0, 3, 3}}, cm.counts());
        // counts() is a copy
        cm.counts()[0][0] = 99;
        assertEquals(3, cm.counts()[0][0]);
        String table = cm.toString();
        assertTrue(table.contains("true\\pred") && table.contains("15 samples") && table.contains("accuracy 0.6000"), table);
        assertEquals(5, table.split("\n").length, table);   // header, column labels, 3 rows
        cm.reset();
        assertEquals(0, cm.total());
        assertEquals(0.0, cm.result());
    }

    @Test
    void confusionMatrixBinaryAndSequences() {
        var binary = new ConfusionMatrix(2);
        binary.update(f(v(1, 0, 1, 0), 4, 1), f(v(0.9f, 0.6f, 0.4f, 0.1f), 4, 1));
        assertArrayEquals(new int[][] {{1, 1}, {1, 1}}, binary.counts());
        var seq = new ConfusionMatrix(2);
        seq.update(f(v(0, 1, 1, 1), 2, 2), f(v(0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f, 0.3f, 0.7f), 2, 2, 2));
        assertArrayEquals(new int[][] {{1, 0}, {1, 2}}, seq.counts());
    }

    @Test
    void confusionMatrixErrors() {
        var cm = new ConfusionMatrix(3);
        var e = assertThrows(IllegalArgumentException.class, () -> cm.update(f(v(0, 3), 2), f(new float[6], 2, 3)));
        assertTrue(e.getMessage().contains("label 3") && e.getMessage().contains("[1]") && e.getMessage().contains("[0, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cm.update(f(v(0, 1), 2), f(new float[8], 2, 4)));
        assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("3 classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cm.update(f(v(0, 1, 2), 3), f(new float[6], 2, 3)));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(1));
        assertEquals(0, cm.total(), "a refused batch adds nothing");
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        for (Metric m : new Metric[] {new Precision(), new Recall(), new AUC()}) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.update(f(new float[8], 8), f(new float[16], 8, 2)));
            assertTrue(e.getMessage().contains(m.name()) && e.getMessage().contains("[8]") && e.getMessage().contains("[8, 2]"), e.getMessage());
        }
    }
}
