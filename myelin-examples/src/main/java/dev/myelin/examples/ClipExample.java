package dev.myelin.examples;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.multimodal.FashionClip;
import dev.myelin.multimodal.ZeroShot;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.train.FitOptions;
import java.util.Locale;

/**
 * The CLIP recipe on Fashion-MNIST ({@link FashionClip}: a dual encoder trained on images paired with class
 * descriptions, judged zero-shot) next to its supervised baseline: the same image encoder with a
 * {@code Dense(10, softmax)} head, trained on the labels with the same images, epochs, batch size and Adam
 * learning rate. The zero-shot classifier never sees a label, only descriptions.
 *
 * <p>Run: {@code java ... dev.myelin.examples.ClipExample DATA_DIR [EPOCHS [SEED]]} (all training images;
 * {@code ./myelin clip --limit N} trains on fewer).
 */
public final class ClipExample {
    private static final String USAGE = "ClipExample DATA_DIR [EPOCHS [SEED]]";

    private ClipExample() {}

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, USAGE, null, 5);
        TrainTest data = FashionMnist.load(a.data());
        FashionClip.Settings settings = FashionClip.Settings.defaults().epochs(a.epochs()).seed(a.seed());
        System.out.printf(Locale.ROOT, "%d training images, %d test images, %d epochs, batch %d%n", data.train().size(), data.test().size(),
                a.epochs(), settings.batchSize());
        FashionClip.Result clip = FashionClip.train(data, settings, r -> System.out.printf(Locale.ROOT,
                "clip epoch %d: loss %.4f, logit scale %.3f, zero-shot accuracy %.4f, recall@1 %.4f, recall@5 %.4f (%.1f s)%n", r.epoch(), r.loss(),
                r.logitScale(), r.test().accuracy(), r.test().recallAt1(), r.test().recallAt5(), r.seconds()));
        ZeroShot.Report z = clip.epochs().getLast().test();

        Model supervised = new Sequential(FashionClip.imageEncoder(settings.embeddingDim(), settings.seed()).asLayer(), new Dense(10, Activation.SOFTMAX))
                .seed(settings.seed());
        supervised.compile(new Adam(settings.learningRate()), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        long t0 = System.nanoTime();
        supervised.fit(data.train().x().div(255.0), data.train().y(), FitOptions.epochs(a.epochs()).batchSize(settings.batchSize()).seed(a.seed()).verbose(0));
        double accuracy;
        try (var g = NoGrad.scope()) {
            accuracy = supervised.evaluate(data.test().x().div(255.0), data.test().y()).get("accuracy");
        }
        System.out.printf(Locale.ROOT, "supervised baseline (same image encoder + Dense(10, softmax), labels): test accuracy %.4f (%.1f s)%n",
                accuracy, (System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "zero-shot (descriptions only): test accuracy %.4f, recall@1 %.4f, recall@5 %.4f%n", z.accuracy(), z.recallAt1(), z.recallAt5());
    }
}
