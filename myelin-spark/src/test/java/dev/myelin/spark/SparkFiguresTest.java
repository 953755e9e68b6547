package dev.myelin.spark;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures, not a check (run on demand: {@code ./mvnw -B -o -pl myelin-spark test
 * -Dtest=SparkFiguresTest -Dmyelin.figures=true}; {@code -Dmyelin.figures.rows=N} for another subset): the seed
 * CNN on a subset of Fashion-MNIST written as Parquet, trained for one epoch in one process and with 2 workers in
 * {@code local[2]}, test accuracy of both, the per-step split of worker 0's time, the bytes sent per step against
 * {@code 2 (N − 1) / N × 4 × parameters}, the projected step time on 1, 10 and 25 Gb/s links, and inference rows/s
 * through {@code transform} against local {@code predict}.
 */
@EnabledIfSystemProperty(named = "myelin.figures", matches = "true")
class SparkFiguresTest {
    private static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.IntegerType, false),
            DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false)));

    private static List<Row> rows(Tensor x, Tensor y, int n) {
        float[] px = x.toFloatArray(), labels = y.toFloatArray();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] p = new float[784];
            for (int j = 0; j < 784; j++) p[j] = px[i * 784 + j] / 255f;
            rows.add(RowFactory.create(i, p, (int) labels[i]));
        }
        return rows;
    }

    private static Tensor scaled(Tensor x, int n) {
        float[] px = java.util.Arrays.copyOf(x.toFloatArray(), n * 784);
        for (int i = 0; i < px.length; i++) px[i] /= 255f;
        return Tensor.of(px, n, 28, 28, 1);
    }

    private static Sequential seedCnn() {
        Sequential m = SeedModels.cnnMnist();
        m.seed(42);
        m.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        return m;
    }

    @Test
    void figures(@TempDir Path dir) throws Exception {
        Path data = Path.of("/usr/share/datasets/fashion-mnist");
        Assumptions.assumeTrue(Files.isDirectory(data), "Fashion-MNIST is not in " + data);
        int trainRows = Integer.getInteger("myelin.figures.rows", 6016), testRows = 2000, batch = 64;
        TrainTest tt = FashionMnist.load(data);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("myelin-spark-figures")
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        try {
            Path trainParquet = dir.resolve("train.parquet"), testParquet = dir.resolve("test.parquet");
            spark.createDataFrame(rows(tt.train().x(), tt.train().y(), trainRows), SCHEMA).repartition(2).write().parquet(trainParquet.toString());
            spark.createDataFrame(rows(tt.test().x(), tt.test().y(), testRows), SCHEMA).repartition(2).write().parquet(testParquet.toString());
            Dataset<Row> train = spark.read().parquet(trainParquet.toString()).cache();
            Dataset<Row> test = spark.read().parquet(testParquet.toString()).cache();
            train.count();
            test.count();
            Tensor testX = scaled(tt.test().x(), testRows), testY = Tensor.of(java.util.Arrays.copyOf(tt.test().y().toFloatArray(), testRows), testRows);

            // Warm-up (JIT) on a throwaway model, so neither timed run pays for it: local mode shares this JVM.
            seedCnn().fit(scaled(tt.train().x(), 640), Tensor.of(java.util.Arrays.copyOf(tt.train().y().toFloatArray(), 640), 640),
                    FitOptions.epochs(1).batchSize(batch).verbose(0));
            Sequential single = seedCnn();
            Path start = dir.resolve("start.myelin");
            single.save(start);
            long t0 = System.nanoTime();
            single.fit(scaled(tt.train().x(), trainRows), Tensor.of(java.util.Arrays.copyOf(tt.train().y().toFloatArray(), trainRows), trainRows),
                    FitOptions.epochs(1).batchSize(batch).shuffle(true).verbose(0));
            double singleSeconds = (System.nanoTime() - t0) * 1e-9;
            double singleAccuracy = single.evaluate(testX, testY, 256).get("accuracy");

            long t1 = System.nanoTime();
            SparkTrainer.Result r = SparkTrainer.of(Model.load(start)).workers(2).globalBatchSize(batch).epochs(1).featuresCol("pixels").labelCol("label").fit(train);
            double sparkSeconds = (System.nanoTime() - t1) * 1e-9;
            Model distributed = r.model();
            double sparkAccuracy = distributed.evaluate(testX, testY, 256).get("accuracy");
            TrainingMetrics m = r.metrics();
            long singleSteps = trainRows / batch;
            double singleStep = singleSeconds / singleSteps;

            System.out.printf("%n== Spark figures: seed CNN (%d parameters), %d Fashion-MNIST training rows (Parquet), 1 epoch, global batch %d, test on %d rows ==%n",
                    m.parameters(), trainRows, batch, testRows);
            System.out.printf("one process:       %.1f s (%.1f ms/step), test accuracy %.4f%n", singleSeconds, 1e3 * singleStep, singleAccuracy);
            System.out.printf("2 workers local[2]: %.1f s wall (stage incl. start), test accuracy %.4f, loss %s%n", sparkSeconds, sparkAccuracy, r.losses());
            System.out.printf("worker 0 per step:  compute %.1f ms, all-reduce %.1f ms, update %.1f ms (%d steps)%n",
                    1e3 * m.computePerStep(), 1e3 * m.allReducePerStep(), 1e3 * m.updatePerStep(), m.steps());
            long formula = Math.round(2.0 * (m.workers() - 1) / m.workers() * 4 * (m.parameters() + 1));
            System.out.printf("bytes sent per step: %d (2(N-1)/N x 4 x (parameters + 1) = %d)%n", m.gradientBytesSentPerStep(), formula);
            for (double gbps : new double[] {1, 10, 25}) {
                double step = m.projectedStepSeconds(gbps);
                System.out.printf("projected on %4.0f Gb/s: %.1f ms/step, %.2fx one process's %.1f ms/step%n", gbps, 1e3 * step, singleStep / step, 1e3 * singleStep);
            }

            Path trained = dir.resolve("trained.myelin");
            distributed.save(trained);
            MyelinPredictor predictor = MyelinPredictor.of(trained).inputCol("pixels").batchSize(256);
            predictor.transform(test).count(); // parse the model once per executor JVM (warm-up)
            long p0 = System.nanoTime();
            long n = predictor.transform(test).count();
            double transformSeconds = (System.nanoTime() - p0) * 1e-9;
            distributed.predict(testX, 256);
            long p1 = System.nanoTime();
            distributed.predict(testX, 256);
            double predictSeconds = (System.nanoTime() - p1) * 1e-9;
            System.out.printf("inference: transform %.0f rows/s (%d rows, local[2]), local predict %.0f rows/s%n%n", n / transformSeconds, n, testRows / predictSeconds);
        } finally {
            spark.stop();
        }
    }
}
