package dev.myelin.examples;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.optim.SGD;
import dev.myelin.privacy.PrivacySettings;
import dev.myelin.privacy.PrivateModel;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.nio.file.Path;
import java.util.Locale;

/**
 * DP-SGD on Fashion-MNIST with the tanh CNN of Papernot et al. (2021, "Tempered Sigmoid Activations for Deep
 * Learning with Differential Privacy", AAAI; 86.1% at ε = 2.7, δ = 1e-5), with the hyperparameters of its
 * public reproduction (Tramèr and Boneh 2021, github.com/ftramer/Handcrafted-DP, {@code cnns.py --dataset=fmnist
 * --batch_size=2048 --lr=4 --noise_multiplier=2.15}: SGD with momentum 0.9, clip norm 0.1, 40 epochs, ε = 3):
 * Conv2D(16, 8×8, stride 2) → MaxPool(2, stride 1) → Conv2D(32, 4×4, stride 2) → MaxPool(2, stride 1) →
 * Dense(32) → Dense(10), tanh throughout ({@code examples/privacy/papernot-tanh-cnn.json}).
 *
 * <p>Run: {@code java ... dev.myelin.examples.PrivacyExample DATA_DIR EPSILON EPOCHS [TRAIN_SAMPLES [BATCH [LR [CLIP [SEED]]]]]};
 * {@code EPSILON inf} trains with clipping and no noise (ε = ∞). Prints the noise multiplier chosen, each
 * epoch's ε and test accuracy, and the final line {@code epsilon=E accuracy=A}.
 */
public final class PrivacyExample {
    private PrivacyExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) throw new IllegalArgumentException("usage: PrivacyExample DATA_DIR EPSILON|inf EPOCHS [TRAIN_SAMPLES [BATCH [LR [CLIP [SEED]]]]]");
        TrainTest data = FashionMnist.load(Path.of(args[0]));
        double epsilon = args[1].equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(args[1]);
        int epochs = Integer.parseInt(args[2]);
        int n = args.length > 3 ? Math.min(Integer.parseInt(args[3]), data.train().x().dim(0)) : data.train().x().dim(0);
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 2048;
        double lr = args.length > 5 ? Double.parseDouble(args[5]) : 4.0;
        double clip = args.length > 6 ? Double.parseDouble(args[6]) : 0.1;
        long seed = args.length > 7 ? Long.parseLong(args[7]) : 1;
        Tensor x = data.train().x().slice(0, 0, n).div(255.0), y = data.train().y().slice(0, 0, n);
        Tensor testX = data.test().x().div(255.0), testY = data.test().y();

        Model model = papernotTanhCnn().seed(seed);
        model.compile(new SGD(lr).momentum(0.9), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        PrivacySettings settings = (Double.isInfinite(epsilon) ? PrivacySettings.noiseMultiplier(0) : PrivacySettings.targetEpsilon(epsilon))
                .clipNorm(clip).delta(1e-5).seed(seed);
        PrivateModel dp = new PrivateModel(model, settings);
        long t0 = System.nanoTime();
        // the test set as validation data: each epoch's line shows val_accuracy next to the epsilon spent so far
        History h = dp.fit(x, y, FitOptions.epochs(epochs).batchSize(batch).seed(seed).validationData(testX, testY).verbose(2));
        System.out.printf(Locale.ROOT, "training: %.0f s; test accuracy per epoch %s; epsilon per epoch %s%n", (System.nanoTime() - t0) / 1e9,
                h.get("val_accuracy"), h.get("epsilon"));
        double acc = model.evaluate(testX, testY, 1000).get("accuracy");
        System.out.printf(Locale.ROOT, "epsilon=%.3f accuracy=%.4f noise=%.4g clip=%g batch=%d lr=%g epochs=%d samples=%d%n",
                dp.epsilon(), acc, dp.noiseMultiplier(), clip, batch, lr, epochs, n);
    }

    /** The tanh CNN of Papernot et al. (2021) for 28×28×1 inputs, 26,010 weights. */
    static Sequential papernotTanhCnn() {
        return new Sequential(
                new Conv2D(16, 8, Activation.TANH).strides(2).padding(Padding.SAME).inputShape(28, 28, 1),
                new MaxPooling2D(2).strides(1),
                new Conv2D(32, 4, Activation.TANH).strides(2),
                new MaxPooling2D(2).strides(1),
                new Flatten(),
                new Dense(32, Activation.TANH),
                new Dense(10, Activation.SOFTMAX));
    }
}
