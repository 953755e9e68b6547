package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel training in Spark's local mode against training in one process. */
class SparkTrainerTest {
    private static SparkSession spark;
    private static final StructType SCHEMA = TrainerFixtures.SCHEMA;

    @BeforeAll
    static void startSpark() {
        spark = TrainerFixtures.session("local[2]", "myelin-spark-trainer-test", "ERROR");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    private static Sequential model() {
        return TrainerFixtures.model();
    }

    /** Three separable blobs in 4-D, label i % 3. */
    private static float[][] blobs(int n) {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
        float[] x = new float[n * 4], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 4; j++) x[4 * i + j] = (float) ((j == i % 3 ? 2 : 0) + r.nextGaussian() * 0.5);
        }
        return new float[][] {x, y};
    }

    private static Row row(float[] x, float[] y, int i) {
        return RowFactory.create(Arrays.copyOfRange(x, 4 * i, 4 * i + 4), (int) y[i]);
    }

    /** Sends key k to partition k: uneven partitions on purpose. */
    private static final class ByKey extends org.apache.spark.Partitioner {
        @Override
        public int numPartitions() {
            return 2;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }

    @Test
    void twoWorkersWithHalfBatchesEqualOneProcessWithTheWholeBatch(@TempDir Path dir) throws Exception {
        int n = 128, global = 32, local = 16;
        float[][] d = blobs(n);
        // Partition r holds, for every step s, the r-th half of global batch s: what one process sees in order.
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            for (int s = 0; s < n / global; s++) {
                for (int i = 0; i < local; i++) rows.add(row(d[0], d[1], s * global + r * local + i));
            }
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> df = spark.createDataFrame(sc.parallelize(rows, 2), SCHEMA);

        Sequential reference = model();
        Path file = dir.resolve("start.myelin");
        reference.save(file);
        Model distributed = Model.load(file);
        SparkTrainer.Result r = SparkTrainer.of(distributed).workers(2).globalBatchSize(global).epochs(3).shuffle(false).fit(df);
        var history = reference.fit(Tensor.of(d[0], n, 4), Tensor.of(d[1], n), FitOptions.epochs(3).batchSize(global).shuffle(false).verbose(0));

        List<Parameter> expected = reference.trainableWeights(), got = r.model().trainableWeights();
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i).value().toFloatArray(), g = got.get(i).value().toFloatArray();
            for (int j = 0; j < e.length; j++) assertEquals(e[j], g[j], 1e-5, expected.get(i).name() + "[" + j + "]");
        }
        assertEquals(3, r.losses().size());
        for (int e = 0; e < 3; e++) assertEquals(history.get("loss").get(e), r.losses().get(e), 1e-5, "epoch " + (e + 1) + " loss");
        assertTrue(r.losses().get(2) < r.losses().get(0), "loss did not fall: " + r.losses());

        // The ring sends 2 (N − 1) / N × 4 bytes per value (the gradients and the loss): with N = 2, 4 bytes each.
        TrainingMetrics m = r.metrics();
        assertEquals(8 * 4 + 8 + 8 * 3 + 3, m.parameters());
        assertEquals(4 * (m.parameters() + 1), m.gradientBytesSentPerStep());
        assertEquals(3 * n / global, m.steps());
        assertTrue(m.computeSeconds() > 0 && m.allReduceSeconds() > 0 && m.updateSeconds() > 0, m.toString());
        assertTrue(m.projectedStepSeconds(1) > m.projectedStepSeconds(25), m.toString());
    }

    /** Training on a Spark ML vector column (sparse rows included) gives the weights of training on the same values as arrays. */
    @Test
    void vectorFeaturesTrainAsArraysDo() throws Exception {
        float[][] d = blobs(64);
        List<Row> arrays = new ArrayList<>(), vectors = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            arrays.add(row(d[0], d[1], i));
            double[] v = new double[4];
            for (int j = 0; j < 4; j++) v[j] = d[0][i * 4 + j];
            var vector = org.apache.spark.ml.linalg.Vectors.dense(v);
            vectors.add(RowFactory.create(i % 2 == 0 ? vector : vector.toSparse(), (int) d[1][i]));
        }
        StructType vectorSchema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false),
                DataTypes.createStructField("label", DataTypes.IntegerType, false)));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkTrainer.Result a = SparkTrainer.of(model()).workers(2).globalBatchSize(16).epochs(1).seed(3).fit(spark.createDataFrame(sc.parallelize(arrays, 2), SCHEMA));
        SparkTrainer.Result v = SparkTrainer.of(model()).workers(2).globalBatchSize(16).epochs(1).seed(3).fit(spark.createDataFrame(sc.parallelize(vectors, 2), vectorSchema));
        for (int i = 0; i < a.model().trainableWeights().size(); i++) {
            assertArrayEquals(a.model().trainableWeights().get(i).value().toFloatArray(), v.model().trainableWeights().get(i).value().toFloatArray());
        }
    }

    @Test
    void unevenPartitionsTakeTheSameNumberOfSteps() throws Exception {
        float[][] d = blobs(100);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) rows.add(row(d[0], d[1], i));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // 70 and 30 rows: 30 / 8 = 3 steps each, or the worker with more rows would wait for a peer that stopped.
        List<scala.Tuple2<Integer, Row>> keyed = new ArrayList<>();
        for (int i = 0; i < 100; i++) keyed.add(new scala.Tuple2<>(i < 70 ? 0 : 1, rows.get(i)));
        Dataset<Row> df = spark.createDataFrame(sc.parallelizePairs(keyed, 2).partitionBy(new ByKey()).values(), SCHEMA);
        SparkTrainer.Result r = SparkTrainer.of(model()).workers(2).globalBatchSize(16).epochs(4).seed(5).fit(df);
        assertEquals(4, r.losses().size());
        assertTrue(r.losses().get(3) < r.losses().get(0), "loss did not fall: " + r.losses());
    }

    @Test
    void badSettingsAreRefusedBeforeAnyTaskRuns() throws Exception {
        float[][] d = blobs(12);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) rows.add(row(d[0], d[1], i));
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
        var e = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.of(model()).workers(3).globalBatchSize(6).fit(df));
        assertTrue(e.getMessage().contains("3 workers") && e.getMessage().contains("2 task slots"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.of(model()).workers(2).globalBatchSize(5).fit(df));
        assertTrue(e.getMessage().contains("multiple of workers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.of(model()).labelCol("features").featuresCol("label").fit(df));
        assertTrue(e.getMessage().contains("'label' has type int"), e.getMessage());
    }
}
