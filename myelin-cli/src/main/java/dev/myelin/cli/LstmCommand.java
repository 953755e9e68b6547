package dev.myelin.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin lstm}: the seed LSTM on sequential Fashion-MNIST (each image row is a time step: 28 × 28). */
@Command(name = "lstm", aliases = "train-seq", mixinStandardHelpOptions = true,
        description = {"Train the seed LSTM (LSTM(50, return_sequences) -> LSTM(50) -> Dense(10, softmax)) on sequential",
                "Fashion-MNIST: each 28x28 image is 28 time steps of 28 pixels (scaled to [0, 1]); Adam, sparse categorical",
                "cross-entropy; prints `test accuracy: 0.xxxx` and writes PNG plots like `train`."})
public final class LstmCommand implements Callable<Integer> {
    @Mixin
    CommonTrainingOptions common;

    @Option(names = "--data", description = "IDX data folder (default: the bundled Fashion-MNIST subset; the full set is in /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--save", paramLabel = "FILE", description = "Save the trained model to FILE (with Fashion-MNIST's class names), e.g. lstm.myelin.")
    Path save;

    @Override
    public Integer call() throws Exception {
        common.applyThreads();
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        new TrainingRun("lstm", dir, common.epochs, batchSize, lr, common.seed, 0, common.out, "lstm-sequential-fashion-mnist", null, save, null, null).run(System.out);
        return 0;
    }
}
