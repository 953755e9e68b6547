package dev.myelin.cli;

import dev.myelin.backend.Backends;
import dev.myelin.data.Cifar10;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.MnistFormat;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.zoo.SeedModels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code myelin train} and {@code myelin demo} do: load a labelled image folder (IDX as MNIST /
 * Fashion-MNIST, or CIFAR-10 binary batches), scale pixels to [0, 1], train a seed model or a JSON-described
 * one with Adam and sparse categorical cross-entropy, evaluate on the test split, and write PNG plots.
 */
record TrainingRun(String model, Path data, int epochs, int batchSize, double learningRate, long seed,
                   double validationSplit, Path out, String title) {
    /** The options' checks, before any data is read: each a one-line error naming the option. */
    TrainingRun {
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.positive("--lr", learningRate);
        OptionChecks.fraction("--validation-split", validationSplit);
    }

    /** Runs; prints the summary, the progress bar and {@code test accuracy: 0.xxxx}; returns the evaluation. */
    Evaluation run(PrintStream log) throws IOException {
        if (out != null) OptionChecks.writableFolder("--out", out); // now, not after training
        TrainTest split = load(data);
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
        History history = m.fit(xTrain, yTrain, FitOptions.epochs(epochs).batchSize(batchSize).seed(seed).validationSplit(validationSplit)
                .callbacks(nanStop.callback));
        nanStop.throwIfStopped();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation test = m.evaluate(xTest, yTest, 256);
        log.printf(Locale.ROOT, "training: %.1f s (%.1f s per epoch, %.0f samples/s)%n", seconds, seconds / Math.max(1, history.epochsRun()),
                history.epochsRun() * (double) xTrain.dim(0) * (1 - validationSplit) / seconds);
        log.printf(Locale.ROOT, "test loss: %.4f%n", test.loss());
        if (out != null) {
            Files.createDirectories(out);
            String stem = title.replaceAll("[^A-Za-z0-9_-]+", "-");
            Path curves = out.resolve(stem + "-curves.png");
            Plots.curves(history, title + ": training curves", curves);
            log.println("wrote " + curves);
            if (test.confusionMatrix() != null) {
                Path confusion = out.resolve(stem + "-confusion.png");
                List<String> names = test.confusionMatrix().counts().length == 10 && isFashion(data) ? FashionMnist.CLASS_NAMES : List.of();
                Plots.confusion(test.confusionMatrix().counts(), names, title + ": confusion matrix (test)", confusion);
                log.println("wrote " + confusion);
            }
        }
        log.printf(Locale.ROOT, "test accuracy: %.4f%n", test.get("accuracy"));
        return test;
    }

    /**
     * Images as the model's input when only the layout differs: the seed LSTM reads a 28×28×1 image as 28
     * time steps of 28 pixels. Any other mismatch is left for the model's own shape error.
     */
    private static Tensor asModelInput(Model m, Tensor x) {
        if (m.inputs().isEmpty()) return x;
        int[] want = m.inputs().get(0).shape().toArray();
        int per = 1;
        for (int d : want) per *= d;
        if (x.rank() == want.length + 1 || x.dim(0) == 0 || x.size() / x.dim(0) != per) return x;
        int[] dims = new int[want.length + 1];
        dims[0] = x.dim(0);
        System.arraycopy(want, 0, dims, 1, want.length);
        return x.reshape(dims);
    }

    private Model buildModel() throws IOException {
        if (model.toLowerCase(Locale.ROOT).endsWith(".json")) return ModelFile.read(Path.of(model));
        return SeedModels.byName(model);
    }

    private static boolean isFashion(Path dir) {
        return dir.toString().toLowerCase(Locale.ROOT).contains("fashion");
    }

    /** CIFAR-10 binary batches when the folder has them, IDX files otherwise. */
    static TrainTest load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("data folder " + dir + " does not exist or is not a folder");
        if (Files.exists(dir.resolve("test_batch.bin")) || Files.exists(dir.resolve("data_batch_1.bin"))) return Cifar10.load(dir);
        return MnistFormat.load(dir);
    }
}
