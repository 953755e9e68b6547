package dev.myelin.bench;

import dev.myelin.backend.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-layer times, forward and forward + backward, through the public Layer API, for the rows of
 * {@link LayerCases}; the PyTorch twin {@code myelin-bench/scripts/torch_layers.py} prints the same rows
 * and {@code myelin-bench/scripts/compare_layers.py} the ratio per row.
 *
 * <p>Protocol (as {@link ConvBench}): per row and thread count, warm-up for {@code --warmup} seconds (and
 * at least 5 passes), then {@code --chunks} timed chunks of about {@code --chunk} seconds; the median
 * chunk's time per pass is reported, with the fastest and slowest chunk. Optimizer rows time the update
 * alone, in the forward column.
 *
 * <p>The forward column times {@code layer.call(x, training)} followed by {@code BufferPool.release} of its output,
 * as a PyTorch loop frees {@code y} when it reassigns it and its caching allocator hands the next call that block:
 * the next output takes the released array (written by the previous pass, still in the CPU's caches) instead of a
 * fresh multi-megabyte {@code new float[]}. {@code --fresh-outputs} times the call alone, each output a fresh array
 * left to the garbage collector, as this column was timed before (JSON {@code "outputs":"fresh"}). The forward + backward
 * column runs each pass inside a {@link dev.myelin.tensor.BufferPool#scope() step scope}, as {@code Model.trainStep}
 * does (and as {@code bench attention} times its encoder): the output and the loss go back to the pool during backward
 * and the next pass takes their arrays, as a PyTorch loop's caching allocator hands each pass the blocks of the one
 * before. {@code --no-scope} times the pass without a scope, each output a fresh array (JSON
 * {@code "forward_backward":"plain"}; the default is {@code "step-scope"}).
 *
 * <pre>
 * LayerBench [--threads 2] [--case PREFIX] [--warmup 2] [--chunks 5] [--chunk 0.2] [--fresh-outputs] [--no-scope] [--json] [--list]
 * </pre>
 */
public final class LayerBench {
    private LayerBench() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    /** Runs the benchmark with command-line style arguments; returns the exit status. */
    public static int run(List<String> args) {
        boolean fresh = args.contains("--fresh-outputs");
        if (fresh) args = args.stream().filter(a -> !a.equals("--fresh-outputs")).toList();
        boolean inStep = !args.contains("--no-scope");
        if (!inStep) args = args.stream().filter(a -> !a.equals("--no-scope")).toList();
        BenchOptions o = BenchOptions.parse("LayerBench", args, new int[] {2}, 2, 0.2, 5, true);
        if (o.exit() != null) return o.exit();
        int[] threads = o.threads();
        double warmup = o.warmup();
        double chunk = o.chunk();
        int chunks = o.chunks();
        boolean json = o.json();
        String only = o.only();
        boolean list = o.list();
        List<LayerCases.Case> selected = new ArrayList<>();
        for (LayerCases.Case c : LayerCases.ALL) if (only == null || c.name().startsWith(only)) selected.add(c);
        if (selected.isEmpty()) {
            System.err.println("LayerBench: no row starts with '" + only + "' (see --list)");
            return 2;
        }
        if (list) {
            selected.forEach(c -> System.out.println(c.name()));
            return 0;
        }

        int savedThreads = Backends.threads();
        List<String> rows = new ArrayList<>();
        if (!json) System.out.printf(Locale.ROOT, "%-48s %7s %12s %12s%n", "case", "threads", "forward ms", "fwd+bwd ms");
        try {
            for (LayerCases.Case cs : selected) {
                LayerCases.Bench b = cs.setup().get();
                for (int t : threads) {
                    Backends.setThreads(t);
                    ConvBench.Timing fwd = ConvBench.time(fresh ? b::forward : b::forwardReleasing, warmup, chunks, chunk);
                    ConvBench.Timing both = b.hasBackward() ? ConvBench.time(inStep ? b::forwardBackwardInStep : b::forwardBackward, warmup, chunks, chunk) : null;
                    if (json) {
                        rows.add(String.format(Locale.ROOT, "{\"case\":\"%s\",\"threads\":%d,\"forward_ms\":%s,\"forward_backward_ms\":%s}",
                                cs.name(), t, json(fwd), both == null ? "null" : json(both)));
                    } else {
                        System.out.printf(Locale.ROOT, "%-48s %7d %12.4f %12s%n", cs.name(), t, fwd.medianMs(),
                                both == null ? "-" : String.format(Locale.ROOT, "%.4f", both.medianMs()));
                    }
                }
            }
        } finally {
            Backends.setThreads(savedThreads);
        }
        if (json) {
            System.out.println("{\"benchmark\":\"layers\",\"peer\":\"myelin\",\"java\":\"" + System.getProperty("java.version")
                    + "\",\"outputs\":\"" + (fresh ? "fresh" : "released") + "\",\"forward_backward\":\"" + (inStep ? "step-scope" : "plain") + "\",\"warmup_s\":" + warmup + ",\"chunks\":" + chunks + ",\"chunk_s\":" + chunk
                    + ",\"results\":[\n  " + String.join(",\n  ", rows) + "\n]}");
        }
        return 0;
    }

    private static String json(ConvBench.Timing t) {
        return String.format(Locale.ROOT, "{\"median\":%.5f,\"min\":%.5f,\"max\":%.5f}", t.medianMs(), t.minMs(), t.maxMs());
    }
}
