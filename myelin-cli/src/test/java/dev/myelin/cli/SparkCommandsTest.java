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

        TinyData.Result missing = TinyData.run("spark-train", dir.resolve("none.parquet").toString(), "--model", "mlp", "--save", trained.toString());
        assertEquals(Main.EXIT_BAD_INPUT, missing.status(), missing.err());
        assertTrue(missing.err().contains("no Parquet data at"), missing.err());
    }
}
