package dev.myelin.examples;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;

/**
 * The seed's multilayer perceptron on Fashion-MNIST:
 * {@code Dense(64, relu, input 784) → Dense(10, softmax)}, Adam, sparse categorical cross-entropy.
 *
 * <p>Run: {@code ./myelin example mlp [DATA_DIR] [--epochs N] [--seed S]} (default: the bundled subset).
 */
public final class MlpExample {
    /** Epochs when none are given. */
    public static final int EPOCHS = 5;

    private MlpExample() {}

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, "MlpExample [DATA_DIR [EPOCHS [SEED]]]", "data/fashion-mnist-subset", EPOCHS);
        TrainTest data = FashionMnist.load(a.data());
        Tensor trainImages = data.train().x().div(255.0), trainLabels = data.train().y();
        Tensor testImages = data.test().x().div(255.0), testLabels = data.test().y();

        var model = new Sequential(
                new Flatten().inputShape(28, 28, 1),
                new Dense(64, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
        model.seed(a.seed());
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(model.summary());
        model.fit(trainImages, trainLabels, FitOptions.epochs(a.epochs()).seed(a.seed()));
        System.out.printf("test accuracy: %.4f%n", model.evaluate(testImages, testLabels).get("accuracy"));
    }
}
