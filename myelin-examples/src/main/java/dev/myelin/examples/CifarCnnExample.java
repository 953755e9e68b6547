package dev.myelin.examples;

import dev.myelin.data.Cifar10;
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

/**
 * The seed's convolutional network for 32×32 colour images, on CIFAR-10 (binary version):
 * {@code Conv2D(32, 3×3, relu) → MaxPooling2D(2) → Conv2D(64, 3×3, relu) → MaxPooling2D(2) → Flatten →
 * Dense(64, relu) → Dense(10, softmax)}.
 *
 * <p>Run: {@code ./myelin example cnn-cifar DATA_DIR [--epochs N] [--seed S]}, where DATA_DIR holds {@code data_batch_1.bin} ...
 * {@code test_batch.bin} (CIFAR-10 is not bundled: nothing is downloaded at run time).
 */
public final class CifarCnnExample {
    /** Epochs when none are given. */
    public static final int EPOCHS = 10;

    private CifarCnnExample() {}

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, "CifarCnnExample DATA_DIR [EPOCHS [SEED]]   (DATA_DIR: a folder with CIFAR-10's data_batch_*.bin and test_batch.bin)", null, EPOCHS);
        TrainTest data = Cifar10.load(a.data());
        Tensor trainImages = data.train().x().div(255.0), trainLabels = data.train().y();
        Tensor testImages = data.test().x().div(255.0), testLabels = data.test().y();

        var model = new Sequential(
                new Conv2D(32, 3, Activation.RELU).inputShape(32, 32, 3),
                new MaxPooling2D(2),
                new Conv2D(64, 3, Activation.RELU),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(64, Activation.RELU),
                new Dense(10, Activation.SOFTMAX));
        model.seed(a.seed());
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(model.summary());
        model.fit(trainImages, trainLabels, FitOptions.epochs(a.epochs()).seed(a.seed()));
        System.out.printf("test accuracy: %.4f%n", model.evaluate(testImages, testLabels).get("accuracy"));
    }
}
