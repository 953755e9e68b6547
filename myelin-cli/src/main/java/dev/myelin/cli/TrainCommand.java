package dev.myelin.cli;

import dev.myelin.backend.cpu.Parallel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin train}: a seed model or a JSON-described one on an image data folder. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on a data folder (IDX files as MNIST / Fashion-MNIST, or CIFAR-10 binary batches),",
                "evaluate it on the test split and write PNG plots. Pixels are scaled to [0, 1]; Adam, sparse categorical cross-entropy."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "cnn", description = "mlp, cnn, cnn-cifar, or a model JSON file (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset; the full set is in /usr/share/datasets/fashion-mnist after apt-get install dataset-fashion-mnist).")
    Path data;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--validation-split", defaultValue = "0", description = "Fraction of the training data held out for validation (default: ${DEFAULT-VALUE}).")
    double validationSplit;

    @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
    Integer threads;

    @Option(names = "--out", defaultValue = "myelin-out", description = "Folder for the PNG plots (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        String stem = Path.of(model).getFileName().toString().replaceFirst("\\.json$", "");
        new TrainingRun(model, dir, epochs, batchSize, lr, seed, validationSplit, out, "train-" + stem).run(System.out);
        return 0;
    }
}
