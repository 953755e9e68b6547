package dev.myelin.bench;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.Backends;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.PoolOptions;
import dev.myelin.tensor.Tensor;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Allocation and garbage-collection cost of a training-like loop: forward, backward and an SGD update
 * of the seed MLP (784-128-10) or a small CNN (conv 3x3x32, max-pool, dense 10) on random batches.
 * Reports steps/s, bytes allocated per step (all threads) and the share of wall time spent in GC, so
 * that buffer pooling can be judged on numbers. Run it under different collectors to compare:
 * {@code MYELIN_JAVA_OPTS=-XX:+UseParallelGC ./myelin bench loop} (the launcher leaves the JVM's default, G1).
 */
public final class TrainingLoopBench {
    private TrainingLoopBench() {}

    public static int run(List<String> args) {
        int batch = 32;
        double seconds = 5;
        String model = "both";
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--batch" -> batch = Integer.parseInt(args.get(++i));
                case "--seconds" -> seconds = Double.parseDouble(args.get(++i));
                case "--model" -> model = args.get(++i);
                case "--threads" -> Backends.setThreads(Integer.parseInt(args.get(++i)));
                default -> throw new IllegalArgumentException("unknown option " + args.get(i) + " (--batch N, --seconds S, --model mlp|cnn|both, --threads T)");
            }
        }
        String gc = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList().toString();
        System.out.printf(Locale.ROOT, "training-loop allocation, batch %d, %d thread(s), collectors %s, max heap %d MiB%n",
                batch, Backends.threads(), gc, Runtime.getRuntime().maxMemory() >> 20);
        if (!model.equals("cnn")) measure("mlp", batch, seconds);
        if (!model.equals("mlp")) measure("cnn", batch, seconds);
        return 0;
    }

    private static void measure(String model, int batch, double seconds) {
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(1);
        boolean cnn = model.equals("cnn");
        Tensor x = cnn ? Tensor.rand(rng, batch, 28, 28, 1) : Tensor.rand(rng, batch, 784);
        Tensor y = Tensor.oneHot(Tensor.of(randomLabels(rng, batch), batch), 10);
        List<Tensor> params = new ArrayList<>();
        if (cnn) {
            params.add(Tensor.normal(rng, 0, 0.1, 3, 3, 1, 32).requiresGrad(true));
            params.add(Tensor.zeros(32).requiresGrad(true));
            params.add(Tensor.normal(rng, 0, 0.01, 13 * 13 * 32, 10).requiresGrad(true));
            params.add(Tensor.zeros(10).requiresGrad(true));
        } else {
            params.add(Tensor.normal(rng, 0, 0.05, 784, 128).requiresGrad(true));
            params.add(Tensor.zeros(128).requiresGrad(true));
            params.add(Tensor.normal(rng, 0, 0.05, 128, 10).requiresGrad(true));
            params.add(Tensor.zeros(10).requiresGrad(true));
        }
        Runnable step = () -> {
            Tensor h = cnn
                    ? x.conv2d(params.get(0), ConvOptions.defaults()).add(params.get(1)).relu().maxPool2d(PoolOptions.of(2)).flatten()
                    : x.matmul(params.get(0)).add(params.get(1)).relu();
            Tensor logits = h.matmul(params.get(2)).add(params.get(3));
            logits.logSoftmax(-1).mul(y).sum(1).mean().neg().backward();
            try (var s = NoGrad.scope()) {
                for (Tensor p : params) {
                    p.subInPlace(p.grad().mul(0.01));
                    p.zeroGrad();
                }
            }
        };
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) step.run();

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes0 = threads.getTotalThreadAllocatedBytes();
        long gc0 = gcMillis();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        int steps = 0;
        while (System.nanoTime() < end) {
            step.run();
            steps++;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long bytes = threads.getTotalThreadAllocatedBytes() - bytes0;
        double gcSeconds = (gcMillis() - gc0) / 1e3;
        System.out.printf(Locale.ROOT, "%-4s steps/s %8.1f  samples/s %9.0f  allocated/step %8.2f MiB  allocation rate %7.0f MiB/s  GC time %5.1f%% of wall%n",
                model, steps / wall, steps * batch / wall, bytes / (double) steps / (1 << 20), bytes / wall / (1 << 20), 100 * gcSeconds / wall);
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, b.getCollectionTime());
        return total;
    }

    private static float[] randomLabels(RandomGenerator rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextInt(10);
        return v;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }
}
