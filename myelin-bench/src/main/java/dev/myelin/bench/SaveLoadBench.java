package dev.myelin.bench;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times saving and loading the seed CNN (model B, 693k parameters, 2.7 MB of float32 weights) with
 * {@link Model#save}/{@link Model#load} (architecture, compile settings, weights and optimizer state in one
 * file) and {@link Model#saveWeights}/{@link Model#loadWeights} (weights alone), and reports the file sizes.
 * Its twin, {@code myelin-bench/scripts/torch_save_load.py}, times {@code torch.save}/{@code torch.load} of
 * the same model (the peers' CNNMnist) the same way; run both in one session and compare ratios.
 *
 * <p>Protocol: after {@code --warmup} untimed rounds, {@code --rounds} timed rounds of each operation into a
 * temporary folder (the page cache holds the file: this measures serialization, not the disk); the median
 * and the fastest round are reported in milliseconds.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp myelin-core/target/classes:myelin-bench/target/classes \
 *     dev.myelin.bench.SaveLoadBench [--rounds 30] [--warmup 10]
 * </pre>
 */
public final class SaveLoadBench {
    private SaveLoadBench() {}

    @FunctionalInterface
    private interface Op {
        void run() throws IOException;
    }

    public static void main(String[] args) throws IOException {
        int rounds = 30, warmup = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; expected --rounds N, --warmup N");
            }
        }
        Sequential model = SeedModels.cnnMnist();
        model.seed(1);
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        // one step, so that the optimizer has its slots (Adam's m and v), as a checkpoint during training would
        model.fit(Tensor.zeros(32, 28, 28, 1), Tensor.zeros(32), FitOptions.epochs(1).batchSize(32).verbose(0));
        Path dir = Files.createTempDirectory("myelin-saveload");
        Path file = dir.resolve("cnn.myelin"), weights = dir.resolve("cnn.safetensors");
        try {
            System.out.printf(Locale.ROOT, "seed CNN: %,d parameters (%.2f MB float32)%n", model.countParams(), model.countParams() * 4 / 1e6);
            report("save (model + optimizer)", time(() -> model.save(file), rounds, warmup), Files.size(file));
            report("load (model + optimizer)", time(() -> Model.load(file), rounds, warmup), Files.size(file));
            report("saveWeights", time(() -> model.saveWeights(weights), rounds, warmup), Files.size(weights));
            report("loadWeights", time(() -> model.loadWeights(weights), rounds, warmup), Files.size(weights));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(weights);
            Files.deleteIfExists(dir);
        }
    }

    private static double[] time(Op op, int rounds, int warmup) throws IOException {
        for (int i = 0; i < warmup; i++) op.run();
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            op.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static void report(String what, double[] sortedMs, long bytes) {
        System.out.printf(Locale.ROOT, "%-26s median %7.2f ms  best %7.2f ms  file %,d bytes%n", what, sortedMs[sortedMs.length / 2], sortedMs[0], bytes);
    }
}
