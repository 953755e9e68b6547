package dev.myelin.cli;

import dev.myelin.backend.Backends;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.gan.GAN;
import dev.myelin.gan.GanModels;
import dev.myelin.io.PngWriter;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.train.LambdaCallback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin gan}: trains the seed dense GAN or a DCGAN on 28×28 grey images and writes PNGs of samples and losses. */
@Command(name = "gan", mixinStandardHelpOptions = true,
        description = {"Train a GAN on Fashion-MNIST (or any 28x28 grey IDX folder) scaled to [-1, 1]: after each epoch write",
                "a grid of generated samples (the same latent vectors every epoch) and a plot of both losses.",
                "dense: the seed GAN (generator 100-256-512-784 tanh, discriminator 784-512-1); dcgan: transposed convolutions.",
                "With --quality, then train the seed CNN classifier on the same data and report the entropy of its predicted",
                "class histogram over 1,000 generated samples (ln 10 = 2.30 nats is a perfectly even spread)."})
public final class GanCommand implements Callable<Integer> {
    @Mixin
    CommonTrainingOptions common;

    @Option(names = "--model", defaultValue = "dense", description = "dense or dcgan (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset; the full set is in /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "64", description = "Real images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.0002", description = "Adam learning rate of both models (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--beta1", defaultValue = "0.5", description = "Adam beta1 of both models (default: ${DEFAULT-VALUE}, the DCGAN paper's).")
    double beta1;

    @Option(names = "--label-smoothing", defaultValue = "0.1", description = "One-sided: real images are labelled 1 - this for the discriminator (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--d-steps", defaultValue = "1", description = "Discriminator updates per generator update (default: ${DEFAULT-VALUE}).")
    int dSteps;

    @Option(names = "--filters", defaultValue = "64", description = "dcgan: channels at 7x7 (default: ${DEFAULT-VALUE}).")
    int filters;

    @Option(names = "--limit", description = "Use only the first N training images.")
    Integer limit;

    @Option(names = "--quality", description = "After training, the classifier check described above.")
    boolean quality;

    @Option(names = "--classifier-epochs", defaultValue = "2", description = "Epochs of the --quality classifier (default: ${DEFAULT-VALUE}).")
    int classifierEpochs;

    @Option(names = "--save", paramLabel = "FILE", description = "Save the trained GAN to FILE (GAN.save: both models, settings, optimizer states), e.g. gan.myelin.")
    Path save;

    @Override
    public Integer call() throws Exception {
        common.applyThreads();
        // every option before the data is read and training starts
        OptionChecks.atLeast("--epochs", common.epochs, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.positive("--lr", lr);
        OptionChecks.fraction("--beta1", beta1);
        OptionChecks.fraction("--label-smoothing", labelSmoothing);
        OptionChecks.atLeast("--d-steps", dSteps, 1);
        OptionChecks.atLeast("--filters", filters, 1);
        if (limit != null) OptionChecks.atLeast("--limit", limit, 1);
        if (quality) OptionChecks.atLeast("--classifier-epochs", classifierEpochs, 1);
        OptionChecks.writableFolder("--out", common.out);
        if (save != null) SavedModels.checkTarget("--save", save);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        TrainTest split = TrainingRun.load(dir);
        Tensor images = split.train().x();
        if (images.rank() != 4 || images.dim(1) != 28 || images.dim(2) != 28 || images.dim(3) != 1) {
            throw new IllegalArgumentException("gan needs 28x28 grey images, but " + dir + " holds " + split.train().xShape());
        }
        int n = limit == null ? images.dim(0) : Math.min(limit, images.dim(0));
        if (n < 1) throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        Tensor real = images.slice(0, 0, n).div(127.5).sub(1.0).contiguous(); // [0, 255] -> [-1, 1]

        GAN gan = build();
        int[] sampleShape = GanModels.sampleShape(gan);
        if (sampleShape.length == 1) real = real.reshape(n, 784);
        System.out.printf(Locale.ROOT, "data: %s: %d images scaled to [-1, 1], %d thread(s)%n", dir, n, Backends.threads());
        System.out.print(gan.summary());

        String stem = "gan-" + model.toLowerCase(Locale.ROOT);
        Tensor fixedZ = gan.sampleLatent(64);
        Path samples = common.out.resolve(stem + "-samples.png");
        Path curves = common.out.resolve(stem + "-losses.png");
        LambdaCallback writer = LambdaCallback.onEpochEnd((epoch, logs) -> {
            try {
                Tensor grid = gan.generate(fixedZ).reshape(64, 28, 28, 1);
                PngWriter.writeGrid(grid, 8, -1, 1, 2, common.out.resolve(String.format(Locale.ROOT, "%s-epoch-%03d.png", stem, epoch + 1)));
                PngWriter.writeGrid(grid, 8, -1, 1, 2, samples);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long t0 = System.nanoTime();
        NanStop nanStop = new NanStop();
        History history = gan.fit(real, FitOptions.epochs(common.epochs).batchSize(batchSize).seed(common.seed).callbacks(nanStop.callback, writer));
        nanStop.throwIfStopped();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "training: %.1f s (%.0f real images/s)%n", seconds, history.epochsRun() * (double) n / seconds);
        Plots.ganCurves(history, "GAN (" + model + "): losses per epoch", curves);
        System.out.println("wrote " + samples + " (and one grid per epoch)");
        System.out.println("wrote " + curves);
        System.out.printf(Locale.ROOT, "final: d_loss %.4f, g_loss %.4f, d_accuracy %.4f%n", history.last("d_loss"), history.last("g_loss"), history.last("d_accuracy"));
        if (save != null) {
            gan.save(save);
            System.out.printf(Locale.ROOT, "saved GAN to %s (%,d params, %.1f MB)%n", save,
                    gan.generator().countParams() + gan.discriminator().countParams(), Files.size(save) / 1e6);
        }
        if (quality) GanQuality.run(gan, split, classifierEpochs, common.seed, System.out);
        return 0;
    }

    private GAN build() {
        GAN gan = switch (model.toLowerCase(Locale.ROOT)) {
            case "dense" -> new GAN(GanModels.denseGenerator().seed(common.seed), GanModels.denseDiscriminator().seed(common.seed + 1));
            case "dcgan" -> new GAN(GanModels.dcganGenerator(filters).seed(common.seed), GanModels.dcganDiscriminator(filters).seed(common.seed + 1));
            default -> throw new IllegalArgumentException("--model must be dense or dcgan, got '" + model + "'");
        };
        return gan.seed(common.seed + 2).compile(new Adam(lr).beta1(beta1), new Adam(lr).beta1(beta1))
                .labelSmoothing(labelSmoothing).discriminatorSteps(dSteps);
    }

    static String className(int c) {
        return c < FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES.get(c) : String.valueOf(c);
    }
}
