package dev.myelin.metrics;

import static dev.myelin.metrics.AccuracyMetricsTest.f;
import static dev.myelin.metrics.AccuracyMetricsTest.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Constants, fresh copies, Metric.of, and metrics staying outside the autograd graph. */
class MetricContractTest {

    static final List<Metric> CONSTANTS = List.of(Metric.ACCURACY, Metric.MAE, Metric.MSE, Metric.AUC, Metric.PRECISION, Metric.RECALL);

    @Test
    void constantsHaveKerasNamesAndRefuseState() {
        assertEquals(List.of("accuracy", "mae", "mse", "auc", "precision", "recall"), CONSTANTS.stream().map(Metric::name).toList());
        for (Metric c : CONSTANTS) {
            var e = assertThrows(IllegalStateException.class, () -> c.update(f(v(1), 1, 1), f(v(1), 1, 1)));
            assertTrue(e.getMessage().contains("fresh()"), e.getMessage());
            assertThrows(IllegalStateException.class, c::result);
            assertThrows(IllegalStateException.class, c::reset);
        }
        assertInstanceOf(Accuracy.class, Metric.ACCURACY.fresh());
        assertInstanceOf(MeanAbsoluteError.class, Metric.MAE.fresh());
        assertInstanceOf(MeanSquaredError.class, Metric.MSE.fresh());
        assertInstanceOf(AUC.class, Metric.AUC.fresh());
        assertEquals(200, ((AUC) Metric.AUC.fresh()).numThresholds());
        assertInstanceOf(Precision.class, Metric.PRECISION.fresh());
        assertInstanceOf(Recall.class, Metric.RECALL.fresh());
    }

    @Test
    void freshCopiesAreIndependent() {
        // two "models" compiled with the same constant
        Metric a = Metric.ACCURACY.fresh(), b = Metric.ACCURACY.fresh();
        assertNotSame(a, b);
        a.update(f(v(0, 1), 2), f(v(0.9f, 0.1f, 0.2f, 0.8f), 2, 2));
        b.update(f(v(1, 0), 2), f(v(0.9f, 0.1f, 0.2f, 0.8f), 2, 2));
        assertEquals(1.0, a.result());
        assertEquals(0.0, b.result());
        // fresh() of a used metric keeps the configuration, not the state
        Metric topK = new SparseTopKCategoricalAccuracy(2, "top2");
        topK.update(f(v(0), 1), f(v(1, 0, 0), 1, 3));
        Metric copy = topK.fresh();
        assertEquals("top2", copy.name());
        assertEquals(2, ((SparseTopKCategoricalAccuracy) copy).k());
        assertEquals(0.0, copy.result());
        assertEquals(1.0, topK.result());
        for (Metric m : List.of(new Accuracy(), new BinaryAccuracy(0.3), new CategoricalAccuracy(), new SparseCategoricalAccuracy(),
                new TopKCategoricalAccuracy(3), new SparseTopKCategoricalAccuracy(), new Precision(0.4), new Recall(0.6),
                new AUC(50), new MeanAbsoluteError(), new MeanSquaredError(), new Mean("loss"), new ConfusionMatrix(4))) {
            Metric c = m.fresh();
            assertNotSame(m, c);
            assertEquals(m.getClass(), c.getClass());
            assertEquals(m.name(), c.name());
        }
        assertEquals(0.3, new BinaryAccuracy(0.3).fresh().threshold());
        assertEquals(0.6, new Recall(0.6).fresh().threshold());
        assertEquals(50, new AUC(50).fresh().numThresholds());
        assertEquals(4, new ConfusionMatrix(4).fresh().numClasses());
    }

    @Test
    void ofReturnsNewInstancesNamedByTheString() {
        assertInstanceOf(Accuracy.class, Metric.of("accuracy"));
        assertEquals("acc", Metric.of("acc").name());
        assertInstanceOf(Accuracy.class, Metric.of("acc"));
        assertNotSame(Metric.of("accuracy"), Metric.of("accuracy"));
        assertInstanceOf(BinaryAccuracy.class, Metric.of("binary_accuracy"));
        assertInstanceOf(CategoricalAccuracy.class, Metric.of("categorical_accuracy"));
        assertInstanceOf(SparseCategoricalAccuracy.class, Metric.of("sparse_categorical_accuracy"));
        assertInstanceOf(SparseCategoricalAccuracy.class, Metric.of("SparseCategoricalAccuracy"));
        assertInstanceOf(TopKCategoricalAccuracy.class, Metric.of("top_k_categorical_accuracy"));
        assertEquals(5, ((TopKCategoricalAccuracy) Metric.of("top_k_categorical_accuracy")).k());
        assertInstanceOf(SparseTopKCategoricalAccuracy.class, Metric.of("sparse_top_k_categorical_accuracy"));
        assertInstanceOf(MeanAbsoluteError.class, Metric.of("mae"));
        assertEquals("mae", Metric.of("mae").name());
        assertEquals("mean_absolute_error", Metric.of("mean_absolute_error").name());
        assertInstanceOf(MeanSquaredError.class, Metric.of("mse"));
        assertInstanceOf(AUC.class, Metric.of("auc"));
        assertInstanceOf(Precision.class, Metric.of("precision"));
        assertInstanceOf(Recall.class, Metric.of("recall"));
        var e = assertThrows(IllegalArgumentException.class, () -> Metric.of("f1"));
        assertTrue(e.getMessage().contains("'f1'") && e.getMessage().contains("accuracy") && e.getMessage().contains("top_k_categorical_accuracy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metric.of(null));
    }

    @Test
    void metricsReadTensorsThatRequireGradWithoutJoiningTheGraph() {
        Tensor logits = Tensor.of(new double[] {2, 1, 0, 0, 1, 2}, 2, 3).requiresGrad(true);
        Tensor probs = logits.softmax(-1);   // float64, in a graph
        Tensor ids = f(v(0, 1), 2);
        for (Metric m : List.of(new Accuracy(), new SparseCategoricalAccuracy(), new SparseTopKCategoricalAccuracy(1), new ConfusionMatrix(3))) {
            m.update(ids, probs);
            assertEquals(0.5, m.result(), 1e-12, m.name());
        }
        Tensor p = Tensor.of(new double[] {0.2, 0.9}, 2, 1).requiresGrad(true).mul(1.0);
        for (Metric m : List.of(new AUC(), new Precision(), new Recall(), new BinaryAccuracy(), new MeanSquaredError())) {
            m.update(f(v(0, 1), 2, 1), p);
        }
        assertNull(logits.grad(), "nothing ran backward");
        assertEquals(DType.FLOAT64, probs.dtype());
    }
}
