package dev.myelin.bench;

import dev.myelin.backend.Backends;
import dev.myelin.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Scaled dot-product attention, forward and forward + backward ({@code y.sum().backward()}), through
 * {@link Tensor#scaledDotProductAttention} (the backend's fused kernel: flash attention on the CPU backend)
 * and through the same formula composed from tensor operations
 * ({@code softmax((q·scale)·kᵀ + bias)·v}, which materialises the {@code T × T} scores and probabilities);
 * with the bytes allocated on the heap by one forward + backward pass (all threads), which grows with T²
 * for the composed path and with T for the fused one. The PyTorch twin
 * {@code myelin-bench/scripts/torch_attention.py} (torch 1.13 has no {@code scaled_dot_product_attention},
 * so it composes the same formula) prints the same rows.
 *
 * <p>Rows: {@code attention[ causal] B<batch> H<heads> T<length> D<head size>}, q, k and v
 * {@code [B, H, T, D]} in [−1, 1), scale {@code 1/sqrt(D)}. Protocol as {@link ConvBench#time}.
 *
 * <pre>
 * AttentionBench [--threads 2] [--case PREFIX] [--warmup 1] [--chunks 5] [--chunk 0.2] [--json] [--list]
 * </pre>
 */
public final class AttentionBench {
    private AttentionBench() {}

    /** One row: batch, heads, length, head size, causal. */
    record Row(int b, int h, int t, int d, boolean causal) {
        String name() {
            return String.format(Locale.ROOT, "attention%s B%d H%d T%d D%d", causal ? " causal" : "", b, h, t, d);
        }
    }

    static final List<Row> ROWS = List.of(
            new Row(32, 4, 128, 32, false), new Row(32, 4, 512, 32, false),
            new Row(1, 4, 256, 32, false), new Row(1, 4, 512, 32, false), new Row(1, 4, 1024, 32, false), new Row(1, 4, 2048, 32, false),
            new Row(1, 4, 2048, 32, true));

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    /** Runs the benchmark with command-line style arguments; returns the exit status. */
    public static int run(List<String> args) {
        BenchOptions o = BenchOptions.parse("AttentionBench", args, new int[] {2}, 1, 0.2, 5, true);
        if (o.exit() != null) return o.exit();
        List<Row> selected = new ArrayList<>();
        for (Row r : ROWS) if (o.only() == null || r.name().startsWith(o.only())) selected.add(r);
        if (selected.isEmpty()) {
            System.err.println("AttentionBench: no row starts with '" + o.only() + "' (see --list)");
            return 2;
        }
        if (o.list()) {
            selected.forEach(r -> System.out.println(r.name()));
            return 0;
        }
        int savedThreads = Backends.threads();
        List<String> rows = new ArrayList<>();
        if (!o.json()) {
            System.out.printf(Locale.ROOT, "%-36s %-9s %7s %12s %12s %14s%n", "case", "path", "threads", "forward ms", "fwd+bwd ms", "alloc MB/pass");
        }
        try {
            for (Row r : selected) {
                for (boolean fused : new boolean[] {true, false}) {
                    Pass pass = new Pass(r, fused);
                    for (int t : o.threads()) {
                        Backends.setThreads(t);
                        ConvBench.Timing fwd = ConvBench.time(pass::forward, o.warmup(), o.chunks(), o.chunk());
                        ConvBench.Timing both = ConvBench.time(pass::forwardBackward, o.warmup(), o.chunks(), o.chunk());
                        long before = allocatedBytes();
                        pass.forwardBackward();
                        double mb = (allocatedBytes() - before) / 1e6;
                        String path = fused ? "fused" : "composed";
                        if (o.json()) {
                            rows.add(String.format(Locale.ROOT,
                                    "{\"case\":\"%s\",\"path\":\"%s\",\"threads\":%d,\"forward_ms\":%s,\"forward_backward_ms\":%s,\"allocated_mb\":%.2f}",
                                    r.name(), path, t, json(fwd), json(both), mb));
                        } else {
                            System.out.printf(Locale.ROOT, "%-36s %-9s %7d %12.3f %12.3f %14.1f%n", r.name(), path, t, fwd.medianMs(), both.medianMs(), mb);
                        }
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

    /** One row's tensors and its forward pass, fused or composed. */
    private static final class Pass {
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

        Tensor forward() {
            if (fused) return Tensor.scaledDotProductAttention(q, k, v, null, causal, scale);
            Tensor s = q.mul(scale).matmul(k.mT());
            if (bias != null) s = s.add(bias);
            return s.softmax(-1).matmul(v);
        }

        void forwardBackward() {
            forward().sum().backward();
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
