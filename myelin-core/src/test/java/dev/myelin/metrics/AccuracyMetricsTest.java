package dev.myelin.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The accuracy family against hand-computed values and Keras's documented examples. */
class AccuracyMetricsTest {
    static Tensor f(float[] v, int... shape) {
        return Tensor.of(v, shape);
    }

    static float[] v(float... values) {
        return values;
    }

    // Keras docs: probabilities [[0.1, 0.6, 0.3], [0.05, 0.95, 0]] with classes 2 and 1 -> 0.5
    static final Tensor PROBS = f(v(0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0), 2, 3);

    @Test
    void binaryAccuracyKerasExample() {
        var m = new BinaryAccuracy();
        m.update(f(v(1, 1, 0, 0), 4, 1), f(v(0.98f, 1, 0, 0.6f), 4, 1));
        assertEquals(0.75, m.result(), 1e-12);
        // threshold: strictly above counts as 1 -> 0.5 itself is 0
        var strict = new BinaryAccuracy();
        strict.update(f(v(0, 1), 2), f(v(0.5f, 0.51f), 2));
        assertEquals(1.0, strict.result(), 1e-12);
        var high = new BinaryAccuracy(0.7);
        high.update(f(v(1, 1, 0, 0), 4, 1), f(v(0.98f, 0.65f, 0, 0.6f), 4, 1));
        assertEquals(0.75, high.result(), 1e-12);
    }

    @Test
    void binaryAccuracyPerSampleMeanOverLastAxis() {
        // two samples with 2 outputs each: sample 0 has 1 of 2 right, sample 1 both -> (0.5 + 1) / 2
        var m = new BinaryAccuracy();
        m.update(f(v(1, 0, 1, 1), 2, 2), f(v(0.9f, 0.8f, 0.7f, 0.6f), 2, 2));
        assertEquals(0.75, m.result(), 1e-12);
    }

    @Test
    void categoricalAccuracyKerasExample() {
        var m = new CategoricalAccuracy();
        m.update(f(v(0, 0, 1, 0, 1, 0), 2, 3), f(v(0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0), 2, 3));
        assertEquals(0.5, m.result(), 1e-12);
    }

    @Test
    void sparseCategoricalAccuracyKerasExampleAndShapes() {
        var m = new SparseCategoricalAccuracy();
        m.update(f(v(2, 1), 2, 1), PROBS);
        assertEquals(0.5, m.result(), 1e-12);
        m.reset();
        m.update(f(v(1, 1), 2), PROBS);
        assertEquals(1.0, m.result(), 1e-12);
        // sequences [batch 2, time 2, classes 3]: sample 0 gets 2 of 2, sample 1 gets 1 of 2 -> 0.75
        m.reset();
        Tensor seq = f(v(0.9f, 0.05f, 0.05f, 0.1f, 0.2f, 0.7f, 0.3f, 0.4f, 0.3f, 0.2f, 0.2f, 0.6f), 2, 2, 3);
        m.update(f(v(0, 2, 1, 0), 2, 2), seq);
        assertEquals(0.75, m.result(), 1e-12);
        // a label that is no class id never matches
        m.reset();
        m.update(f(v(1.5f, 7), 2), PROBS);
        assertEquals(0.0, m.result());
    }

