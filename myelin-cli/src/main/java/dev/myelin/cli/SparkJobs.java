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
import org.apache.spark.sql.SparkSession;

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
                         Path checkpointDir, int checkpointEvery) throws IOException {
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

    /** Writes {@code input} with the prediction columns appended to {@code output} (Parquet); returns the rows written. */
    static long predict(String master, Path modelFile, Path input, Path output, String inputCol, int topK, int batchSize) throws IOException {
        SparkSession spark = session(master, "myelin spark-predict");
        try {
            MyelinPredictor p = MyelinPredictor.of(modelFile).inputCol(inputCol).batchSize(batchSize);
            if (topK > 0) p.topK(topK);
            Dataset<Row> scored = p.transform(spark.read().parquet(input.toString()));
            scored.write().parquet(output.toString());
            return spark.read().parquet(output.toString()).count();
        } finally {
            spark.stop();
        }
    }
}
