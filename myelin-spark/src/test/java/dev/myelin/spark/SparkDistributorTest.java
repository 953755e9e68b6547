package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.distributed.Collective;
import dev.myelin.distributed.InProcessCollective;
import java.time.Duration;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A custom data-parallel loop through {@link SparkDistributor} against the same loop in one process. */
class SparkDistributorTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("myelin-spark-distributor-test")
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("OFF");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    private static final int ROWS = 67, FEATURES = 3, STEPS = 40; // 67: the workers' shards are uneven (34 and 33)

    /**
     * Full-batch gradient descent on least squares, by hand: each worker sums the gradient over its shard of the
     * rows (rank-strided), the all-reduce adds the shards, and every worker takes the same step.
     */
    private static float[] leastSquares(Collective c) throws Exception {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(5);
        float[][] x = new float[ROWS][FEATURES];
        float[] y = new float[ROWS];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < FEATURES; j++) x[i][j] = (float) r.nextGaussian();
            y[i] = 2 * x[i][0] - x[i][1] + 0.5f * x[i][2] + (float) (0.1 * r.nextGaussian());
        }
        float[] w = new float[FEATURES];
        for (int step = 0; step < STEPS; step++) {
            float[] g = new float[FEATURES];
            for (int i = c.rank(); i < ROWS; i += c.worldSize()) {
                float err = -y[i];
                for (int j = 0; j < FEATURES; j++) err += w[j] * x[i][j];
                for (int j = 0; j < FEATURES; j++) g[j] += 2 * err * x[i][j];
            }
            c.allReduceSum(g);
            for (int j = 0; j < FEATURES; j++) w[j] -= 0.1f * g[j] / ROWS;
        }
        return w;
    }

    @Test
    void twoWorkersOfAManualAllReduceLoopEqualTheLoopInOneProcess() throws Exception {
        float[] single;
        try (Collective alone = InProcessCollective.group(1, Duration.ofSeconds(10)).getFirst()) {
            single = leastSquares(alone);
        }
        float[] distributed = SparkDistributor.on(spark).workers(2).timeout(Duration.ofSeconds(30)).run(SparkDistributorTest::leastSquares);
        // Not bit-identical: each worker sums its shard, then the shards are added (another order of float additions).
        assertArrayEquals(single, distributed, 1e-5f);
        assertEquals(2, distributed[0], 0.1, "the loop did not converge: " + java.util.Arrays.toString(distributed));
        assertEquals(2, (int) SparkDistributor.run(2, c -> c.worldSize()), "the static form runs on the active session");
        assertEquals("worker 0 of 2", SparkDistributor.on(spark).workers(2).run(c -> "worker " + c.rank() + " of " + c.worldSize()));
    }

    @Test
    void aFailingWorkerIsAnErrorWithItsMessageAndTooManyWorkersAreRefused() {
        var e = assertThrows(Exception.class, () -> SparkDistributor.on(spark).timeout(Duration.ofSeconds(20)).run(c -> {
            if (c.rank() == 1) throw new IllegalStateException("worker one gives up");
            c.barrier();
            return 0;
        }));
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage());
        // Spark reports one task's failure: worker 1's own, or worker 0's, which carries worker 1's cause (RingCollective.abort).
        String message = all.toString();
        assertTrue(message.contains("worker one gives up"), message);
        var slots = assertThrows(IllegalArgumentException.class, () -> SparkDistributor.on(spark).workers(3).run(c -> 0));
        assertTrue(slots.getMessage().contains("3 workers") && slots.getMessage().contains("2 task slots"), slots.getMessage());
    }
}
