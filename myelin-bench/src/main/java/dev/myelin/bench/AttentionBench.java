package dev.myelin.bench;

import dev.myelin.backend.Backends;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A Transformer encoder layer ({@link TransformerEncoder}: keras-hub's post-norm block, relu, dropout 0,
 * layer-norm epsilon 1e-5; issue 12's setting: width 128, 4 heads, feed-forward 512) at batch B and sequence
 * length T, forward and forward + backward ({@code y.sum().backward()}, weights' and input's gradients),
 * as ms per pass and samples (sequences) per second; with the bytes allocated on the heap by one forward +
 * backward pass (all threads). With {@code --kernels}, also the scaled dot-product attention kernel alone,
 * through {@link Tensor#scaledDotProductAttention} (the backend's fused kernel: flash attention on the CPU
 * backend) and through the formula composed from tensor operations ({@code softmax((q·scale)·kᵀ + bias)·v},
 * which materialises the {@code T × T} scores): q, k and v {@code [B, H, T, D]}, scale {@code 1/sqrt(D)}.
 * The PyTorch twin {@code myelin-bench/scripts/torch_attention.py} prints the same rows
 * ({@code torch.nn.TransformerEncoderLayer} with the same settings).
 *
 * <p>Rows: {@code encoder B<batch> T<length> d128 h4 ff512} for every {@code --batch} × {@code --seq}
 * (default 32 × 128, 512), then with {@code --kernels} {@code attention[ causal] B<batch> H<heads> T<length> D<head size>}.
 * Protocol as {@link ConvBench#time}. {@code --memory} skips the timing: a few passes, then the bytes
 * allocated by one pass and the process's peak resident set (VmHWM), for one process per sequence length.
 * {@code --ops} times instead each operation of the encoder's pass alone, with the products' GFLOPS ({@link EncoderOps}).
 * Each forward + backward pass runs inside a step scope ({@link BufferPool#scope}), as a step of {@code Model.fit}
 * or a custom loop that opens one: its activations go back to the buffer pool as the backward walk passes them;
 * {@code --no-scope} times it without (only gradients go back: a loop that opens no scope), and the JSON rows
 * say which ({@code step_scope}).
 *
 * <pre>
 * AttentionBench [--seq 128,512] [--batch 32] [--threads 2] [--kernels] [--memory] [--ops] [--no-scope] [--case PREFIX]
 *                [--warmup 1] [--chunks 5] [--chunk 0.2] [--json] [--list]
 * </pre>
 */
public final class AttentionBench {
    private AttentionBench() {}

    /** The encoder's width, heads and feed-forward width (issue 12). */
    static final int WIDTH = 128, HEADS = 4, FEED_FORWARD = 512;

    /** One kernel row: batch, heads, length, head size, causal. */
    record Row(int b, int h, int t, int d, boolean causal) {
        String name() {
            return String.format(Locale.ROOT, "attention%s B%d H%d T%d D%d", causal ? " causal" : "", b, h, t, d);
        }
    }

    static final List<Row> ROWS = List.of(
            new Row(32, 4, 128, 32, false), new Row(32, 4, 512, 32, false),
            new Row(1, 4, 256, 32, false), new Row(1, 4, 512, 32, false), new Row(1, 4, 1024, 32, false), new Row(1, 4, 2048, 32, false),
            new Row(1, 4, 2048, 32, true));

    /** The label of an encoder row. */
    static String encoderName(int batch, int seq) {
        return String.format(Locale.ROOT, "encoder B%d T%d d%d h%d ff%d", batch, seq, WIDTH, HEADS, FEED_FORWARD);
    }

    /** One bench row: its label, path, batch (samples per pass) and how to make its passes. */
    private record Case(String name, String path, int batch, Supplier<LayerCases.Bench> setup) {}

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    /** Runs the benchmark with command-line style arguments; returns the exit status. */
    public static int run(List<String> args) {
        int[] seqs = {128, 512}, batches = {32};
        boolean kernels = false, memory = false, ops = false, scope = true;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            try {
                switch (a) {
                    case "--seq" -> seqs = positive(args.get(++i));
                    case "--batch" -> batches = positive(args.get(++i));
                    case "--kernels" -> kernels = true;
                    case "--memory" -> memory = true;
                    case "--ops" -> ops = true;
                    case "--no-scope" -> scope = false;
                    default -> rest.add(a);
                }
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                System.err.println("AttentionBench: " + a + " needs a comma-separated list of positive integers");
                return 2;
            }
        }
        BenchOptions o = BenchOptions.parse("AttentionBench [--seq 128,512] [--batch 32] [--kernels] [--memory] [--ops] [--no-scope]", rest, new int[] {2}, 1, 0.2, 5, true);
        if (o.exit() != null) return o.exit();
        if (ops) return EncoderOps.run(batches, seqs, o);
        List<Case> all = new ArrayList<>();
        for (int b : batches) {
            for (int t : seqs) {
                all.add(new Case(encoderName(b, t), "layer", b, () -> new LayerCases.LayerRow(new TransformerEncoder(FEED_FORWARD, HEADS), b,
                        new int[] {t, WIDTH}, true, true)));
            }
        }
        if (kernels) {
            for (Row r : ROWS) {
                all.add(new Case(r.name(), "fused", r.b, () -> new Pass(r, true)));
                all.add(new Case(r.name(), "composed", r.b, () -> new Pass(r, false)));
            }
        }
        List<Case> selected = new ArrayList<>();
        for (Case c : all) if (o.only() == null || c.name().startsWith(o.only())) selected.add(c);
        if (selected.isEmpty()) {
            System.err.println("AttentionBench: no row starts with '" + o.only() + "' (see --list)");
            return 2;
        }
        if (o.list()) {
            selected.stream().map(Case::name).distinct().forEach(System.out::println);
            return 0;
        }
        int savedThreads = Backends.threads();
        List<String> rows = new ArrayList<>();
        if (!o.json()) {
            if (memory) System.out.printf(Locale.ROOT, "%-36s %-9s %7s %14s %12s%n", "case", "path", "threads", "alloc MB/pass", "peak RSS MB");
            else System.out.printf(Locale.ROOT, "%-36s %-9s %7s %12s %12s %12s %12s %14s%n", "case", "path", "threads", "forward ms", "fwd+bwd ms",
                    "fwd samp/s", "f+b samp/s", "alloc MB/pass");
        }
        try {
            for (Case c : selected) {
                LayerCases.Bench pass = stepScoped(c.setup().get(), scope);
                for (int t : o.threads()) {
                    Backends.setThreads(t);
                    if (memory) {
                        for (int i = 0; i < 3; i++) pass.forwardBackward();
                        double mb = allocatedMb(pass);
                        double rss = peakRssMb();
                        if (o.json()) {
                            rows.add(String.format(Locale.ROOT, "{\"case\":\"%s\",\"path\":\"%s\",\"threads\":%d,\"allocated_mb\":%.2f,\"peak_rss_mb\":%.1f}",
                                    c.name(), c.path(), t, mb, rss));
                        } else {
                            System.out.printf(Locale.ROOT, "%-36s %-9s %7d %14.1f %12.1f%n", c.name(), c.path(), t, mb, rss);
                        }
                        continue;
                    }
                    ConvBench.Timing fwd = ConvBench.time(pass::forward, o.warmup(), o.chunks(), o.chunk());
                    ConvBench.Timing both = ConvBench.time(pass::forwardBackward, o.warmup(), o.chunks(), o.chunk());
                    double mb = allocatedMb(pass);
                    double fwdRate = c.batch() * 1e3 / fwd.medianMs(), bothRate = c.batch() * 1e3 / both.medianMs();
                    if (o.json()) {
                        rows.add(String.format(Locale.ROOT,
                                "{\"case\":\"%s\",\"path\":\"%s\",\"threads\":%d,\"step_scope\":%b,\"forward_ms\":%s,\"forward_backward_ms\":%s,"
                                        + "\"forward_samples_per_s\":%.2f,\"forward_backward_samples_per_s\":%.2f,\"allocated_mb\":%.2f}",
                                c.name(), c.path(), t, scope, json(fwd), json(both), fwdRate, bothRate, mb));
                    } else {
                        System.out.printf(Locale.ROOT, "%-36s %-9s %7d %12.3f %12.3f %12.1f %12.1f %14.1f%n", c.name(), c.path(), t,
                                fwd.medianMs(), both.medianMs(), fwdRate, bothRate, mb);
                    }
                }
            }
        } finally {
            Backends.setThreads(savedThreads);
        }
        if (o.json()) {
            System.out.println("{\"benchmark\":\"attention\",\"peer\":\"myelin\",\"java\":\"" + System.getProperty("java.version")
                    + "\",\"results\":[\n  " + String.join(",\n  ", rows) + "\n]}");
        }
        return 0;
    }

    /**
     * {@code pass} with each forward + backward inside a {@link BufferPool#scope}, as a step of {@code Model.fit} or a
     * custom loop that opens one: the activations go back to the pool as the backward walk passes them. Without
     * ({@code --no-scope}) only the gradients do. The forward pass alone is timed as it is either way.
     */
    private static LayerCases.Bench stepScoped(LayerCases.Bench pass, boolean scope) {
        if (!scope) return pass;
        return new LayerCases.Bench() {
            @Override
            public void forward() {
                pass.forward();
            }

            @Override
            public void forwardBackward() {
                try (var step = BufferPool.scope()) {
                    pass.forwardBackward();
                }
            }
        };
    }

    private static int[] positive(String list) {
        int[] v = Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
        if (v.length == 0 || Arrays.stream(v).anyMatch(x -> x < 1)) throw new IllegalArgumentException(list);
        return v;
    }

    /** MB allocated on the heap by one forward + backward pass. */
    private static double allocatedMb(LayerCases.Bench pass) {
        long before = allocatedBytes();
        pass.forwardBackward();
        return (allocatedBytes() - before) / 1e6;
    }

    /** The process's peak resident set so far (VmHWM), in MB; 0 where /proc is not there. */
    private static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** One row's tensors and its forward pass, fused or composed. */
    private static final class Pass implements LayerCases.Bench {
        private final Tensor q, k, v, bias;
        private final boolean fused, causal;
        private final double scale;

        Pass(Row r, boolean fused) {
            SplittableRandom rnd = new SplittableRandom(42);
            int n = r.b * r.h * r.t * r.d;
            q = Tensor.of(LayerCases.random(rnd, n), r.b, r.h, r.t, r.d).requiresGrad(true);
            k = Tensor.of(LayerCases.random(rnd, n), r.b, r.h, r.t, r.d).requiresGrad(true);
            v = Tensor.of(LayerCases.random(rnd, n), r.b, r.h, r.t, r.d).requiresGrad(true);
            this.fused = fused;
            this.causal = r.causal;
            this.scale = 1 / Math.sqrt(r.d);
            if (r.causal && !fused) {
                float[] b = new float[r.t * r.t];
                for (int i = 0; i < r.t; i++) for (int j = i + 1; j < r.t; j++) b[i * r.t + j] = -1e9f;
                bias = Tensor.of(b, r.t, r.t);
            } else {
                bias = null;
            }
        }

        @Override
        public void forward() {
            pass();
        }

        private Tensor pass() {
            if (fused) return Tensor.scaledDotProductAttention(q, k, v, null, causal, scale);
            Tensor s = q.mul(scale).matmul(k.mT());
            if (bias != null) s = s.add(bias);
            return s.softmax(-1).matmul(v);
        }

        @Override
        public void forwardBackward() {
            pass().sum().backward();
            q.zeroGrad();
            k.zeroGrad();
            v.zeroGrad();
        }
    }

    /** Bytes allocated on the heap so far by every live thread (the calling thread and the kernel pool). */
    private static long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)) return 0;
        long sum = 0;
        for (long b : bean.getThreadAllocatedBytes(bean.getAllThreadIds())) if (b > 0) sum += b;
        return sum;
    }

    private static String json(ConvBench.Timing t) {
        return String.format(Locale.ROOT, "{\"median\":%.5f,\"min\":%.5f,\"max\":%.5f}", t.medianMs(), t.minMs(), t.maxMs());
    }
}
