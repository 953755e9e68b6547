package dev.myelin.examples;

import dev.myelin.data.Augmentation;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.RandAugment;
import dev.myelin.data.RandomErasing;
import dev.myelin.data.RandomFlip;
import dev.myelin.data.RandomTranslation;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.optim.Adam;
import dev.myelin.semisupervised.AutoLabeler;
import dev.myelin.semisupervised.AutoLabels;
import dev.myelin.semisupervised.FixMatch;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST with a few labels per class: the seed CNN trained on the labelled samples alone (with the
 * weak augmentation) against FixMatch on the labelled and the unlabelled samples, same network, same number
 * of epochs over the labelled data; then the auto-labels each model would keep at confidence 0.95.
 *
 * <p>Run: {@code java ... dev.myelin.examples.SemiSupervisedExample DATA_DIR PER_CLASS UNLABELLED EPOCHS MU}
 * (the setting: 100 per class, the other 59,000 unlabelled).
 */
public final class SemiSupervisedExample {
    private SemiSupervisedExample() {}

    public static void main(String[] args) throws Exception {
        TrainTest data = FashionMnist.load(Path.of(args[0]));
        int perClass = Integer.parseInt(args[1]), unlabelledCount = Integer.parseInt(args[2]), epochs = Integer.parseInt(args[3]);
        int mu = Integer.parseInt(args[4]);
        float[] y = data.train().y().toFloatArray();
        int[] taken = new int[10];
        List<Integer> labelled = new ArrayList<>(), rest = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (taken[(int) y[i]] < perClass) {
                taken[(int) y[i]]++;
                labelled.add(i);
            } else if (rest.size() < unlabelledCount) {
                rest.add(i);
            }
        }
        Tensor all = data.train().x().div(255.0), allY = data.train().y();
        int[] li = labelled.stream().mapToInt(Integer::intValue).toArray(), ui = rest.stream().mapToInt(Integer::intValue).toArray();
        Tensor x = all.indexSelect(0, li), ly = allY.indexSelect(0, li), u = all.indexSelect(0, ui), uTruth = allY.indexSelect(0, ui);
        Tensor testX = data.test().x().div(255.0), testY = data.test().y();
        Augmentation weak = Augmentation.compose(RandomFlip.horizontal(), RandomTranslation.of(0.125, 0.125));
        Augmentation strong = Augmentation.compose(RandomFlip.horizontal(), RandAugment.of(2, 10).valueRange(0, 1), RandomErasing.of(1));
        System.out.printf("%d labelled (%d per class), %d unlabelled, %d epochs over the labelled data, batch 32%n", li.length, perClass, ui.length, epochs);

        Model sup = net();
        long t0 = System.nanoTime();
        sup.fit(DataLoader.of(Dataset.of(x, ly)).batchSize(32).shuffle(3).augment(weak), FitOptions.epochs(epochs).verbose(0));
        report("supervised only (weak augmentation)", sup, testX, testY, u, uTruth, t0);

        Model semi = net();
        FixMatch fm = new FixMatch(semi, weak, strong).unlabelledRatio(mu).seed(5);
        t0 = System.nanoTime();
        var h = fm.fit(x, ly, u, FitOptions.epochs(epochs).batchSize(32).seed(3).verbose(0));
        System.out.println("FixMatch mask rate per epoch: " + h.get("mask_rate"));
        report("FixMatch (τ 0.95, λ_u 1, μ " + mu + ")", semi, testX, testY, u, uTruth, t0);
    }

    static Model net() {
        Model m = SeedModels.cnnMnist().seed(1);
        m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    static void report(String what, Model m, Tensor testX, Tensor testY, Tensor u, Tensor uTruth, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        double acc = m.evaluate(testX, testY, 256).get("accuracy");
        AutoLabels labels = AutoLabeler.autoLabel(m, u, 0.95);
        System.out.printf("%s: test accuracy %.4f; auto-labels kept at 0.95: %.1f%% of the unlabelled, %.2f%% of them right (%.0f s training)%n",
                what, acc, 100 * labels.keptFraction(), 100 * labels.keptAccuracy(uTruth), seconds);
    }
}
