package dev.myelin.metrics;

import static dev.myelin.metrics.AccuracyMetricsTest.f;
import static dev.myelin.metrics.AccuracyMetricsTest.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** MeanAbsoluteError, MeanSquaredError and Mean against hand-computed values. */
class ValueMetricsTest {

    @Test
    void maeAndMseKerasExamples() {
        // Keras docs: [[0, 1], [0, 0]] vs [[1, 1], [1, 0]] -> 0.5 for both
        var mae = new MeanAbsoluteError();
        var mse = new MeanSquaredError();
        mae.update(f(v(0, 1, 0, 0), 2, 2), f(v(1, 1, 1, 0), 2, 2));
        mse.update(f(v(0, 1, 0, 0), 2, 2), f(v(1, 1, 1, 0), 2, 2));
        assertEquals(0.5, mae.result(), 1e-12);
        assertEquals(0.5, mse.result(), 1e-12);
    }

    @Test
    void accumulateOverBatchesOfDifferentSizes() {
        // batch 1: errors [1, −2] (2 samples), batch 2: errors [3] (1 sample) -> MAE (1 + 2 + 3) / 3, MSE (1 + 4 + 9) / 3
        var mae = new MeanAbsoluteError();
        var mse = new MeanSquaredError();
        for (Metric m : new Metric[] {mae, mse}) {
            m.update(f(v(0, 0), 2, 1), f(v(1, -2), 2, 1));
            m.update(f(v(1), 1), f(v(4), 1, 1));
        }
        assertEquals(2.0, mae.result(), 1e-12);
        assertEquals(14.0 / 3, mse.result(), 1e-12);
        // per sample = mean over the last axis: [[0, 4]] vs zeros is one sample of MAE 2
        mae.reset();
        mae.update(f(v(0, 0), 1, 2), f(v(0, 4), 1, 2));
        mae.update(f(v(0, 0), 1, 2), f(v(0, 0), 1, 2));
        assertEquals(1.0, mae.result(), 1e-12);
        mae.reset();
        assertEquals(0.0, mae.result());
    }

    @Test
    void meanIsWeighted() {
        var loss = new Mean("loss");
        assertEquals(0.0, loss.result(), "empty");
        loss.update(0.9, 32);
        loss.update(0.6, 16);
        assertEquals(0.8, loss.result(), 1e-12);
        assertEquals(48, loss.count());
        loss.update(Tensor.scalar(2.0));
        assertEquals((0.9 * 32 + 0.6 * 16 + 2) / 49, loss.result(), 1e-12);
        loss.reset();
        loss.update(null, f(v(1, 2, 3, 6), 2, 2));
        assertEquals(3.0, loss.result(), 1e-12);
        loss.update(5);
        assertEquals(17.0 / 5, loss.result(), 1e-12);
        assertEquals("loss", loss.name());
        assertEquals("mean", new Mean().name());
        assertThrows(IllegalArgumentException.class, () -> loss.update(1, -1));
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().update(f(new float[6], 2, 3), f(new float[6], 3, 2)));
        assertTrue(e.getMessage().contains("mean_squared_error") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MeanAbsoluteError().update(f(new float[4], 4), f(new float[8], 4, 2)));
        assertTrue(e.getMessage().contains("mean_absolute_error") && e.getMessage().contains("[4]") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }
}