    @Test
    void accuracySelectsFromShapes() {
        assertEquals(Accuracy.Kind.SPARSE_CATEGORICAL, Accuracy.select(Shape.of(8), Shape.of(8, 10)));
        assertEquals(Accuracy.Kind.SPARSE_CATEGORICAL, Accuracy.select(Shape.of(8, 1), Shape.of(8, 10)));
        assertEquals(Accuracy.Kind.SPARSE_CATEGORICAL, Accuracy.select(Shape.of(8, 5), Shape.of(8, 5, 10)));
        assertEquals(Accuracy.Kind.CATEGORICAL, Accuracy.select(Shape.of(8, 10), Shape.of(8, 10)));
        assertEquals(Accuracy.Kind.BINARY, Accuracy.select(Shape.of(8, 1), Shape.of(8, 1)));
        assertEquals(Accuracy.Kind.BINARY, Accuracy.select(Shape.of(8), Shape.of(8, 1)));
        assertEquals(Accuracy.Kind.BINARY, Accuracy.select(Shape.of(8), Shape.of(8)));
        var e = assertThrows(IllegalArgumentException.class, () -> Accuracy.select(Shape.of(8, 3), Shape.of(8, 10)));
        assertTrue(e.getMessage().contains("[8, 3]") && e.getMessage().contains("[8, 10]"), e.getMessage());
    }

    @Test
    void accuracyValuesInAllThreeCases() {
        // sparse: ids against probabilities [2, 3] (Keras example) -> 0.5
        var sparse = new Accuracy();
        sparse.update(f(v(2, 1), 2), PROBS);
        assertEquals(0.5, sparse.result(), 1e-12);
        var sparseColumn = new Accuracy();
        sparseColumn.update(f(v(2, 1), 2, 1), PROBS);
        assertEquals(0.5, sparseColumn.result(), 1e-12);
        // categorical: one-hot of the same shape -> 0.5
        var categorical = new Accuracy();
        categorical.update(f(v(0, 0, 1, 0, 1, 0), 2, 3), f(v(0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0), 2, 3));
        assertEquals(0.5, categorical.result(), 1e-12);
        // binary: one output column, threshold 0.5 -> 0.75
        var binary = new Accuracy();
        binary.update(f(v(1, 1, 0, 0), 4, 1), f(v(0.98f, 1, 0, 0.6f), 4, 1));
        assertEquals(0.75, binary.result(), 1e-12);
        // a one-hot [B, 1]-like target against 1 column is binary, not sparse: label 1 with p 0.2 is wrong
        var binaryVector = new Accuracy();
        binaryVector.update(f(v(1, 0), 2), f(v(0.2f, 0.1f), 2, 1));
        assertEquals(0.5, binaryVector.result(), 1e-12);
    }

    @Test
    void topKKerasExamplesAndTies() {
        var topK = new TopKCategoricalAccuracy(1);
        topK.update(f(v(0, 0, 1, 0, 1, 0), 2, 3), f(v(0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0), 2, 3));
        assertEquals(0.5, topK.result(), 1e-12);
        var sparseTopK = new SparseTopKCategoricalAccuracy(1);
        sparseTopK.update(f(v(2, 1), 2), f(v(0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0), 2, 3));
        assertEquals(0.5, sparseTopK.result(), 1e-12);
        // k = 2: class 2 (0.8) is second in row 0 -> both match
        var k2 = new SparseTopKCategoricalAccuracy(2);
        k2.update(f(v(2, 1), 2), f(v(0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0), 2, 3));
        assertEquals(1.0, k2.result(), 1e-12);
        // ties at the k-th value count as in (Keras's in_top_k): [0.5, 0.5, 0.5, 0.1], k = 1, target 2
        var ties = new SparseTopKCategoricalAccuracy(1);
        ties.update(f(v(2, 3), 2), f(v(0.5f, 0.5f, 0.5f, 0.1f, 0.5f, 0.5f, 0.5f, 0.1f), 2, 4));
        assertEquals(0.5, ties.result(), 1e-12);
        // k at least the number of classes: always in
        var all = new TopKCategoricalAccuracy();
        all.update(f(v(1, 0, 0, 0, 0, 1), 2, 3), f(v(0, 1, 2, 2, 1, 0), 2, 3));
        assertEquals(1.0, all.result(), 1e-12);
        assertEquals(5, new TopKCategoricalAccuracy().k());
        assertEquals(5, new SparseTopKCategoricalAccuracy().k());
    }

