package dev.myelin.cli;

import dev.myelin.backend.cpu.Parallel;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Model;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin lstm}: the seed LSTM on sequential Fashion-MNIST (each image row is a time step: 28 × 28). */
@Command(name = "lstm", aliases = "train-seq", mixinStandardHelpOptions = true,
        description = {"Train the seed LSTM (LSTM(50, return_sequences) -> LSTM(50) -> Dense(10, softmax)) on sequential",
                "Fashion-MNIST: each 28x28 image is 28 time steps of 28 pixels (scaled to [0, 1]); Adam, sparse categorical",
                "cross-entropy; prints `test accuracy: 0.xxxx`."})
public final class LstmCommand implements Callable<Integer> {
    @Mixin
    CommonTrainingOptions common;

    @Option(names = "--data", description = "IDX data folder (default: the bundled Fashion-MNIST subset; the full set is in /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Override
    public Integer call() throws Exception {
        common.applyThreads();
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        TrainTest split = TrainingRun.load(dir);
        Tensor xTrain = sequences(split.train().x()), yTrain = split.train().y();
        Tensor xTest = sequences(split.test().x()), yTest = split.test().y();
        System.out.printf(Locale.ROOT, "data: %s: %d training and %d test sequences of shape [28, 28], %d thread(s)%n",
                dir, xTrain.dim(0), xTest.dim(0), Parallel.threads());
        Model model = SeedModels.lstm();
        model.seed(common.seed);
        model.compile(new Adam(lr), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        model.build();
        System.out.print(model.summary());
        long t0 = System.nanoTime();
        History history = model.fit(xTrain, yTrain, FitOptions.epochs(common.epochs).batchSize(batchSize).seed(common.seed));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation test = model.evaluate(xTest, yTest, 256);
        System.out.printf(Locale.ROOT, "training: %.1f s (%.1f s per epoch, %.0f samples/s)%n", seconds,
                seconds / Math.max(1, history.epochsRun()), history.epochsRun() * (double) xTrain.dim(0) / seconds);
        System.out.printf(Locale.ROOT, "test loss: %.4f%n", test.loss());
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", test.get("accuracy"));
        return 0;
    }

    /** Images {@code [n, 28, 28(, 1)]} as sequences {@code [n, 28 steps, 28 features]} in [0, 1]. */
    private static Tensor sequences(Tensor images) {
        if (images.size() != images.dim(0) * 28 * 28) {
            throw new IllegalArgumentException("lstm needs 28x28 grey images (Fashion-MNIST / MNIST), got " + images.shape());
        }
        return images.reshape(images.dim(0), 28, 28).div(255.0);
    }
}
