package dev.myelin.cli;

import dev.myelin.backend.Bf16Gemm;
import dev.myelin.compress.Bf16Inference;
import dev.myelin.compress.MinMaxObserver;
import dev.myelin.compress.PercentileObserver;
import dev.myelin.compress.PostTrainingQuantization;
import dev.myelin.compress.RangeObserver;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.ModelFile;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin quantize MODEL --calibration DIR --out FILE}: post-training int8 quantization of a saved
 * model, or with {@code --bf16} its bf16 twin (bfloat16 Dense and Conv2D kernels, float32 arithmetic), with
 * accuracy, file size and inference speed against the float model on DIR's test split.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a model file to int8 (Dense and Conv2D: per-channel int8 kernels, inputs calibrated on",
                "training images of DIR), or with --bf16 to bfloat16 kernels computed in float32 (no calibration), and save it;",
                "then compare the float and quantized models on DIR's test split: accuracy, weights size and samples/s",
                "(pixels scaled to [0, 1])."})
public final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (written by --save or Model.save).")
    Path file;

    @Option(names = "--calibration", paramLabel = "DIR", description = "Data folder whose first training images calibrate the inputs (default: the bundled Fashion-MNIST subset).")
    Path calibration;

    @Option(names = "--samples", defaultValue = "1000", description = "Calibration images (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--observer", defaultValue = "minmax", description = "Input range: minmax or percentile (default: ${DEFAULT-VALUE}).")
    String observer;

    @Option(names = "--percentile", defaultValue = "99.99", description = "With --observer percentile: the percentile kept (default: ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--bf16", description = "Convert Dense and Conv2D kernels to bfloat16 (weights half the size, float32 arithmetic) instead of int8.")
    boolean bf16;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The quantized model file to write.")
    Path out;

    @Option(names = "--batch-size", defaultValue = "256", description = "Batch size of the comparison (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--samples", samples, 1);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        Supplier<RangeObserver> observers = switch (observer) {
            case "minmax" -> MinMaxObserver::new;
            case "percentile" -> {
                if (!(percentile > 50 && percentile <= 100)) throw new IllegalArgumentException("--percentile must be in (50, 100], got " + percentile);
                yield () -> new PercentileObserver(percentile);
            }
            default -> throw new IllegalArgumentException("--observer must be minmax or percentile, got '" + observer + "'");
        };
        SavedModels.checkTarget("--out", out);
        threads.apply();
        Model m = SavedModels.load(file);
        Path dir = calibration != null ? calibration : DataLocations.bundledFashionMnist();
        TrainTest split = TrainingRun.load(dir);
        int n = Math.min(samples, split.train().size());
        Tensor calib = ModelInputs.checked(m, split.train().x().slice(0, 0, n).div(255.0), "--calibration " + dir, SavedModels.describe(m, file));
        long t0 = System.nanoTime();
        Model q;
        String label;
        if (bf16) {
            q = Bf16Inference.convert(m);
            label = "bf16";
            System.out.printf(Locale.ROOT, "converted to bf16 kernels in %.1f s (AVX-512 BF16 %s; the Vector API has no bf16 arithmetic, so bf16 weights"
                    + " are widened to float32 in registers on every CPU)%n", (System.nanoTime() - t0) / 1e9, Bf16Gemm.cpuHasAvx512Bf16() ? "present" : "absent");
        } else {
            q = PostTrainingQuantization.quantize(m, calib, observers);
            label = "int8";
            System.out.printf(Locale.ROOT, "calibrated on %d images of %s (%s) and quantized in %.1f s%n", n, dir, observer, (System.nanoTime() - t0) / 1e9);
        }
        q.save(out);
        ModelData test = ModelData.testSplit(m, file, dir, null);
        if (!m.isCompiled()) m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        if (!q.isCompiled()) q.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        long floatWeights = ModelFile.read(file).entries().get("model.weights.safetensors").length;
        long quantizedWeights = ModelFile.read(out).entries().get("model.weights.safetensors").length;
        System.out.printf(Locale.ROOT, "saved %s (%.1f KB; weights %.1f KB, float model's %.1f KB: %.2fx smaller)%n",
                out, Files.size(out) / 1e3, quantizedWeights / 1e3, floatWeights / 1e3, (double) floatWeights / quantizedWeights);
        System.out.println("on " + test.description() + ":");
        for (var entry : java.util.List.of(java.util.Map.entry("float32", m), java.util.Map.entry(label, q))) {
            Model model = entry.getValue();
            double accuracy = model.evaluate(test.x(), test.y(), batchSize).values().getOrDefault("accuracy", Double.NaN);
            model.predict(test.x(), batchSize); // warm-up: compiled kernels
            long start = System.nanoTime();
            model.predict(test.x(), batchSize);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "  %-7s accuracy %.4f, predict %.0f samples/s%n", entry.getKey(), accuracy, test.x().dim(0) / seconds);
        }
        return 0;
    }
}
