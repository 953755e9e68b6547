package dev.myelin.examples;

import dev.myelin.data.Dataset;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Transfer learning on Fashion-MNIST: the seed CNN ({@link SeedModels#cnnMnist()}) learns classes 0–4
 * (T-shirt, Trouser, Pullover, Dress, Coat); then a new 5-way head on its frozen convolutional base learns classes 5–9
 * (Sandal, Shirt, Sneaker, Bag, Ankle boot) from only 1,000 labelled images, against the same network
 * trained from scratch on the same 1,000 images for the same epochs; last, the base is unfrozen and the
 * whole transfer model fine-tuned with a 10× lower learning rate. It prints the three accuracies on the
 * classes-5–9 test images. The pretrained model goes through a model file ({@code Model.save} then
 * {@code Model.load}) before the second task, as it would between two programs; {@code myelin fine-tune}
 * runs the same steps ({@link TransferLearning}) on a model file given on the command line.
 *
 * <p>Run: {@code ./myelin example transfer [DATA_DIR [PRETRAIN_SAMPLES]]} (default: the bundled subset;
 * the full set is in /usr/share/datasets/fashion-mnist after {@code apt-get install dataset-fashion-mnist};
 * PRETRAIN_SAMPLES caps the classes-0–4 images used to pretrain, default 10,000).
 */
public final class TransferLearningExample {
    static final int LABELLED = 1_000;
    static final int PRETRAIN_EPOCHS = 3;
    static final int EPOCHS = 5;
    static final int[] FIRST_TASK = {0, 1, 2, 3, 4};
    static final int[] SECOND_TASK = {5, 6, 7, 8, 9};

    private TransferLearningExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/fashion-mnist-subset");
        int pretrainCap = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        TrainTest data = FashionMnist.load(dir);
        Dataset firstTask = TransferLearning.sample(TransferLearning.classes(data.train(), FIRST_TASK), pretrainCap, 1);
        Dataset fewLabelled = TransferLearning.sample(TransferLearning.classes(data.train(), SECOND_TASK), LABELLED, 2);
        Dataset test = TransferLearning.classes(data.test(), SECOND_TASK);
        System.out.printf("pretraining on %d images of classes 0-4; %d labelled images of classes 5-9; %d test images of classes 5-9%n",
                firstTask.size(), fewLabelled.size(), test.size());

        // Keep what was trained: save the pretrained model and start the second task from the file, as another program would.
        Path file = Files.createTempFile("transfer-base-", ".myelin");
        try {
            pretrain(firstTask).save(file);
            System.out.printf("saved the pretrained model to %s (%d bytes)%n", file, Files.size(file));
            Model base = Model.load(file);
            run(base, fewLabelled, test);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void run(Model base, Dataset fewLabelled, Dataset test) {
        // (a) the convolutional base (up to Flatten), frozen, under a new 5-way head
        Layer flatten = base.layers().stream().filter(l -> l instanceof Flatten).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("model '" + base.name() + "' has no Flatten layer to cut at"));
        Model transfer = TransferLearning.withNewHead(base, flatten.output(), SECOND_TASK.length, 3);
        base.trainable(false);
        transfer.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        System.out.print(transfer.summary());
        transfer.fit(images(fewLabelled), labels(fewLabelled), FitOptions.epochs(EPOCHS).seed(3).verbose(2));
        double transferAccuracy = accuracy(transfer, test);

        // (b) the same network, fresh weights, trained from scratch on the same images for the same epochs
        Model scratch = TransferLearning.freshCopy(transfer, 4);
        scratch.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        scratch.fit(images(fewLabelled), labels(fewLabelled), FitOptions.epochs(EPOCHS).seed(3).verbose(2));
        double scratchAccuracy = accuracy(scratch, test);

        // (c) unfreeze the base and fine-tune everything with a 10x lower learning rate
        base.trainable(true);
        transfer.compile(new Adam(1e-4), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        transfer.fit(images(fewLabelled), labels(fewLabelled), FitOptions.epochs(2).seed(5).verbose(2));
        double fineTunedAccuracy = accuracy(transfer, test);

        System.out.printf("test accuracy on classes 5-9 (%d images), after training on %d labelled images:%n", test.size(), fewLabelled.size());
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
