package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the workers check at the rendezvous, without Spark: each row is {rows, model hash, resume step}. */
class BarrierWorkerTest {
    @Test
    void theFewestStepsAnyPartitionAllowsAreEveryWorkersSteps() {
        assertEquals(3, BarrierWorker.stepsPerEpoch(List.of(new String[] {"70", "abc", "0"}, new String[] {"30", "abc", "0"}), 0, "abc", 0, 8, null));
    }

    @Test
    void mismatchedModelsResumeStepsAndTooSmallPartitionsAreNamed() {
        var model = assertThrows(IllegalStateException.class, () ->
                BarrierWorker.stepsPerEpoch(List.of(new String[] {"64", "abc", "0"}, new String[] {"64", "xyz", "0"}), 0, "abc", 0, 8, null));
        assertTrue(model.getMessage().contains("worker 1 has a different model (hash xyz) than worker 0 (abc)"), model.getMessage());
        var step = assertThrows(IllegalStateException.class, () ->
                BarrierWorker.stepsPerEpoch(List.of(new String[] {"64", "abc", "6"}, new String[] {"64", "abc", "0"}), 0, "abc", 6, 8, "/ckpt"));
        assertTrue(step.getMessage().contains("worker 1 resumes from step 0 but worker 0 from step 6") && step.getMessage().contains("/ckpt"), step.getMessage());
        var rows = assertThrows(IllegalArgumentException.class, () ->
                BarrierWorker.stepsPerEpoch(List.of(new String[] {"64", "abc", "0"}, new String[] {"5", "abc", "0"}), 0, "abc", 0, 8, null));
        assertTrue(rows.getMessage().contains("partition 1 has 5 rows, fewer than the 8"), rows.getMessage());
    }
}
