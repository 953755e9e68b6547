package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spark-train} and {@code spark-predict} in Spark's local mode, on a Parquet file. */
class SparkCommandsTest {
    /** The README's worked example on a few rows: spark-data writes the Parquet, spark-train trains on it, spark-predict scores the test file. */
    @Test
    void sparkDataThenTrainThenPredictWithAccuracy(@TempDir Path dir) throws Exception {
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        System.setProperty("spark.driver.host", "127.0.0.1");
        Path idx = TinyData.fashion(dir, 64, 40), parquet = dir.resolve("parquet"), trained = dir.resolve("trained.myelin");
        TinyData.Result data = TinyData.run("spark-data", "fashion-mnist", "--data", idx.toString(), "--out", parquet.toString(), "--limit", "48");
        assertEquals(0, data.status(), data.err());
        assertTrue(data.out().contains("wrote 48 rows to " + parquet.resolve("train.parquet")) && data.out().contains("40 rows to " + parquet.resolve("test.parquet")), data.out());
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            var frame = spark.read().parquet(parquet.resolve("train.parquet").toString());
            assertEquals("struct<features:array<float>,label:int>", frame.schema().simpleString());
            Row first = frame.first();
            for (Object v : first.getList(0)) assertTrue((Float) v >= 0 && (Float) v <= 1, "pixel " + v);
            assertEquals(784, first.getList(0).size());
        } finally {
            spark.stop();
        }
        TinyData.Result again = TinyData.run("spark-data", "fashion-mnist", "--data", idx.toString(), "--out", parquet.toString());
        assertEquals(Main.EXIT_BAD_INPUT, again.status(), again.err());
        assertTrue(again.err().contains("already exists"), again.err());

        TinyData.Result train = TinyData.run("spark-train", parquet.resolve("train.parquet").toString(), "--model", "mlp", "--save", trained.toString(),
                "--batch-size", "16", "--epochs", "1");
        assertEquals(0, train.status(), train.err());
        assertTrue(train.out().contains("epoch 1: loss"), train.out());

        TinyData.Result predict = TinyData.run("spark-predict", trained.toString(), parquet.resolve("test.parquet").toString(), "--output", dir.resolve("scored").toString());
        assertEquals(0, predict.status(), predict.err());
        assertTrue(predict.out().contains("wrote 40 rows") && predict.out().matches("(?s).*accuracy [01]\\.\\d{4} \\(prediction = label over 40 rows\\).*"), predict.out());
    }

    @Test
    void sparkTrainThenSparkPredictOnParquet(@TempDir Path dir) throws Exception {
        System.setProperty("spark.driver.bindAddress", "127.0.0.1"); // SparkConf reads spark.* system properties
        System.setProperty("spark.driver.host", "127.0.0.1");
        Path data = dir.resolve("blobs.parquet");
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
                DataTypes.createStructField("label", DataTypes.IntegerType, false)));
        List<Row> rows = new ArrayList<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 96; i++) {
            float[] x = new float[4];
            for (int j = 0; j < 4; j++) x[j] = (float) ((j == i % 3 ? 2 : 0) + 0.5 * r.nextGaussian());
            rows.add(RowFactory.create(x, i % 3));
        }
        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            spark.createDataFrame(rows, schema).repartition(2).write().parquet(data.toString());
        } finally {
            spark.stop();
        }
        Sequential m = new Sequential(new Dense(8, Activation.RELU).inputShape(4), new Dense(3, Activation.SOFTMAX));
        m.seed(1);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        Path start = dir.resolve("start.myelin"), trained = dir.resolve("trained.myelin");
        m.save(start);

        TinyData.Result train = TinyData.run("spark-train", data.toString(), "--model", start.toString(), "--save", trained.toString(),
                "--batch-size", "16", "--epochs", "2");
        assertEquals(0, train.status(), train.err());
        assertTrue(train.out().contains("epoch 2: loss") && train.out().contains("bytes sent per step"), train.out());
        assertEquals(m.trainableWeights().size(), Model.load(trained).trainableWeights().size());

        TinyData.Result predict = TinyData.run("spark-predict", trained.toString(), data.toString(), "--output", dir.resolve("scored").toString(), "--top", "2");
        assertEquals(0, predict.status(), predict.err());
        assertTrue(predict.out().contains("wrote 96 rows"), predict.out());
        assertTrue(predict.out().contains("accuracy "), predict.out()); // the blobs have a label column

        TinyData.Result missing = TinyData.run("spark-train", dir.resolve("none.parquet").toString(), "--model", "mlp", "--save", trained.toString());
        assertEquals(Main.EXIT_BAD_INPUT, missing.status(), missing.err());
        assertTrue(missing.err().contains("no Parquet data at"), missing.err());
    }
}
