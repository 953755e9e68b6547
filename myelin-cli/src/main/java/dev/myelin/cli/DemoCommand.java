package dev.myelin.cli;

import dev.myelin.backend.cpu.Parallel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: trains the seed CNN on the Fashion-MNIST subset bundled in the repository (no network,
 * no arguments), shows the progress bar, prints {@code test accuracy: 0.xxxx}, and writes PNG plots of the
 * training curves and the test confusion matrix.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train the seed CNN on the bundled Fashion-MNIST subset (10,000 training, 2,000 test images),",
                "print the test accuracy and write PNG plots (curves, confusion matrix)."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
    Integer threads;

    @Option(names = "--out", defaultValue = "myelin-out", description = "Folder for the PNG plots (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        new TrainingRun("cnn", DataLocations.bundledFashionMnist(), epochs, 32, 1e-3, seed, 0, out, "demo-cnn-fashion-mnist").run(System.out);
        return 0;
    }
}
