package dev.myelin.cli;

import dev.myelin.compress.PolynomialDecaySparsity;
import dev.myelin.compress.PruneCallback;
import dev.myelin.compress.Pruning;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin prune MODEL --sparsity S --out FILE}: magnitude pruning of a trained model while it trains on
 * (TF-MOT's PolynomialDecay from 0 to S over the first 70 % of the steps), then a compact (deflated) file.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Prune a trained model's Dense and Conv kernels to a sparsity while training it further on DIR's",
                "training split (PolynomialDecay from 0 to the sparsity over the first 70% of the steps, masks every",
                "--frequency steps), then save it deflated; prints test accuracy before and after and the file sizes."})
public final class PruneCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (written by --save or Model.save).")
    Path file;

    @Option(names = "--data", description = "Data folder (default: the bundled Fashion-MNIST subset).")
    Path data;

    @Option(names = "--sparsity", required = true, description = "Final fraction of kernel weights set to zero, in [0, 1).")
    double sparsity;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs of training while pruning (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--frequency", defaultValue = "100", description = "Steps between mask updates (default: ${DEFAULT-VALUE}).")
    int frequency;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The pruned model file to write (deflated).")
    Path out;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("--sparsity must be in [0, 1), got " + sparsity);
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.atLeast("--frequency", frequency, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        SavedModels.checkTarget("--out", out);
        threads.apply();
        Model m = SavedModels.load(file);
        Path dir = data != null ? data : DataLocations.bundledFashionMnist();
        TrainTest split = TrainingRun.load(dir);
        String who = SavedModels.describe(m, file);
        Tensor x = ModelInputs.checked(m, split.train().x().div(255.0), "--data " + dir, who);
        ModelData test = ModelData.testSplit(m, file, dir, null);
        if (!m.isCompiled()) m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        double before = m.evaluate(test.x(), test.y(), 256).values().getOrDefault("accuracy", Double.NaN);
        long steps = (long) epochs * ((x.dim(0) + batchSize - 1) / batchSize);
        long begin = m.optimizer().iterations();
        PolynomialDecaySparsity schedule = new PolynomialDecaySparsity(0, sparsity, begin, begin + Math.max(1, (long) (0.7 * steps)), 3, frequency);
        PruneCallback prune = new PruneCallback(m, schedule);
        m.fit(x, split.train().y(), FitOptions.epochs(epochs).batchSize(batchSize).seed(seed).callbacks(prune));
        double after = m.evaluate(test.x(), test.y(), 256).values().getOrDefault("accuracy", Double.NaN);
        System.out.printf(Locale.ROOT, "kernel sparsity %.4f; test accuracy %.4f before, %.4f after pruning (%s)%n",
                Pruning.sparsity(prune.weights()), before, after, test.description());
        Pruning.saveCompressed(m, out);
        Path stored = Files.createTempFile(out.toAbsolutePath().getParent(), ".prune-stored-", ".myelin");
        try {
            m.save(stored);
            System.out.printf(Locale.ROOT, "saved %s (%.1f KB deflated; %.1f KB stored)%n", out, Files.size(out) / 1e3, Files.size(stored) / 1e3);
        } finally {
            Files.deleteIfExists(stored);
        }
        return 0;
    }
}
