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
        long rows = SparkJobs.predict(master, file, data, output, input, top, batchSize);
        System.out.printf(java.util.Locale.ROOT, "wrote %d rows to %s (%.1f s)%n", rows, output, (System.nanoTime() - t0) * 1e-9);
        return 0;
    }
}
