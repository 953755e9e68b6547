package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training and inference with executors in separate JVMs ({@code local-cluster[2,1,1024]}: 2 workers of 1 core):
 * everything that travels (the model bytes, the workers' closures, the ring's sockets between processes) really
 * travels. The executors run from this test's classpath ({@code spark.executor.extraClassPath}); the pom sets
 * {@code SPARK_HOME} to a folder with an empty {@code jars/} and {@code SPARK_SCALA_VERSION}, which Spark needs to
 * build the executor command without a Spark distribution.
 */
class LocalClusterTest {
    private static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.IntegerType, false),
            DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false)));

    private static Sequential model() {
        Sequential m = new Sequential(new Dense(8, Activation.RELU).inputShape(4), new Dense(3, Activation.SOFTMAX));
        m.seed(11);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        return m;
    }

    private static SparkSession startCluster() throws Exception {
        String home = System.getenv("SPARK_HOME");
        Assumptions.assumeTrue(home != null && System.getenv("SPARK_SCALA_VERSION") != null,
                "local-cluster needs SPARK_HOME and SPARK_SCALA_VERSION (set by myelin-spark/pom.xml for surefire); run through Maven");
        Files.createDirectories(Path.of(home, "jars"));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String flags = "--add-modules jdk.incubator.vector -Xss4m --enable-native-access=ALL-UNNAMED";
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("myelin-local-cluster-test")
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.memory", "512m").config("spark.executor.extraClassPath", classpath)
                .config("spark.executor.extraJavaOptions", flags).getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3 && System.nanoTime() < deadline) Thread.sleep(200);
        int executors = spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
        if (executors < 2) {
            spark.stop();
            Assumptions.abort("local-cluster started " + executors + " of 2 executor JVMs within 90 s: this machine cannot launch them");
        }
        return spark;
    }

    @Test
    void separateExecutorJvmsTrainLikeOneProcessAndPredictLikeLocalPredict(@TempDir Path dir) throws Exception {
        SparkSession spark = startCluster();
        try {
            int n = 96, global = 32, local = 16;
            RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
            float[] x = new float[n * 4], y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = i % 3;
                for (int j = 0; j < 4; j++) x[4 * i + j] = (float) ((j == i % 3 ? 2 : 0) + r.nextGaussian() * 0.5);
            }
            // Partition p holds the p-th half of every global batch: what one process sees in order.
            List<Row> rows = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                for (int s = 0; s < n / global; s++) {
                    for (int i = 0; i < local; i++) {
                        int k = s * global + p * local + i;
                        rows.add(RowFactory.create(k, java.util.Arrays.copyOfRange(x, 4 * k, 4 * k + 4), (int) y[k]));
                    }
                }
            }
            Dataset<Row> df = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2), SCHEMA);

            Sequential reference = model();
            Path start = dir.resolve("start.myelin");
            reference.save(start);
            SparkTrainer.Result result = SparkTrainer.of(Model.load(start)).workers(2).globalBatchSize(global).epochs(2).shuffle(false).fit(df);
            reference.fit(Tensor.of(x, n, 4), Tensor.of(y, n), FitOptions.epochs(2).batchSize(global).shuffle(false).verbose(0));
            List<Parameter> expected = reference.trainableWeights(), got = result.model().trainableWeights();
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i).value().toFloatArray(), got.get(i).value().toFloatArray(), 1e-5f, expected.get(i).name());
            }

            Path trained = dir.resolve("trained.myelin");
            result.model().save(trained);
            List<Row> out = new ArrayList<>(MyelinPredictor.of(trained).inputCol("features").batchSize(10).transform(df).collectAsList());
            out.sort(Comparator.comparingInt(row -> row.getInt(0)));
            float[] predicted = result.model().predict(Tensor.of(x, n, 4)).toFloatArray();
            assertEquals(n, out.size());
            for (int i = 0; i < n; i++) {
                List<Object> probs = out.get(i).getList(out.get(i).fieldIndex("probability"));
                for (int c = 0; c < 3; c++) assertEquals(predicted[3 * i + c], ((Number) probs.get(c)).floatValue(), 1e-6f, "row " + i);
            }
        } finally {
            spark.stop();
        }
    }
}
