package dev.myelin.examples;

import dev.myelin.data.Augmentation;
import dev.myelin.data.CutMix;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.MixUp;
import dev.myelin.data.RandAugment;
import dev.myelin.data.RandomBrightness;
import dev.myelin.data.RandomContrast;
import dev.myelin.data.RandomErasing;
import dev.myelin.data.RandomFlip;
import dev.myelin.data.RandomTranslation;
import dev.myelin.data.RandomZoom;
import dev.myelin.data.TrainTest;
import dev.myelin.io.PngWriter;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.RandomStream;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The augmentation stages on Fashion-MNIST: a PNG grid of augmented samples, and the effect of augmentation
 * on the seed CNN's test accuracy when trained on a small subset.
 *
 * <p>Run: {@code java ... dev.myelin.examples.AugmentationExample grid DATA_DIR OUT.png} (rows: original,
 * RandomZoom(0.3), RandomContrast(0.5), RandomBrightness(0.3), RandomErasing(1), RandAugment(2, 9), MixUp(1),
 * CutMix(1)), or {@code ... accuracy DATA_DIR TRAIN_SAMPLES TEST_SAMPLES EPOCHS [mild]} (the seed CNN with and
 * without flip + zoom + translation + erasing, or with {@code mild} flip + a 5% shift; same seed).
 */
public final class AugmentationExample {
    private AugmentationExample() {}

    public static void main(String[] args) throws Exception {
        TrainTest data = FashionMnist.load(Path.of(args[1]));
        if (args[0].equals("grid")) grid(data, Path.of(args[2]));
        else accuracy(data, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), args.length > 5 && args[5].equals("mild"));
    }

    static void grid(TrainTest data, Path out) throws Exception {
        int n = 10;
        Tensor x = data.test().x().slice(0, 0, n).div(255.0), y = Tensor.oneHot(data.test().y().slice(0, 0, n), 10);
        var rng = RandomStream.seeded(7);
        List<Tensor> rows = new ArrayList<>();
        rows.add(x);
        for (Augmentation a : List.of(RandomZoom.of(0.3), RandomContrast.of(0.5).valueRange(0, 1), RandomBrightness.of(0.3).valueRange(0, 1),
                RandomErasing.of(1), RandAugment.of(2, 9).valueRange(0, 1))) {
            rows.add(a.apply(x, rng));
        }
        DataLoader.Batch b = new DataLoader.Batch(List.of(x), List.of(y));
        rows.add(MixUp.of(1).apply(b, rng).x());
        rows.add(CutMix.of(1).apply(b, rng).x());
        PngWriter.writeGrid(Tensor.concat(rows, 0), n, 0, 1, 3, out);
        System.out.println("wrote " + out);
    }

    static void accuracy(TrainTest data, int trainSamples, int testSamples, int epochs, boolean mild) {
        Dataset train = Dataset.of(data.train().x().slice(0, 0, trainSamples).div(255.0), data.train().y().slice(0, 0, trainSamples));
        Tensor testX = data.test().x().slice(0, 0, testSamples).div(255.0), testY = data.test().y().slice(0, 0, testSamples);
        Augmentation aug = mild
                ? Augmentation.compose(RandomFlip.horizontal(), RandomTranslation.of(0.05, 0.05))
                : Augmentation.compose(RandomFlip.horizontal(), RandomZoom.of(0.1), RandomTranslation.of(0.1, 0.1), RandomErasing.of(0.5));
        for (Augmentation a : new Augmentation[] {null, aug}) {
            Sequential model = SeedModels.cnnMnist();
            model.seed(1);
            model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
            DataLoader loader = DataLoader.of(train).batchSize(32).shuffle(3).augment(a).prefetch(true);
            long t0 = System.nanoTime();
            var h = model.fit(loader, FitOptions.epochs(epochs).verbose(0));
            double acc = model.evaluate(testX, testY, 256).get("accuracy");
            System.out.printf("%s: train accuracy %.4f, test accuracy %.4f (%d train, %d test, %d epochs, %.0f s)%n",
                    a == null ? "no augmentation" : mild ? "flip+translation(0.05)" : "flip+zoom(0.1)+translation(0.1)+erasing(0.5)", h.last("accuracy"), acc, trainSamples, testSamples, epochs,
                    (System.nanoTime() - t0) / 1e9);
        }
    }
}
