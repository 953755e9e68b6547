package dev.myelin.cli;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.optim.Adam;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code myelin spark-train DATA.parquet --model M --save FILE}: data-parallel training on Spark. */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
        description = {"Train a model on Apache Spark with synchronous data-parallel workers and save it.",
                "Reads a Parquet file or folder (an array column of features and a label column); each of --workers tasks of one barrier stage trains on its",
                "partition and the gradients are summed by a ring all-reduce over TCP. Runs in local mode unless --master names a cluster."})
public final class SparkTrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATA", description = "Parquet file or folder with the training rows.")
    Path data;

    @Option(names = "--model", required = true, description = "A seed model (mlp, cnn, cnn-cifar: compiled with Adam 1e-3 and sparse cross-entropy) or a compiled model file.")
    String model;

    @Option(names = "--save", required = true, paramLabel = "FILE", description = "Where to write the trained model file.")
    Path save;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master URL (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--workers", defaultValue = "2", description = "Data-parallel workers, at most the cluster's task slots (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--batch-size", defaultValue = "64", description = "Global batch size, a multiple of --workers (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--features", defaultValue = "features", description = "Features column (default: ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--label", defaultValue = "label", description = "Label column (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "A folder every executor can read, or a Hadoop URI (hdfs://, s3a://, file:///), for checkpoints to resume from when a task dies.")
    String checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "With --checkpoint-dir: steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--workers", workers, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--checkpoint-every", checkpointEvery, 1);
        if (!Files.exists(data)) throw new IllegalArgumentException("no Parquet data at " + data);
        Model m;
        if (Files.isRegularFile(Path.of(model))) {
            m = SavedModels.load(Path.of(model));
        } else {
            m = SeedModels.byName(model);
            m.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
            m.build();
        }
        SparkJobs.Trained t = SparkJobs.train(master, data, m, workers, batchSize, epochs, features, label, checkpointDir, checkpointEvery);
        t.report().forEach(System.out::println);
        t.model().save(save);
        System.out.println("saved " + save);
        return 0;
    }
}
