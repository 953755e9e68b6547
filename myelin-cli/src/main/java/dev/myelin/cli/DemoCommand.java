package dev.myelin.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin
    CommonTrainingOptions common;

    @Override
    public Integer call() throws Exception {
        common.applyThreads();
        new TrainingRun("cnn", DataLocations.bundledFashionMnist(), common.epochs, 32, 1e-3, common.seed, 0, common.out, "demo-cnn-fashion-mnist").run(System.out);
        return 0;
    }
}
