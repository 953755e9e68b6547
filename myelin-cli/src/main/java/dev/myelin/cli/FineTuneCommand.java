package dev.myelin.cli;

import dev.myelin.data.Dataset;
import dev.myelin.data.TrainTest;
import dev.myelin.examples.TransferLearning;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin fine-tune FILE --classes 5-9}: transfer learning from a model file. The saved model's
 * classifier (the layers above its convolutional base) is replaced by a new softmax head for the chosen classes, its other layers frozen, and the head
 * trained on a few labelled images; the same network trained from scratch on the same images shows the gain.
 */
@Command(name = "fine-tune", mixinStandardHelpOptions = true,
        description = {"Transfer learning: a new head on a model file, trained on a few images.",
                "Replaces the model's classifier (the layers above its last Flatten or global pooling, or above --cut-at) by a new softmax head for --classes (labelled 0..k-1",
                "in the order given), freezes the layers below it (--no-freeze-base trains them too), trains on --samples labelled",
                "training images of those classes (drawn with --seed), and prints the test accuracy on those classes next to that",
                "of the same network trained from scratch on the same images (--no-compare-scratch skips it).",
                "Example: myelin train --model cnn --classes 0-4 --save base.myelin; myelin fine-tune base.myelin --classes 5-9 (the shoes, after the clothes)."})
public final class FineTuneCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Model file to start from (written by --save or Model.save).")
    Path file;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset).")
    Path data;

    @Option(names = "--classes", required = true, paramLabel = "IDS", description = "The new task's classes, such as 5-9 (at least 2).")
    String classes;

    @Option(names = "--samples", defaultValue = "1000", description = "Labelled training images of those classes (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the sample draw, the new weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cut-at", paramLabel = "LAYER", description = "Keep the layers up to this one (by name, as summary prints it) under the new head"
            + " (default: the convolutional base, up to the last Flatten or global pooling layer; without one, every layer but the last).")
    String cutAt;

    @Option(names = "--freeze-base", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Train the new head alone (default); --no-freeze-base trains every layer.")
    boolean freezeBase;

    @Option(names = "--compare-scratch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also train the same network from fresh weights on the same images (default); --no-compare-scratch skips it.")
    boolean compareScratch;

    @Option(names = "--save", paramLabel = "FILE2", description = "Save the fine-tuned model to FILE2, with the chosen classes' names.")
    Path save;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        OptionChecks.atLeast("--samples", samples, 1);
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.positive("--lr", lr);
        ClassSelection picked = ClassSelection.parse("--classes", classes);
        if (picked.size() < 2) throw new IllegalArgumentException("--classes: a new head needs at least 2 classes, got " + picked);
        if (save != null) SavedModels.checkTarget("--save", save);
        run(SavedModels.load(file), data != null ? data : DataLocations.bundledFashionMnist(), picked, System.out);
        return 0;
    }

    private void run(Model base, Path dir, ClassSelection picked, PrintStream log) throws java.io.IOException {
        String model = SavedModels.describe(base, file);
        TrainTest split = TrainingRun.load(dir);
        int dataClasses = TrainingRun.numClasses(split);
        Dataset train = TransferLearning.sample(picked.relabel(split.train(), dataClasses, "the training data in " + dir), samples, seed);
        Dataset test = picked.relabel(split.test(), dataClasses, "the test data in " + dir);
        Tensor xTrain = ModelInputs.checked(base, train.x().div(255.0), "--data " + dir, model);
        Tensor xTest = ModelInputs.checked(base, test.x().div(255.0), "--data " + dir, model);
        log.printf(Locale.ROOT, "classes %s: %d labelled training images, %d test images (%s)%n", picked, train.size(), test.size(), dir);

        Model transfer = TransferLearning.withNewHead(base, features(base, model), picked.size(), seed);
        base.trainable(!freezeBase); // both ways: a file written by fine-tune holds frozen layers
        transfer.compile(new Adam(lr), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        log.print(transfer.summary());
        log.println((freezeBase ? "training the new head on the frozen layers of " : "training every layer, starting from ") + model);
        transfer.fit(xTrain, train.y(), options());
        double transferAccuracy = transfer.evaluate(xTest, test.y(), 256).get("accuracy");

        Double scratchAccuracy = null;
        if (compareScratch) {
            Model scratch = TransferLearning.freshCopy(transfer, seed + 1);
            scratch.compile(new Adam(lr), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
            log.println("training the same network from scratch on the same images");
            scratch.fit(xTrain, train.y(), options());
            scratchAccuracy = scratch.evaluate(xTest, test.y(), 256).get("accuracy");
        }

        log.printf(Locale.ROOT, "test accuracy on classes %s (%d images) after %d epochs on %d labelled images:%n", picked, test.size(), epochs, train.size());
        log.printf(Locale.ROOT, "  %s: %.4f%n", freezeBase ? "pretrained base (frozen) + new head" : "pretrained network fine-tuned    ", transferAccuracy);
        if (scratchAccuracy != null) log.printf(Locale.ROOT, "  same network from scratch:          %.4f%n", scratchAccuracy);
        if (save != null) {
            List<String> names = base.classNames().size() > picked.max() ? base.classNames() : TrainingRun.classNames(dir, dataClasses);
            transfer.classNames(picked.names(names));
            SavedModels.save(transfer, save, log);
        }
    }

    /** What the new head reads: the output of {@code --cut-at}'s layer, or of the convolutional base (the last Flatten or global pooling; else what the last layer reads). */
    private SymbolicTensor features(Model base, String model) {
        if (cutAt == null) return TransferLearning.convolutionalBase(base);
        Layer layer = base.layers().stream().filter(l -> l.name().equals(cutAt)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--cut-at " + cutAt + ": " + model + " has no layer of that name; its layers are "
                        + base.layers().stream().map(Layer::name).toList()));
        return layer.output();
    }

    private FitOptions options() {
        return FitOptions.epochs(epochs).batchSize(batchSize).seed(seed).verbose(2);
    }
}
