package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Sequential;
import dev.myelin.nn.Parameter;
import dev.myelin.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that dies: Spark reruns the barrier stage ({@code local[2, 4]}: 2 slots, 4 attempts per task) and the
 * workers resume from worker 0's last checkpoint.
 */
class SparkTrainerFaultTest {
    private static SparkSession spark;
    private static final StructType SCHEMA = TrainerFixtures.SCHEMA;

    @BeforeAll
    static void startSpark() {
        spark = TrainerFixtures.session("local[2, 4]", "myelin-spark-fault-test", "OFF");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    private static Sequential model() {
        return TrainerFixtures.model();
    }

    /** 128 rows of three blobs in 4-D (label i % 3), in 2 partitions whose row order is fixed on every rerun. */
    private static Dataset<Row> blobs() {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            float[] x = new float[4];
            for (int j = 0; j < 4; j++) x[j] = (float) ((j == i % 3 ? 2 : 0) + r.nextGaussian() * 0.5);
            rows.add(RowFactory.create(x, i % 3));
        }
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2), SCHEMA);
    }

    private static SparkTrainer trainer() throws Exception {
        return SparkTrainer.of(model()).workers(2).globalBatchSize(32).epochs(3).seed(7); // 4 steps an epoch, 12 in all
    }

    @Test
    void aKilledTaskResumesFromTheLastCheckpointAndEndsWithTheWeightsOfAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Dataset<Row> data = blobs();
        SparkTrainer.Result uninterrupted = trainer().fit(data);
        // Checkpoints after steps 3, 6, 9; worker 1 dies at the start of step 5 (0-based), after worker 0 wrote step 3's.
        SparkTrainer.Result resumed = trainer().checkpointDir(dir).checkpointEvery(3).failOnceForTest(1, 5).fit(data);

        assertEquals(0, uninterrupted.metrics().stageAttempt());
        assertEquals(12, uninterrupted.metrics().steps());
        assertEquals(1, resumed.metrics().stageAttempt(), "the stage was not rerun");
        assertEquals(3, resumed.metrics().resumedFromStep(), "the rerun did not start from the last checkpoint");
        assertEquals(9, resumed.metrics().steps(), "only the steps since the checkpoint are run again");
        // Bit-identical: the checkpoint holds the exact weights and Adam state, and the rerun takes the same rows in the same order.
        List<Parameter> expected = uninterrupted.model().trainableWeights(), got = resumed.model().trainableWeights();
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).value().toFloatArray(), got.get(i).value().toFloatArray(), expected.get(i).name());
        }
        assertEquals(uninterrupted.losses(), resumed.losses());
        assertFalse(Files.exists(dir.resolve(Checkpoint.FILE)), "the checkpoint of a finished run is deleted");

        // The same through Hadoop's FileSystem API (LocalFileSystem behind file://, as HDFS or S3A would be).
        Path hadoop = dir.resolve("hadoop");
        SparkTrainer.Result viaHadoop = trainer().checkpointDir(hadoop.toUri().toString()).checkpointEvery(3).failOnceForTest(1, 5).fit(data);
        assertEquals(1, viaHadoop.metrics().stageAttempt(), "the stage was not rerun");
        assertEquals(3, viaHadoop.metrics().resumedFromStep(), "the rerun did not start from the last checkpoint on file://");
        got = viaHadoop.model().trainableWeights();
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).value().toFloatArray(), got.get(i).value().toFloatArray(), expected.get(i).name());
        }
        try (var left = Files.list(hadoop)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList(), "checkpoints left on file://");
        }
    }

    @Test
    void aHadoopStoreKeepsOnlyTheNewestCheckpointAndReadsItBack(@TempDir Path dir) throws Exception {
        CheckpointStore store = CheckpointStore.of(dir.toUri().toString(), org.apache.hadoop.conf.Configuration::new);
        assertTrue(store instanceof HadoopCheckpointStore, store.getClass().getName());
        byte[] model = {4, 5, 6, 7};
        new Checkpoint("run", 3, 4, new double[] {0.5, 0}, 1.5, model).write(store);
        new Checkpoint("run", 6, 4, new double[] {0.5, 0.25}, 0.75, model).write(store);
        Checkpoint c = Checkpoint.read(store, "run").orElseThrow();
        assertEquals(6, c.step());
        assertEquals(0.75, c.lossSum());
        assertArrayEquals(model, c.model());
        assertArrayEquals(new double[] {0.5, 0.25}, c.losses());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("myelin-spark-checkpoint-000000000006.bin"),
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList(), "the older checkpoint and the temporary file are gone");
        }
        var other = assertThrows(IllegalStateException.class, () -> Checkpoint.read(store, "another run"));
        assertTrue(other.getMessage().contains("checkpoint of another training run"), other.getMessage());
        store.delete();
        assertTrue(Checkpoint.read(store, "run").isEmpty());
        assertTrue(Checkpoint.read(CheckpointStore.of(dir.resolve("none").toUri().toString(), org.apache.hadoop.conf.Configuration::new), "run").isEmpty());

        assertTrue(CheckpointStore.of(dir.toString(), () -> { throw new AssertionError("a local path needs no Hadoop configuration"); }) instanceof LocalCheckpointStore);
        assertTrue(CheckpointStore.of("C:/ckpt", () -> { throw new AssertionError("a drive letter is no scheme"); }) instanceof LocalCheckpointStore);
        var unknown = assertThrows(IOException.class, () -> CheckpointStore.of("nosuchfs://host/ckpt", org.apache.hadoop.conf.Configuration::new));
        assertTrue(unknown.getMessage().contains("nosuchfs"), unknown.getMessage());
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused(@TempDir Path dir) throws Exception {
        new Checkpoint("another run", 3, 4, new double[3], 0, new byte[0]).write(dir);
        var e = assertThrows(Exception.class, () -> trainer().checkpointDir(dir).checkpointEvery(3).fit(blobs()));
        assertTrue(messages(e).contains("checkpoint of another training run"), messages(e));
        var bad = assertThrows(IllegalArgumentException.class, () -> trainer().checkpointEvery(3).fit(blobs()));
        assertTrue(bad.getMessage().contains("needs checkpointDir"), bad.getMessage());
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) b.append(t.getMessage()).append('\n');
        return b.toString();
    }

    @Test
    void aCheckpointIsWrittenAtomicallyAndReadBack(@TempDir Path dir) throws Exception {
        byte[] model = {1, 2, 3};
        new Checkpoint("run", 6, 4, new double[] {0.5, 0.25}, 1.5, model).write(dir);
        new Checkpoint("run", 9, 4, new double[] {0.5, 0.25}, 0.75, model).write(dir);
        Checkpoint c = Checkpoint.read(dir, "run").orElseThrow();
        assertEquals(9, c.step());
        assertEquals(0.75, c.lossSum());
        assertArrayEquals(model, c.model());
        assertArrayEquals(new double[] {0.5, 0.25}, c.losses());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(Checkpoint.FILE), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
        assertTrue(Checkpoint.read(dir.resolve("none"), "run").isEmpty());
    }
}