    @Test
    void topKAgreesWithABruteForceRanking() {
        SplittableRandom rng = new SplittableRandom(5);
        int batch = 64, classes = 12, k = 3;
        float[] p = new float[batch * classes], ids = new float[batch];
        for (int i = 0; i < p.length; i++) p[i] = rng.nextInt(20) / 20f;   // coarse values -> many ties
        for (int i = 0; i < batch; i++) ids[i] = rng.nextInt(classes);
        int expected = 0;
        for (int i = 0; i < batch; i++) {
            float[] row = java.util.Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
            float[] sorted = row.clone();
            java.util.Arrays.sort(sorted);
            float kth = sorted[classes - k];
            if (row[(int) ids[i]] >= kth) expected++;
        }
        var m = new SparseTopKCategoricalAccuracy(k);
        m.update(f(ids, batch), f(p, batch, classes));
        assertEquals(expected / (double) batch, m.result(), 1e-12);
        var dense = new TopKCategoricalAccuracy(k);
        dense.update(Tensor.oneHot(f(ids, batch), classes), f(p, batch, classes));
        assertEquals(expected / (double) batch, dense.result(), 1e-12);
    }

    @Test
    void batchesAccumulateLikeOneBigBatchAndResetClears() {
        SplittableRandom rng = new SplittableRandom(11);
        int classes = 5, n = 100;
        float[] p = new float[n * classes], ids = new float[n];
        for (int i = 0; i < p.length; i++) p[i] = (float) rng.nextDouble();
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(classes);
        Tensor allP = f(p, n, classes), allIds = f(ids, n), allOneHot = Tensor.oneHot(allIds, classes);
        Metric[] metrics = {new Accuracy(), new SparseCategoricalAccuracy(), new SparseTopKCategoricalAccuracy(2)};
        Metric[] dense = {new Accuracy(), new CategoricalAccuracy(), new TopKCategoricalAccuracy(2)};
        for (int m = 0; m < metrics.length; m++) {
            Metric whole = metrics[m].fresh(), parts = metrics[m];
            whole.update(allIds, allP);
            Metric wholeDense = dense[m].fresh(), partsDense = dense[m];
            wholeDense.update(allOneHot, allP);
            parts.update(f(new float[] {0, 1}, 2), f(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 2, 5));   // junk, then reset
            parts.reset();
            for (int start = 0; start < n; start += 32) {   // 32, 32, 32, 4
                int end = Math.min(n, start + 32);
                parts.update(allIds.slice(0, start, end), allP.slice(0, start, end));
                partsDense.update(allOneHot.slice(0, start, end), allP.slice(0, start, end));
            }
            assertEquals(whole.result(), parts.result(), 1e-12, parts.name());
            assertEquals(wholeDense.result(), partsDense.result(), 1e-12, partsDense.name());
            assertEquals(whole.result(), wholeDense.result(), 1e-12, "sparse and one-hot agree");
        }
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CategoricalAccuracy().update(f(new float[8], 8), f(new float[80], 8, 10)));
        assertTrue(e.getMessage().contains("categorical_accuracy") && e.getMessage().contains("[8]") && e.getMessage().contains("[8, 10]")
                && e.getMessage().contains("sparse"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparseCategoricalAccuracy().update(f(new float[7], 7), f(new float[80], 8, 10)));
        assertTrue(e.getMessage().contains("[7]") && e.getMessage().contains("[8, 10]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BinaryAccuracy().update(f(new float[8], 8, 1), f(new float[16], 8, 2)));
        assertTrue(e.getMessage().contains("binary_accuracy") && e.getMessage().contains("[8, 1]") && e.getMessage().contains("[8, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Accuracy().update(f(new float[24], 8, 3), f(new float[80], 8, 10)));
        assertTrue(e.getMessage().contains("accuracy") && e.getMessage().contains("[8, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BinaryAccuracy(1.0));
        assertThrows(IllegalArgumentException.class, () -> new TopKCategoricalAccuracy(0));
    }
}
