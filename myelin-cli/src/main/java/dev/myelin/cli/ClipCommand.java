package dev.myelin.cli;

import dev.myelin.backend.Backends;
import dev.myelin.data.TrainTest;
import dev.myelin.multimodal.ClassDescriptions;
import dev.myelin.multimodal.FashionClip;
import dev.myelin.multimodal.ZeroShot;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin clip}: trains the CLIP-style dual encoder on Fashion-MNIST and prints zero-shot accuracy and retrieval recall. */
@Command(name = "clip", mixinStandardHelpOptions = true,
        description = {"Train a CLIP-style dual encoder on Fashion-MNIST: a small CNN for the images and a word-embedding encoder for",
                "short descriptions written from each image's class (six wordings per class, one drawn afresh each epoch, words dropped",
                "at random), with the symmetric InfoNCE loss and a learned temperature. After each epoch print the mean loss, the",
                "learned logit scale, the zero-shot test accuracy (each image against the averaged descriptions of every class) and",
                "image-to-text recall@1 and @5 (the gallery is the 60 descriptions; a hit is a description of the image's class)."})
public final class ClipCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--limit", defaultValue = "6000", description = "Use the first N training images, 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images, 0 for all (default: ${DEFAULT-VALUE}).")
    int testLimit;

    @Option(names = "--batch-size", defaultValue = "128", description = "Pairs per step; the other pairs of a batch are the negatives (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights, captions, word dropout and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Data folder in the MNIST layout (default: the bundled Fashion-MNIST subset; the full set is in /usr/share/datasets/fashion-mnist).")
    Path data;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--limit", limit, 0);
        OptionChecks.atLeast("--test-limit", testLimit, 0);
        OptionChecks.atLeast("--batch-size", batchSize, 2);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        TrainTest split = TrainingRun.load(dir);
        var x = split.train().xShape();
        if (x.rank() != 4 || x.dim(1) != 28 || x.dim(2) != 28 || x.dim(3) != 1) {
            throw new IllegalArgumentException("clip needs 28x28 grey images (Fashion-MNIST), but " + dir + " holds " + x);
        }
        int classes = ClassDescriptions.fashionMnist().classes();
        FashionClip.Settings settings = FashionClip.Settings.defaults().epochs(epochs).limit(limit).testLimit(testLimit).batchSize(batchSize).seed(seed);
        int trainN = limit == 0 ? split.train().size() : Math.min(limit, split.train().size());
        int testN = testLimit == 0 ? split.test().size() : Math.min(testLimit, split.test().size());
        System.out.printf(Locale.ROOT, "data: %s: %d training images paired with descriptions of their %d classes, %d test images, %d thread(s)%n",
                dir, trainN, classes, testN, Backends.threads());
        System.out.println("epoch  loss    logit_scale  zero-shot acc  recall@1  recall@5  seconds");
        FashionClip.Result result = FashionClip.train(split, settings, r -> {
            ZeroShot.Report t = r.test();
            System.out.printf(Locale.ROOT, "%5d  %.4f  %11.3f  %13.4f  %8.4f  %8.4f  %7.1f%n", r.epoch(), r.loss(), r.logitScale(),
                    t.accuracy(), t.recallAt1(), t.recallAt5(), r.seconds());
        });
        ZeroShot.Report last = result.epochs().getLast().test();
        System.out.printf(Locale.ROOT, "final: zero-shot accuracy %.4f, image->text recall@1 %.4f, recall@5 %.4f on %d test images (gallery: %d descriptions)%n",
                last.accuracy(), last.recallAt1(), last.recallAt5(), last.images(), last.galleryTexts());
        return 0;
    }
}
