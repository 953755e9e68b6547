package dev.myelin.cli;

import dev.myelin.models.Model;
import dev.myelin.spark.MyelinPredictor;
import dev.myelin.spark.SparkTrainer;
import dev.myelin.spark.TrainingMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark side of {@code spark-train} and {@code spark-predict}, apart from the command classes: only these
 * methods touch Spark's classes, so the other commands start (and list these two in their help) without Spark on
 * the classpath; the launcher adds Spark for the {@code spark-*} commands only.
 */
final class SparkJobs {
    private SparkJobs() {}

    /** What {@link #train} ran: the trained model and lines to print. */
    record Trained(Model model, List<String> report) {}

    private static SparkSession session(String master, String app) {
        SparkSession spark = SparkSession.builder().master(master).appName(app).config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        return spark;
    }

    static Trained train(String master, Path parquet, Model model, int workers, int globalBatch, int epochs, String features, String label,
                         String checkpointDir, int checkpointEvery) throws IOException {
        SparkSession spark = session(master, "myelin spark-train");
        try {
            Dataset<Row> data = spark.read().parquet(parquet.toString());
            SparkTrainer trainer = SparkTrainer.of(model).workers(workers).globalBatchSize(globalBatch).epochs(epochs).featuresCol(features).labelCol(label);
            if (checkpointDir != null) trainer.checkpointDir(checkpointDir).checkpointEvery(checkpointEvery);
            SparkTrainer.Result r = trainer.fit(data);
            TrainingMetrics m = r.metrics();
            List<String> lines = new java.util.ArrayList<>();
            for (int e = 0; e < r.losses().size(); e++) lines.add(String.format(Locale.ROOT, "epoch %d: loss %.4f", e + 1, r.losses().get(e)));
            lines.add(String.format(Locale.ROOT, "%d workers, %d steps: per step compute %.1f ms, all-reduce %.1f ms, update %.1f ms; %d bytes sent per step",
                    m.workers(), m.steps(), 1e3 * m.computePerStep(), 1e3 * m.allReducePerStep(), 1e3 * m.updatePerStep(), m.gradientBytesSentPerStep()));
            return new Trained(r.model(), lines);
        } finally {
            spark.stop();
        }
    }

    /** Rows of the data set {@link #writeImages} builds at a time (a chunk of Fashion-MNIST is 31 MB of floats). */
    private static final int WRITE_CHUNK = 10_000;

    /**
     * Writes each data set to its Parquet folder: column {@code features} the example's values scaled by 1/255
     * ({@code array<float>}), column {@code label} its class id ({@code int}).
     */
    static void writeImages(String master, java.util.Map<Path, dev.myelin.data.Dataset> sets) {
        SparkSession spark = session(master, "myelin spark-data");
        try {
            sets.forEach((out, data) -> writeImages(spark, data, out));
        } finally {
            spark.stop();
        }
    }

    private static void writeImages(SparkSession spark, dev.myelin.data.Dataset data, Path out) {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
                DataTypes.createStructField("label", DataTypes.IntegerType, false)));
        int n = data.size(), values = (int) (data.x().size() / Math.max(1, n));
        for (int from = 0; from < n; from += WRITE_CHUNK) {
            dev.myelin.data.Dataset chunk = data.slice(from, Math.min(n, from + WRITE_CHUNK));
            float[] x = chunk.x().toFloatArray(), y = chunk.y().toFloatArray();
            List<Row> rows = new java.util.ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                float[] pixels = new float[values];
                for (int j = 0; j < values; j++) pixels[j] = x[i * values + j] / 255f;
                rows.add(RowFactory.create(pixels, (int) y[i]));
            }
            spark.createDataFrame(rows, schema).coalesce(1).write().mode(from == 0 ? SaveMode.ErrorIfExists : SaveMode.Append).parquet(out.toString());
        }
    }

    /** What {@link #predict} wrote: the rows, and the accuracy when the input had the label column (else NaN). */
    record Predicted(long rows, double accuracy) {}

    /** Writes {@code input} with the prediction columns appended to {@code output} (Parquet); returns the rows written. */
    static Predicted predict(String master, Path modelFile, Path input, Path output, String inputCol, String labelCol, int topK, int batchSize) throws IOException {
        SparkSession spark = session(master, "myelin spark-predict");
        try {
            MyelinPredictor p = MyelinPredictor.of(modelFile).inputCol(inputCol).batchSize(batchSize);
            if (topK > 0) p.topK(topK);
            Dataset<Row> data = spark.read().parquet(input.toString());
            Dataset<Row> scored = p.transform(data);
            scored.write().parquet(output.toString());
            Dataset<Row> written = spark.read().parquet(output.toString());
            boolean labelled = java.util.Arrays.asList(data.columns()).contains(labelCol)
                    && data.schema().apply(labelCol).dataType() instanceof org.apache.spark.sql.types.NumericType;
            if (!labelled) return new Predicted(written.count(), Double.NaN);
            Row counts = written.agg(functions.count(functions.lit(1)),
                    functions.sum(functions.when(functions.col("prediction").equalTo(functions.col(labelCol)), 1).otherwise(0))).first();
            long rows = counts.getLong(0);
            return new Predicted(rows, rows == 0 ? Double.NaN : (double) counts.getLong(1) / rows);
        } finally {
            spark.stop();
        }
    }
}
