package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {
    @Test
    void matchesScikitLearnByHand() {
        // y_true = [0,0,0,1,1,2], y_pred = [0,0,1,1,2,2]
        // class 0: P 2/2, R 2/3, F1 0.8; class 1: P 1/2, R 1/2, F1 0.5; class 2: P 1/2, R 1/1, F1 2/3
        var r = ClassificationReport.of(new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 1, 2, 2}, List.of("a", "b", "c"));
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        assertEquals(0.8, r.f1(0), 1e-12);
        assertEquals(0.5, r.f1(1), 1e-12);
        assertEquals(2.0 / 3, r.f1(2), 1e-12);
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, r.macroF1(), 1e-12);
        assertEquals(3, r.support(0));
        assertTrue(r.toString().contains("macro avg") && r.toString().contains("accuracy"), r.toString());
    }

    @Test
    void classesNeverPredictedOrAbsentScoreZero() {
        var r = ClassificationReport.of(new int[] {0, 0}, new int[] {0, 0}, List.of("a", "b"));
        assertEquals(0, r.precision(1));
        assertEquals(0, r.f1(1));
        assertEquals(0.5, r.macroF1(), 1e-12);
    }

    @Test
    void scoresPickTheArgMax() {
        Tensor scores = Tensor.of(new float[] {0.1f, 0.9f, 2f, -1f, 0.5f, 0.5f}, 3, 2);
        var r = ClassificationReport.of(new int[] {1, 0, 0}, scores, List.of("a", "b"));
        assertEquals(1.0, r.accuracy(), 1e-12); // ties go to the first class
        assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new int[] {1, 0}, scores, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new int[] {2}, new int[] {0}, List.of("a", "b")));
    }
}
