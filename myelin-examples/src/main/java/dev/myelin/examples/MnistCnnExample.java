package dev.myelin.examples;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;

/**
 * The seed's convolutional network for 28×28 grey images, on Fashion-MNIST:
 * {@code Conv2D(32, 3×3, relu) → MaxPooling2D(2) → Flatten → Dense(128, relu) → Dense(10, softmax)}.
 *
 * <p>Run: {@code ./myelin example cnn [DATA_DIR] [--epochs N] [--seed S]} (default: the bundled subset; the full set is in
 * /usr/share/datasets/fashion-mnist after {@code apt-get install dataset-fashion-mnist}).
 */
public final class MnistCnnExample {
    /** Epochs when none are given. */
    public static final int EPOCHS = 5;

    private MnistCnnExample() {}

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, "MnistCnnExample [DATA_DIR [EPOCHS [SEED]]]", "data/fashion-mnist-subset", EPOCHS);
        TrainTest data = FashionMnist.load(a.data());
        Tensor trainImages = data.train().x().div(255.0), trainLabels = data.train().y();
        Tensor testImages = data.test().x().div(255.0), testLabels = data.test().y();

        var model = new Sequential(
                new Conv2D(32, 3, Activation.RELU).inputShape(28, 28, 1),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(128, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
        model.seed(a.seed());
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(model.summary());
        History h = model.fit(trainImages, trainLabels, FitOptions.epochs(a.epochs()).seed(a.seed()));
        System.out.println("loss per epoch: " + h.get("loss"));
        System.out.printf("test accuracy: %.4f%n", model.evaluate(testImages, testLabels).get("accuracy"));
    }
}
