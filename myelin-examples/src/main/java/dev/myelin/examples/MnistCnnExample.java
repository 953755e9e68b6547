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
import java.nio.file.Path;

/**
 * The seed's convolutional network for 28×28 grey images, on Fashion-MNIST:
 * {@code Conv2D(32, 3×3, relu) → MaxPooling2D(2) → Flatten → Dense(128, relu) → Dense(10, softmax)}.
 *
 * <p>Run: {@code ./myelin example cnn [DATA_DIR]} (default: the bundled subset; the full set is in
 * /usr/share/datasets/fashion-mnist after {@code apt-get install dataset-fashion-mnist}).
 */
public final class MnistCnnExample {
    private MnistCnnExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/fashion-mnist-subset");
        TrainTest data = FashionMnist.load(dir);
        Tensor trainImages = data.train().x().div(255.0), trainLabels = data.train().y();
        Tensor testImages = data.test().x().div(255.0), testLabels = data.test().y();

        var model = new Sequential(
                new Conv2D(32, 3, Activation.RELU).inputShape(28, 28, 1),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(128, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(model.summary());
        History h = model.fit(trainImages, trainLabels, FitOptions.epochs(5));
        System.out.println("loss per epoch: " + h.get("loss"));
        System.out.printf("test accuracy: %.4f%n", model.evaluate(testImages, testLabels).get("accuracy"));
    }
}
