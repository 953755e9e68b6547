package dev.myelin.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code myelin spark-predict FILE DATA.parquet --output OUT}: batch inference on Spark. */
@Command(name = "spark-predict", mixinStandardHelpOptions = true,
        description = {"Score a Parquet data set with a model file on Apache Spark and write the rows with their predictions as Parquet.",
                "Appends prediction (the arg-max class), probability (the model's outputs) and, with --top, top_k; the model is sent once per executor.",
                "When the data has a label column of class ids, prints the accuracy of the predictions.",
                "Runs in local mode unless --master names a cluster."})
public final class SparkPredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Model file (written by --save or Model.save).")
    Path file;

    @Parameters(index = "1", paramLabel = "DATA", description = "Parquet file or folder with the rows to score.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "Parquet folder to write (must not exist).")
    Path output;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master URL (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--input", defaultValue = "features", description = "Input column: an array of numbers, image file bytes or an image struct (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--label", defaultValue = "label", description = "Label column: when the data has it (class ids), the accuracy of the predictions is printed (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--top", defaultValue = "0", description = "Also write the K most probable classes in column top_k (default: none).")
    int top;

    @Option(names = "--batch-size", defaultValue = "512", description = "Rows per inference batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.atLeast("--top", top, 0);
        if (!Files.exists(data)) throw new IllegalArgumentException("no Parquet data at " + data);
        if (Files.exists(output)) throw new IllegalArgumentException("--output " + output + " already exists");
        long t0 = System.nanoTime();
        SparkJobs.Predicted p = SparkJobs.predict(master, file, data, output, input, label, top, batchSize);
        System.out.printf(java.util.Locale.ROOT, "wrote %d rows to %s (%.1f s)%n", p.rows(), output, (System.nanoTime() - t0) * 1e-9);
        if (!Double.isNaN(p.accuracy())) System.out.printf(java.util.Locale.ROOT, "accuracy %.4f (prediction = %s over %d rows)%n", p.accuracy(), label, p.rows());
        return 0;
    }
}
