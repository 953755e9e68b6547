package dev.myelin.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin train}: a seed model or a JSON-described one on an image data folder. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on a data folder (IDX files as MNIST / Fashion-MNIST, or CIFAR-10 binary batches),",
                "evaluate it on the test split, write PNG plots and, with --save, the model file. Pixels are scaled to [0, 1]; Adam, sparse categorical cross-entropy."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonTrainingOptions common;

    @Mixin
    PrivacyOptions privacy;

    @Option(names = "--model", defaultValue = "cnn", description = "mlp, cnn, cnn-cifar, lstm, or a model JSON file (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset; the full set is in /usr/share/datasets/fashion-mnist after apt-get install dataset-fashion-mnist).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--validation-split", defaultValue = "0", description = "Fraction of the training data held out for validation (default: ${DEFAULT-VALUE}).")
    double validationSplit;

    @Option(names = "--classes", paramLabel = "IDS", description = "Train and test on these classes only, labels kept (such as 0-4 or 0,2,5-7; default: all).")
    String classes;

    @Option(names = "--save", paramLabel = "FILE", description = "Save the trained model to FILE (Model.save: architecture, weights, compile settings,"
            + " class names of Fashion-MNIST / CIFAR-10), e.g. model.myelin.")
    Path save;

    @Option(names = "--backup", paramLabel = "DIR", description = "Write the whole training state to DIR after every epoch (deleted when the run"
            + " completes). After an interruption (Ctrl-C, a crash, kill -9) run the same command again: it resumes from the last epoch and ends"
            + " exactly as an uninterrupted run would.")
    Path backup;

    @Option(names = "--dashboard", arity = "0..1", fallbackValue = "0", paramLabel = "PORT", description = "Serve a live training dashboard on"
            + " 127.0.0.1 (a free port unless PORT is given) and print its address: curves, learning rate, throughput, the model, weight and"
            + " gradient norms per layer, sample predictions. With --out a self-contained report.html is left beside the plots either way.")
    Integer dashboard;

    @Option(names = "--resume", description = "Resume from the backup in --backup DIR, and fail if there is none (without --resume a backup found"
            + " there is resumed too).")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        if (resume && backup == null) throw new IllegalArgumentException("--resume needs --backup DIR, the folder the interrupted run wrote its backup to");
        if (resume && !java.nio.file.Files.exists(backup.resolve(dev.myelin.train.BackupAndRestore.FILE_NAME))) {
            throw new IllegalArgumentException("--resume: there is no backup to resume in " + backup + " (no " + dev.myelin.train.BackupAndRestore.FILE_NAME
                    + "): the run completed, or was started without --backup " + backup);
        }
        var dp = privacy.settings(common.seed);
        common.applyThreads();
        if (data == null && model.equals("cnn-cifar")) {
            // Nothing of CIFAR-10 is bundled: say so before anything is built or printed.
            throw new IllegalArgumentException("train --model cnn-cifar needs CIFAR-10: give --data DIR, a folder with the binary batches"
                    + " data_batch_1.bin ... data_batch_5.bin and test_batch.bin (cifar-10-binary.tar.gz, unpacked); the bundled data are Fashion-MNIST");
        }
        ClassSelection picked = classes == null ? null : ClassSelection.parse("--classes", classes);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        String stem = Path.of(model).getFileName().toString().replaceFirst("\\.json$", "");
        new TrainingRun(model, dir, common.epochs, batchSize, lr, common.seed, validationSplit, common.out, "train-" + stem, picked, save, backup, dashboard).run(System.out, dp);
        return 0;
    }
}
