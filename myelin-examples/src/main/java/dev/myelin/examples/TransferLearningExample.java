package dev.myelin.examples;

import dev.myelin.data.Dataset;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Path;

/**
 * Transfer learning on Fashion-MNIST: the seed CNN ({@link SeedModels#cnnMnist()}) learns classes 0–4
 * (T-shirt, Trouser, Pullover, Dress, Coat); then a new 5-way head on its frozen convolutional base learns classes 5–9
 * (Sandal, Shirt, Sneaker, Bag, Ankle boot) from only 1,000 labelled images, against the same network
 * trained from scratch on the same 1,000 images for the same epochs; last, the base is unfrozen and the
 * whole transfer model fine-tuned with a 10× lower learning rate. It prints the three accuracies on the
 * classes-5–9 test images.
 *
 * <p>Run: {@code ./myelin example transfer [DATA_DIR [PRETRAIN_SAMPLES]]} (default: the bundled subset;
 * the full set is in /usr/share/datasets/fashion-mnist after {@code apt-get install dataset-fashion-mnist};
 * PRETRAIN_SAMPLES caps the classes-0–4 images used to pretrain, default 10,000).
 */
public final class TransferLearningExample {
    static final int LABELLED = 1_000;
    static final int PRETRAIN_EPOCHS = 3;
    static final int EPOCHS = 5;

    private TransferLearningExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/fashion-mnist-subset");
        int pretrainCap = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        TrainTest data = FashionMnist.load(dir);
        Dataset firstTask = sample(classes(data.train(), 0), pretrainCap, 1);
        Dataset fewLabelled = sample(classes(data.train(), 5), LABELLED, 2);
        Dataset test = classes(data.test(), 5);
        System.out.printf("pretraining on %d images of classes 0-4; %d labelled images of classes 5-9; %d test images of classes 5-9%n",
                firstTask.size(), fewLabelled.size(), test.size());

        Model base = pretrain(firstTask); // save and load here: base = Model.load(path) after base.save(path)

        // (a) the convolutional base, frozen, under a new 5-way head
        Model transfer = withNewHead(base);
        base.trainable(false);
        transfer.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(transfer.summary());
        transfer.fit(images(fewLabelled), labels(fewLabelled), FitOptions.epochs(EPOCHS).seed(3).verbose(2));
        double transferAccuracy = accuracy(transfer, test);

        // (b) the same network from scratch on the same images, same epochs
        Sequential scratch = SeedModels.cnnMnist().seed(4);
        scratch.pop();
        scratch.add(new Dense(5, Activation.SOFTMAX));
        scratch.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        scratch.fit(images(fewLabelled), labels(fewLabelled), FitOptions.epochs(EPOCHS).seed(3).verbose(2));
        double scratchAccuracy = accuracy(scratch, test);

        // (c) unfreeze the base and fine-tune everything with a 10x lower learning rate
        base.trainable(true);
        transfer.compile(new Adam(1e-4), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        transfer.fit(images(fewLabelled), labels(fewLabelled), FitOptions.epochs(2).seed(5).verbose(2));
        double fineTunedAccuracy = accuracy(transfer, test);

        System.out.printf("test accuracy on classes 5-9 (%d images), after training on %d labelled images:%n", test.size(), LABELLED);
        System.out.printf("  frozen pretrained base + new head: %.4f%n", transferAccuracy);
        System.out.printf("  same network from scratch:         %.4f%n", scratchAccuracy);
        System.out.printf("  transfer, then base fine-tuned:    %.4f%n", fineTunedAccuracy);
    }

    /** The seed CNN trained on classes 0–4 (its 10-way softmax sees only those labels). */
    static Sequential pretrain(Dataset firstTask) {
        Sequential cnn = SeedModels.cnnMnist().seed(1);
        cnn.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        cnn.fit(images(firstTask), labels(firstTask), FitOptions.epochs(PRETRAIN_EPOCHS).seed(1).verbose(2));
        return cnn;
    }

    /**
     * A functional model on {@code base}'s convolutional part (its layers up to Flatten: the same layer
     * objects, so the trained weights) under a new Dense(5, softmax) head.
     */
    static Model withNewHead(Model base) {
        Layer features = base.layers().stream().filter(l -> l instanceof Flatten).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("model '" + base.name() + "' has no Flatten layer to cut at"));
        return new Model(base.inputs().getFirst(), new Dense(5, Activation.SOFTMAX).apply(features.output()));
    }

    /** The samples whose label is in {@code [first, first + 5)}, relabelled {@code 0..4}. */
    static Dataset classes(Dataset all, int first) {
        float[] y = all.y().toFloatArray();
        int[] keep = java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] >= first && y[i] < first + 5).toArray();
        Dataset picked = all.take(keep);
        return Dataset.of(picked.x(), picked.y().sub(first));
    }

    /** {@code count} samples drawn without replacement with {@code seed} (all of them when there are fewer). */
    static Dataset sample(Dataset all, int count, long seed) {
        return all.shuffled(seed).slice(0, Math.min(count, all.size()));
    }

    private static Tensor images(Dataset d) {
        return d.x().div(255.0);
    }

    private static Tensor labels(Dataset d) {
        return d.y();
    }

    private static double accuracy(Model model, Dataset test) {
        return model.evaluate(images(test), labels(test)).get("accuracy");
    }
}
