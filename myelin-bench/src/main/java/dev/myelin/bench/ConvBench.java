package dev.myelin.bench;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Conv2dSpec;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.View;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.backend.cpu.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times the CPU backend's float32 convolution on the seed models' layers: the forward pass alone, and
 * forward + backward (input gradient and kernel gradient), on 1 and 2 threads.
 *
 * <p>Protocol: per case and thread count, warm-up for {@code --warmup} seconds (C2 compiles the kernels),
 * then {@code --chunks} timed chunks of about {@code --chunk} seconds each; a chunk's figure is its time
 * divided by its iterations; the median over chunks is reported, with the fastest and slowest chunk.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp myelin-core/target/classes:myelin-bench/target/classes \
 *     dev.myelin.bench.ConvBench [--threads 1,2] [--warmup 2] [--chunks 7] [--chunk 0.25] [--json]
 * </pre>
 */
public final class ConvBench {
    private ConvBench() {}

    /** One convolution: batch, input height/width/channels, filters, kernel size (valid, stride 1). */
    record Case(String name, int n, int h, int w, int c, int f, int k) {
        int oh() {
            return h - k + 1;
        }

        int ow() {
            return w - k + 1;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("mnist-conv1 32x28x28x1->32 3x3", 32, 28, 28, 1, 32, 3),
            new Case("cifar-conv1 32x32x32x3->32 3x3", 32, 32, 32, 3, 32, 3),
            new Case("cifar-conv2 32x13x13x32->64 3x3", 32, 13, 13, 32, 64, 3));

    /** A measured figure: median, fastest and slowest chunk, in milliseconds per operation. */
    record Timing(double medianMs, double minMs, double maxMs) {}

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    /** Runs the benchmark with command-line style arguments; returns the exit status. */
    public static int run(List<String> args) {
        BenchOptions o = BenchOptions.parse("ConvBench", args, new int[] {1, 2}, 2, 0.25, 7, false);
        if (o.exit() != null) return o.exit();
        int[] threads = o.threads();
        double warmup = o.warmup();
        double chunk = o.chunk();
        int chunks = o.chunks();
        boolean json = o.json();
        String only = o.only();

        Backend cpu = new CpuBackend();
        int savedThreads = Parallel.threads();
        List<String> rows = new ArrayList<>();
        if (!json) System.out.printf(Locale.ROOT, "%-34s %7s %14s %14s%n", "case", "threads", "forward ms", "fwd+bwd ms");
        try {
            for (Case cs : CASES) {
                if (only != null && !cs.name().startsWith(only)) continue;
                Buffers b = new Buffers(cs);
                for (int t : threads) {
                    Parallel.setThreads(t);
                    Timing fwd = time(() -> b.forward(cpu), warmup, chunks, chunk);
                    Timing both = time(() -> {
                        b.forward(cpu);
                        b.backward(cpu);
                    }, warmup, chunks, chunk);
                    if (json) {
                        rows.add(String.format(Locale.ROOT,
                                "{\"case\":\"%s\",\"threads\":%d,\"forward_ms\":%s,\"forward_backward_ms\":%s}",
                                cs.name(), t, json(fwd), json(both)));
                    } else {
                        System.out.printf(Locale.ROOT, "%-34s %7d %14.4f %14.4f%n", cs.name(), t, fwd.medianMs(), both.medianMs());
                    }
                }
            }
        } finally {
            Parallel.setThreads(savedThreads);
        }
        if (json) {
            System.out.println("{\"benchmark\":\"conv2d\",\"backend\":\"" + cpu.name() + "\",\"java\":\""
                    + System.getProperty("java.version") + "\",\"warmup_s\":" + warmup + ",\"chunks\":" + chunks
                    + ",\"chunk_s\":" + chunk + ",\"results\":[\n  " + String.join(",\n  ", rows) + "\n]}");
        }
        return 0;
    }

    private static String json(Timing t) {
        return String.format(Locale.ROOT, "{\"median\":%.5f,\"min\":%.5f,\"max\":%.5f}", t.medianMs(), t.minMs(), t.maxMs());
    }

    /** Inputs, weights and results of one case, filled once with fixed random values. */
    private static final class Buffers {
        final View x, k, y, dy, dx, dk;
        final Conv2dSpec spec = new Conv2dSpec(1, 1, 1, 1, 0, 0);

        Buffers(Case cs) {
            SplittableRandom rnd = new SplittableRandom(42);
            x = view(random(rnd, cs.n() * cs.h() * cs.w() * cs.c()), cs.n(), cs.h(), cs.w(), cs.c());
            k = view(random(rnd, cs.k() * cs.k() * cs.c() * cs.f()), cs.k(), cs.k(), cs.c(), cs.f());
            int outSize = cs.n() * cs.oh() * cs.ow() * cs.f();
            y = view(new float[outSize], cs.n(), cs.oh(), cs.ow(), cs.f());
            dy = view(random(rnd, outSize), cs.n(), cs.oh(), cs.ow(), cs.f());
            dx = view(new float[x.size()], x.shape());
            dk = view(new float[k.size()], k.shape());
        }

        void forward(Backend be) {
            be.conv2d(x, k, spec, y);
        }

        void backward(Backend be) {
            be.conv2dBackwardInput(dy, k, spec, dx);
            be.conv2dBackwardKernel(x, dy, spec, dk);
        }

        private static float[] random(SplittableRandom rnd, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
            return a;
        }

        private static View view(float[] data, int... shape) {
            int[] strides = new int[shape.length];
            int step = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                strides[i] = step;
                step *= shape[i];
            }
            return new View(new FloatStorage(data), shape, strides, 0);
        }
    }

    /** Warm-up (and on while the JIT compiles), then {@code chunks} chunks of about {@code chunkSeconds}; per-operation times in ms. */
    static Timing time(Runnable op, double warmupSeconds, int chunks, double chunkSeconds) {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmIters = 0;
        long warmStart = System.nanoTime();
        do {
            op.run();
            warmIters++;
        } while (System.nanoTime() < warmEnd || warmIters < 5);
        double perOp = (System.nanoTime() - warmStart) / 1e9 / warmIters;
        // Not timed while the JIT still compiles (see JitActivity); --warmup 0 (a smoke run) asks for no warm-up.
        if (warmupSeconds > 0) JitActivity.ofThisJvm().await(op);
        // Calibrate on the end of the warm-up: iterations per chunk from a short timed run.
        long t0 = System.nanoTime();
        int probe = Math.max(1, (int) Math.min(1000, 0.05 / Math.max(perOp, 1e-7)));
        for (int i = 0; i < probe; i++) op.run();
        perOp = (System.nanoTime() - t0) / 1e9 / probe;
        int iters = Math.max(1, (int) Math.round(chunkSeconds / perOp));
        double[] ms = new double[chunks];
        for (int c = 0; c < chunks; c++) {
            long start = System.nanoTime();
            for (int i = 0; i < iters; i++) op.run();
            ms[c] = (System.nanoTime() - start) / 1e6 / iters;
        }
        Arrays.sort(ms);
        double median = chunks % 2 == 1 ? ms[chunks / 2] : (ms[chunks / 2 - 1] + ms[chunks / 2]) / 2;
        return new Timing(median, ms[0], ms[chunks - 1]);
    }
}
