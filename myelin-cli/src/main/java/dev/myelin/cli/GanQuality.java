package dev.myelin.cli;

import dev.myelin.data.TrainTest;
import dev.myelin.gan.GAN;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The variety check of a trained GAN: a classifier trained with Myelin (the seed CNN) labels 1,000 generated
 * images; the entropy {@code H = −Σ p_c ln p_c} of the predicted class histogram measures the spread over
 * classes (0 when every sample lands in one class, ln 10 ≈ 2.303 nats for an even spread over ten).
 */
final class GanQuality {
    static final int SAMPLES = 1000;

    private GanQuality() {}

    /** Trains the classifier, labels the samples, prints the histogram, the entropy and the classifier's test accuracy; returns the entropy. */
    static double run(GAN gan, TrainTest split, int epochs, long seed, PrintStream log) {
        Sequential cnn = SeedModels.cnnMnist().seed(seed + 100);
        cnn.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        log.printf(Locale.ROOT, "quality check: training the seed CNN classifier for %d epoch(s) on %d images%n", epochs, split.train().size());
        cnn.fit(split.train().x().div(255.0), split.train().y(), FitOptions.epochs(epochs).batchSize(64).seed(seed).verbose(2));
        double testAccuracy = cnn.evaluate(split.test().x().div(255.0), split.test().y(), 256).get("accuracy");
        Tensor fake = gan.generate(SAMPLES).reshape(SAMPLES, 28, 28, 1).add(1.0).mul(0.5); // [-1, 1] -> [0, 1]
        Tensor predicted = cnn.predict(fake, 250).argmax(1);
        int classes = 10;
        int[] counts = new int[classes];
        for (double c : predicted.toDoubleArray()) counts[(int) c]++;
        double entropy = 0;
        StringBuilder hist = new StringBuilder();
        for (int c = 0; c < classes; c++) {
            double p = counts[c] / (double) SAMPLES;
            if (p > 0) entropy -= p * Math.log(p);
            hist.append(String.format(Locale.ROOT, "  %-12s %4d%n", GanCommand.className(c), counts[c]));
        }
        log.printf(Locale.ROOT, "classifier test accuracy: %.4f%n", testAccuracy);
        log.print("predicted classes of " + SAMPLES + " generated images:\n" + hist);
        log.printf(Locale.ROOT, "class-histogram entropy: %.3f nats (max ln 10 = %.3f; goal >= 1.5)%n", entropy, Math.log(classes));
        return entropy;
    }
}
