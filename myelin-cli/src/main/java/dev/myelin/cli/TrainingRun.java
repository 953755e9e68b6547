package dev.myelin.cli;

import dev.myelin.backend.Backends;
import dev.myelin.dashboard.TrainingDashboard;
import dev.myelin.data.Cifar10;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.MnistFormat;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.optim.Adam;
import dev.myelin.privacy.PrivacySettings;
import dev.myelin.privacy.PrivateModel;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.BackupAndRestore;
import dev.myelin.train.Callback;
import dev.myelin.train.Callback.TrainingPlan;
import dev.myelin.train.FitOptions;
import dev.myelin.train.Trainable;
import dev.myelin.train.History;
import dev.myelin.zoo.SeedModels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code myelin train} and {@code myelin demo} do: load a labelled image folder (IDX as MNIST /
 * Fashion-MNIST, or CIFAR-10 binary batches), scale pixels to [0, 1], train a seed model or a JSON-described
 * one with Adam and sparse categorical cross-entropy, evaluate on the test split, and write PNG plots.
 */
record TrainingRun(String model, Path data, int epochs, int batchSize, double learningRate, long seed,
                   double validationSplit, Path out, String title, ClassSelection classes, Path save, Path backup, Integer dashboardPort) {
    /** The options' checks, before any data is read: each a one-line error naming the option. */
    TrainingRun {
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.positive("--lr", learningRate);
        OptionChecks.fraction("--validation-split", validationSplit);
    }

    /** A run on every class of the data, saving nothing. */
    TrainingRun(String model, Path data, int epochs, int batchSize, double learningRate, long seed, double validationSplit, Path out, String title) {
        this(model, data, epochs, batchSize, learningRate, seed, validationSplit, out, title, null, null, null, null);
    }

    /** Runs; prints the summary, the progress bar and {@code test accuracy: 0.xxxx}; returns the evaluation. */
    Evaluation run(PrintStream log) throws IOException {
        return run(log, null);
    }

    /**
     * As {@link #run(PrintStream)}, trained with DP-SGD when {@code privacy} is not null
     * ({@link PrivateModel}): prints the noise chosen for the budget and the budget spent.
     */
    Evaluation run(PrintStream log, PrivacySettings privacy) throws IOException {
        if (out != null) OptionChecks.writableFolder("--out", out); // now, not after training
        if (save != null) SavedModels.checkTarget("--save", save);
        TrainTest split = load(data);
        if (classes != null) {
            int numClasses = numClasses(split);
            split = new TrainTest(classes.keep(split.train(), numClasses, "the training data in " + data),
                    classes.keep(split.test(), numClasses, "the test data in " + data));
            log.printf(Locale.ROOT, "classes: %s (labels kept)%n", classes);
        }
        Tensor xTrain = split.train().x().div(255.0), yTrain = split.train().y();
        Tensor xTest = split.test().x().div(255.0), yTest = split.test().y();
        log.printf(Locale.ROOT, "data: %s: %d training and %d test samples of shape %s, %d thread(s)%n",
                data, xTrain.dim(0), xTest.dim(0), split.train().xShape(), Backends.threads());
        Model m = buildModel();
        xTrain = asModelInput(m, xTrain);
        xTest = asModelInput(m, xTest);
        m.seed(seed);
        m.compile(new Adam(learningRate), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        log.print(m.summary());
        long t0 = System.nanoTime();
        NanStop nanStop = new NanStop();
        List<Callback> callbacks = new ArrayList<>();
        Interruption interruption = new Interruption();
        if (backup != null) {
            Path file = backup.resolve(BackupAndRestore.FILE_NAME);
            if (Files.exists(file)) log.printf(Locale.ROOT, "resuming from the backup %s%n", file);
            callbacks.add(new BackupAndRestore(backup)); // first, so that the others see the resumed run
        }
        callbacks.add(nanStop.callback);
        callbacks.add(interruption);
        String stem = title.replaceAll("[^A-Za-z0-9_-]+", "-");
        History history;
        Path report = out == null ? null : out.resolve(stem + "-report.html");
        try (TrainingDashboard dashboard = dashboard(log, report)) {
            if (dashboard != null) {
                int n = Math.min(16, xTest.dim(0));
                dashboard.samples(xTest.slice(0, 0, n), yTest.slice(0, 0, n), classNames(data, ModelInputs.numClasses(m)));
                callbacks.add(dashboard);
            }
            FitOptions fitOptions = FitOptions.epochs(epochs).batchSize(batchSize).seed(seed).validationSplit(validationSplit)
                    .callbacks(callbacks.toArray(Callback[]::new));
            if (privacy == null) {
                history = m.fit(xTrain, yTrain, fitOptions);
            } else {
                PrivateModel dp = new PrivateModel(m, privacy);
                history = dp.fit(xTrain, yTrain, fitOptions);
                log.printf(Locale.ROOT, "privacy spent: epsilon=%.3f at delta=%g (target %g) after %d DP-SGD steps: noise multiplier %.4g, clip norm %g,"
                        + " sampling rate %.4g%n", dp.epsilon(), privacy.delta(), privacy.targetEpsilon(), dp.steps(), dp.noiseMultiplier(),
                        privacy.clipNorm(), dp.samplingRate());
            }
        }
        if (interruption.plan != null && interruption.plan.interrupted()) {
            log.printf(Locale.ROOT, "interrupted after %d of %d epochs%s%n", interruption.plan.epochsCompleted(), epochs,
                    backup != null ? "; run the same command again to resume from the backup in " + backup : " (give --backup DIR to be able to resume)");
        }
        nanStop.throwIfStopped();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation test = m.evaluate(xTest, yTest, 256);
        log.printf(Locale.ROOT, "training: %.1f s (%.1f s per epoch, %.0f samples/s)%n", seconds, seconds / Math.max(1, history.epochsRun()),
                history.epochsRun() * (double) xTrain.dim(0) * (1 - validationSplit) / seconds);
        log.printf(Locale.ROOT, "test loss: %.4f%n", test.loss());
        if (out != null) {
            Files.createDirectories(out);
            Path curves = out.resolve(stem + "-curves.png");
            Plots.curves(history, test, title + ": training curves", curves);
            log.println("wrote " + curves);
            if (Files.exists(report)) log.println("wrote " + report);
            if (test.confusionMatrix() != null) {
                Path confusion = out.resolve(stem + "-confusion.png");
                List<String> names = classNames(data, test.confusionMatrix().counts().length);
                Plots.confusion(test.confusionMatrix().counts(), names, title + ": confusion matrix (test)", confusion);
                log.println("wrote " + confusion);
            }
        }
        log.printf(Locale.ROOT, "test accuracy: %.4f%n", test.get("accuracy"));
        if (save != null) {
            m.classNames(classNames(data, ModelInputs.numClasses(m)));
            SavedModels.save(m, save, log);
        }
        return test;
    }

    /**
     * The live dashboard ({@code --dashboard}), or with {@code --out} alone an offline one that only leaves the
     * report; null when neither was asked for. The report is written when training ends.
     */
    private TrainingDashboard dashboard(PrintStream log, Path report) throws IOException {
        TrainingDashboard d = dashboardPort != null ? TrainingDashboard.serve(dashboardPort) : report != null ? TrainingDashboard.offline() : null;
        if (d == null) return null;
        if (report != null) d.reportFile(report);
        if (d.url() != null) log.println("dashboard: " + d.url() + " (this machine only; open it in a browser; it closes when training ends"
                + (report != null ? ", and " + report + " keeps it)" : ")"));
        return d;
    }

    /** Remembers the run's plan, to tell after fit whether Ctrl-C cut it short. */
    private static final class Interruption implements Callback {
        TrainingPlan plan;

        @Override
        public void onTrainBegin(Trainable model, TrainingPlan p) {
            plan = p;
        }
    }

    /** Images as the model's input when only the layout differs (see {@link ModelInputs#reshapedIfSameSize}). */
    private static Tensor asModelInput(Model m, Tensor x) {
        return ModelInputs.reshapedIfSameSize(m, x);
    }

    /**
     * The class names of a known data set for a model with {@code outputs} classes: CIFAR-10's or
     * Fashion-MNIST's ten; none for other data (MNIST digits are their own names) or another class count.
     */
    static List<String> classNames(Path dir, int outputs) {
        List<String> names = isCifar(dir) ? Cifar10.CLASS_NAMES : isFashion(dir) ? FashionMnist.CLASS_NAMES : List.of();
        return names.size() == outputs ? names : List.of();
    }

    /** The number of classes of a labelled split: its largest label plus one. */
    static int numClasses(TrainTest split) {
        float max = 0;
        for (float v : split.train().y().toFloatArray()) max = Math.max(max, v);
        for (float v : split.test().y().toFloatArray()) max = Math.max(max, v);
        return (int) max + 1;
    }

    private Model buildModel() throws IOException {
        if (model.toLowerCase(Locale.ROOT).endsWith(".json")) return ModelFile.read(Path.of(model));
        return SeedModels.byName(model);
    }

    private static boolean isFashion(Path dir) {
        return dir.toString().toLowerCase(Locale.ROOT).contains("fashion");
    }

    private static boolean isCifar(Path dir) {
        return Files.exists(dir.resolve("test_batch.bin")) || Files.exists(dir.resolve("data_batch_1.bin"));
    }

    /** CIFAR-10 binary batches when the folder has them, IDX files otherwise. */
    static TrainTest load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("data folder " + dir + " does not exist or is not a folder");
        if (isCifar(dir)) return Cifar10.load(dir);
        return MnistFormat.load(dir);
    }
}
