package dev.myelin.bench;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.Backends;
import dev.myelin.gan.GAN;
import dev.myelin.gan.GanModels;
import dev.myelin.losses.Loss;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.zoo.SeedModels;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * Training and inference throughput (samples/s) of the seed models, with the protocol of the PyTorch
 * reference ({@code ../shared/peers/torch/bench_torch.py}) so that the figures compare one to one:
 * the same synthetic data (a pool of 4096 samples from the same counter-based SplitMix64 stream: 70%
 * zeros, the rest uniform in (0, 1]; labels from a fixed random linear teacher), Adam with Keras's
 * defaults, sparse categorical cross-entropy; per batch size a warm-up of at least {@code warmup} seconds
 * and 5 steps (extended until the step time settles, see {@link #timed}), then 5 timed chunks adding up to about
 * {@code target} seconds; the median chunk's
 * samples/s is reported. Inference is a forward pass (softmax included) at batch 128 in inference mode.
 *
 * <pre>
 * ModelBench [--json] [--models mlp,cnn,cnn-cifar,lstm,gan] [--batches 32,128] [--target 10] [--warmup 5] [--threads 2]
 * </pre>
 */
public final class ModelBench {
    private static final int POOL = 4096;
    private static final int CHUNKS = 5;

    private ModelBench() {}

    public static int run(List<String> args) {
        boolean json = false;
        List<String> models = List.of("mlp", "cnn", "cnn-cifar", "lstm", "gan");
        int[] batches = {32, 128};
        double target = 10, warmup = 5;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--json" -> json = true;
                case "--models" -> models = Arrays.asList(args.get(++i).split(","));
                case "--batches" -> batches = Arrays.stream(args.get(++i).split(",")).mapToInt(Integer::parseInt).toArray();
                case "--target" -> target = Double.parseDouble(args.get(++i));
                case "--warmup" -> warmup = Double.parseDouble(args.get(++i));
                case "--threads" -> Backends.setThreads(Integer.parseInt(args.get(++i)));
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
        }
        PrintStream out = System.out;
        List<String> rows = new ArrayList<>();
        if (!json) out.printf(Locale.ROOT, "%-10s %8s %16s %16s %14s%n", "model", "threads", "mode", "samples/s", "loss first->last");
        for (String name : models) {
            if (name.equals("gan")) {
                gan(batches, warmup, target, json, out, rows);
                continue;
            }
            Sequential model = seedModel(name);
            int[] inShape = model.inputs().get(0).shape().toArray();
            Tensor[] pool = makePool(inShape);
            for (int b : batches) {
                double[] lossFirstLast = new double[2];
                Throughput rate = timeTraining(model, pool, b, warmup, target, lossFirstLast);
                if (!json) out.printf(Locale.ROOT, "%-10s %8d %16s %16.1f %7.3f->%.3f%n", name, Backends.threads(), "train B=" + b, rate.samplesPerSecond(), lossFirstLast[0], lossFirstLast[1]);
                rows.add(String.format(Locale.ROOT, "{\"model\":\"%s\",\"threads\":%d,\"mode\":\"train\",\"batch\":%d,%s,\"loss_first\":%.5f,\"loss_last\":%.5f}",
                        name, Backends.threads(), b, rate.json(), lossFirstLast[0], lossFirstLast[1]));
            }
            Throughput infer = timeInference(model, pool[0], 128, warmup, target);
            if (!json) out.printf(Locale.ROOT, "%-10s %8d %16s %16.1f%n", name, Backends.threads(), "infer B=128", infer.samplesPerSecond());
            rows.add(String.format(Locale.ROOT, "{\"model\":\"%s\",\"threads\":%d,\"mode\":\"infer\",\"batch\":128,%s}", name, Backends.threads(), infer.json()));
        }
        if (json) out.println("{\"results\":[" + String.join(",", rows) + "]}");
        return 0;
    }

    /**
     * The seed dense GAN, as bench_torch.py's {@code gan}: one step = one discriminator update on
     * {@code [real(B); G(z)(B)]} (BCE on logits, labels 1 and 0) plus one generator update on B fresh latent
     * vectors through the frozen discriminator, Adam with Keras's defaults for each; samples/s counts B per
     * step. Real images: the pool {@code tanh(3·Z·P)} of {@link #makeGanPool()}. Inference = generator forward at 128.
     */
    private static void gan(int[] batches, double warmup, double target, boolean json, PrintStream out, List<String> rows) {
        GAN gan = seedGan();
        Tensor pool = makeGanPool();
        for (int b : batches) {
            List<double[]> losses = new ArrayList<>();
            Throughput rate = timed(ganStep(gan, pool, b, losses::add), b, warmup, target);
            int k = Math.max(1, Math.min(20, losses.size() / 10));
            double[] first = meanPair(losses.subList(0, k)), last = meanPair(losses.subList(losses.size() - k, losses.size()));
            if (!json) {
                out.printf(Locale.ROOT, "%-10s %8d %16s %16.1f  D %.3f->%.3f, G %.3f->%.3f%n", "gan", Backends.threads(), "train B=" + b, rate.samplesPerSecond(),
                        first[0], last[0], first[1], last[1]);
            }
            rows.add(String.format(Locale.ROOT, "{\"model\":\"gan\",\"threads\":%d,\"mode\":\"train\",\"batch\":%d,%s,"
                    + "\"loss_first\":[%.5f,%.5f],\"loss_last\":[%.5f,%.5f]}", Backends.threads(), b, rate.json(), first[0], first[1], last[0], last[1]));
        }
        Tensor z = gan.sampleLatent(128);
        Throughput infer = timed(() -> gan.generate(z), 128, warmup, target);
        if (!json) out.printf(Locale.ROOT, "%-10s %8d %16s %16.1f%n", "gan", Backends.threads(), "infer B=128", infer.samplesPerSecond());
        rows.add(String.format(Locale.ROOT, "{\"model\":\"gan\",\"threads\":%d,\"mode\":\"infer\",\"batch\":128,%s}", Backends.threads(), infer.json()));
    }

    /** A seed model by name ({@link SeedModels#byName}), seeded and compiled as every bench here trains it. */
    static Sequential seedModel(String name) {
        Sequential model = SeedModels.byName(name).seed(42);
        model.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        return model;
    }

    /** The seed dense GAN, seeded and compiled (Adam with Keras's defaults for each side) as bench_torch.py's. */
    static GAN seedGan() {
        GAN gan = new GAN(GanModels.denseGenerator().seed(42), GanModels.denseDiscriminator().seed(43)).seed(44);
        gan.compile(new Adam(), new Adam());
        return gan;
    }

    /** One GAN step per run, over the pool's batches in turn; each step's discriminator and generator losses go to {@code losses}. */
    static Runnable ganStep(GAN gan, Tensor pool, int batch, Consumer<double[]> losses) {
        int batches = pool.shape().dim(0) / batch;
        int[] counter = {0};
        return () -> {
            int i = counter[0]++ % batches;
            double d = gan.discriminatorStep(pool.slice(0, i * batch, (i + 1) * batch));
            double g = gan.generatorStep(batch);
            losses.accept(new double[] {d, g});
        };
    }

    /** One training step per run, over the pool's batches in turn; each step's loss goes to {@code losses}. */
    static Runnable trainingStep(Model model, Tensor[] pool, int batch, DoubleConsumer losses) {
        int batches = pool[0].shape().dim(0) / batch;
        int[] counter = {0};
        return () -> {
            int i = counter[0]++ % batches;
            Tensor x = pool[0].slice(0, i * batch, (i + 1) * batch);
            Tensor y = pool[1].slice(0, i * batch, (i + 1) * batch);
            losses.accept(model.trainStep(List.of(x), List.of(y)));
        };
    }

    private static double[] meanPair(List<double[]> xs) {
        double[] m = new double[2];
        for (double[] x : xs) {
            m[0] += x[0] / xs.size();
            m[1] += x[1] / xs.size();
        }
        return m;
    }

    /**
     * bench_torch.py's {@code make_gan_pool}: "real" images in [-1, 1], {@code tanh(3·Z·P)} with
     * {@code Z = u − 0.5} of shape [4096, 16] (stream 3) and {@code P = u − 0.5} of shape [16, 784] (stream 4),
     * computed in float64, then float32.
     */
    static Tensor makeGanPool() {
        float[] zu = uniform(3, POOL * 16), pu = uniform(4, 16 * 784);
        float[] x = new float[POOL * 784];
        for (int s = 0; s < POOL; s++) {
            for (int j = 0; j < 784; j++) {
                double acc = 0;
                for (int k = 0; k < 16; k++) acc += ((double) zu[s * 16 + k] - 0.5) * ((double) pu[k * 784 + j] - 0.5);
                x[s * 784 + j] = (float) Math.tanh(3.0 * acc);
            }
        }
        return Tensor.of(x, POOL, 784);
    }

    private static Throughput timeTraining(Model model, Tensor[] pool, int batch, double warmup, double target, double[] lossFirstLast) {
        List<Double> losses = new ArrayList<>();
        Throughput rate = timed(trainingStep(model, pool, batch, losses::add), batch, warmup, target);
        int k = Math.max(1, Math.min(20, losses.size() / 10));
        lossFirstLast[0] = losses.subList(0, k).stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        lossFirstLast[1] = losses.subList(losses.size() - k, losses.size()).stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        return rate;
    }

    private static Throughput timeInference(Model model, Tensor x, int batch, double warmup, double target) {
        Tensor xb = x.slice(0, 0, batch);
        return timed(() -> {
            try (var g = NoGrad.scope()) {
                model.call(xb, false);
            }
        }, batch, warmup, target);
    }

    /**
     * Warm-up, then {@link #CHUNKS} timed chunks; the median samples/s. Two steps beyond the reference's protocol,
     * because the reference runs at full speed from its first step while a JVM's first steps compile the kernels
     * (measured on a 2-core Zen 4: CNN C's first 5 steps took 0.6 s each; a B32 step settles at 7-9 ms after 4-6 s):
     * <ul>
     *   <li>the warm-up goes on past {@code warmup} seconds, by quarter-second probes, until two consecutive probes
     *   agree within 10% (at most {@link #MAX_PROBES} probes), so a half-compiled model is not timed;</li>
     *   <li>the steps per chunk come from the last probe, not from the warm-up's average: the average, inflated by
     *   the compiling steps, chose 3 steps per chunk, the chunks added up to 0.6 s of the 8 s asked for, and the
     *   median chunk read 1,167 samples/s where the steady state runs 2,900-4,000.</li>
     *   <li>the warm-up also goes on while the JIT is still compiling ({@link JitActivity#quiet()}; at most
     *   {@link #MAX_PROBES} probes in all). Code run once or
     *   twice per step (the loss, its softplus/log1p) reaches C2 only after 5,000-odd calls, 12-20 s into a GAN
     *   run on 2 cores; until then it runs C1's code, where every Vector API operation is a boxed call, and the
     *   compiler thread takes one of the 2 cores. Timed 8-14 s in, the seed GAN B32 read 5,500-10,000 samples/s
     *   in fresh JVMs of one jar; its steps settle at 2.7-3.0 ms (about 11,000 samples/s) after 15-20 s.</li>
     * </ul>
     */
    static Throughput timed(Runnable step, int batch, double warmup, double target) {
        return timed(step, batch, warmup, target, JitActivity.ofThisJvm());
    }

    /** {@link #timed(Runnable, int, double, double)} watching the JIT through {@code jit}. */
    static Throughput timed(Runnable step, int batch, double warmup, double target, JitActivity jit) {
        long t0 = System.nanoTime();
        int n = 0;
        while (n < 5 || (System.nanoTime() - t0) / 1e9 < warmup) {
            step.run();
            n++;
        }
        jit.mark();
        double perStep = JitActivity.probe(step), previous;
        int probes = 1;
        boolean settled, jitQuiet;
        do {
            previous = perStep;
            jit.mark();
            perStep = JitActivity.probe(step);
            probes++;
            settled = Math.abs(perStep - previous) <= 0.1 * Math.min(perStep, previous);
            jitQuiet = jit.quiet();
        } while (!(settled && jitQuiet) && probes < MAX_PROBES);
        int steps = Math.max(1, (int) Math.round(target / CHUNKS / perStep));
        double[] rates = new double[CHUNKS];
        for (int c = 0; c < CHUNKS; c++) {
            long t = System.nanoTime();
            for (int s = 0; s < steps; s++) step.run();
            rates[c] = (double) steps * batch / ((System.nanoTime() - t) / 1e9);
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return new Throughput(sorted[CHUNKS / 2], rates, steps);
    }

    /**
     * The most quarter-second probes that extend the warm-up while the step time still moves or the JIT still
     * compiles (20 s: the seed GAN's loss path reached C2 12-20 s into a run on 2 cores).
     */
    static final int MAX_PROBES = JitActivity.MAX_PROBES;

    /** A measurement: the median chunk's samples/s, every chunk's in time order, and the steps in each chunk. */
    record Throughput(double samplesPerSecond, double[] chunkRates, int stepsPerChunk) {
        /** The JSON fields {@code "samples_per_s", "chunk_rates", "steps_per_chunk"} (as bench_torch.py writes them). */
        String json() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "\"samples_per_s\":%.2f,\"chunk_rates\":[", samplesPerSecond));
            for (int i = 0; i < chunkRates.length; i++) sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", chunkRates[i]));
            return sb.append("],\"steps_per_chunk\":").append(stepsPerChunk).toString();
        }
    }

    // ---- the reference's synthetic data, bit for bit ----

    private static final long GAMMA = 0x9E3779B97F4A7C15L, C1 = 0xBF58476D1CE4E5B9L, C2 = 0x94D049BB133111EBL;

    /** Counter-based SplitMix64 → float32 uniform [0, 1) with 24 bits, as {@code uniform(seed, n)} in bench_torch.py. */
    static float[] uniform(long seed, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * GAMMA;
            z = (z ^ (z >>> 30)) * C1;
            z = (z ^ (z >>> 27)) * C2;
            z = z ^ (z >>> 31);
            out[i] = (float) ((z >>> 40) * 0x1.0p-24);
        }
        return out;
    }

    /**
     * The image-like pool: x = max(u - 0.7, 0) / 0.3 (float64, then float32), labels = argmax((x - 0.15)·W)
     * with W = u' - 0.5 of shape [d, 10]. The reference's x is NCHW for CNNs; ours is NHWC, so the same
     * numbers land in other positions — the data statistics, not the layout, matter for throughput.
     */
    static Tensor[] makePool(int[] shape) {
        int d = 1;
        for (int s : shape) d *= s;
        float[] u = uniform(1, POOL * d);
        float[] x = new float[POOL * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) (Math.max((double) u[i] - 0.7, 0.0) / 0.3);
        float[] w = uniform(2, d * 10);
        float[] y = new float[POOL];
        for (int s = 0; s < POOL; s++) {
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 10; c++) {
                double acc = 0;
                for (int j = 0; j < d; j++) acc += ((double) x[s * d + j] - 0.15) * ((double) w[j * 10 + c] - 0.5);
                if (acc > bestV) {
                    bestV = acc;
                    best = c;
                }
            }
            y[s] = best;
        }
        int[] full = new int[shape.length + 1];
        full[0] = POOL;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return new Tensor[] {Tensor.of(x, full), Tensor.of(y, POOL)};
    }
}
