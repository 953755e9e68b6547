package dev.myelin.bench;

import dev.myelin.backend.cpu.Parallel;
import dev.myelin.backend.cpu.Sgemm;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * SGEMM throughput (GFLOPS) of {@link Sgemm}, measured like the NumPy/OpenBLAS reference script
 * ({@code gemm_py.py}): per shape a warm-up of at least one second (and at least three calls), then five
 * chunks of about one second each; the median chunk is reported. FLOP = 2·M·N·K.
 *
 * <p>Shapes are M x N x K (C[M,N] = op(A)[M,K] · op(B)[K,N]); each runs plain ({@code A·B}), with A stored
 * transposed ({@code Aᵀ·B}, i.e. transA) and with B stored transposed ({@code A·Bᵀ}), on 1 and 2 threads.
 *
 * <pre>
 * GemmBench [--json] [--quick] [--threads 1,2] [--shapes 2048,128x128x800] [--ops nn,tn,nt]
 * </pre>
 */
public final class GemmBench {
    private GemmBench() {}

    /** M, N, K. */
    record Shape(int m, int n, int k) {
        static Shape parse(String s) {
            String[] p = s.toLowerCase(Locale.ROOT).split("x");
            if (p.length == 1) {
                int x = Integer.parseInt(p[0].trim());
                return new Shape(x, x, x);
            }
            if (p.length != 3) throw new IllegalArgumentException("shape must be N or MxNxK, got '" + s + "'");
            return new Shape(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
        }

        @Override
        public String toString() {
            return m + "x" + n + "x" + k;
        }
    }

    /** How the operands are stored: nn = A·B, tn = Aᵀ·B (A stored K x M), nt = A·Bᵀ (B stored N x K). */
    enum Variant {
        NN("A·B", false, false), TN("Aᵀ·B", true, false), NT("A·Bᵀ", false, true);

        final String label;
        final boolean transA, transB;

        Variant(String label, boolean transA, boolean transB) {
            this.label = label;
            this.transA = transA;
            this.transB = transB;
        }
    }

    static final List<Shape> DEFAULT_SHAPES = List.of(new Shape(256, 256, 256), new Shape(512, 512, 512),
            new Shape(1024, 1024, 1024), new Shape(2048, 2048, 2048), new Shape(32, 64, 784),
            new Shape(128, 128, 800), new Shape(21632, 32, 9), new Shape(3872, 64, 288));

    record Result(Shape shape, Variant variant, int threads, double gflops, double[] chunks) {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    /** Runs the benchmark with command-line style arguments; returns an exit code. */
    public static int run(List<String> args) {
        boolean json = false, quick = false;
        List<Integer> threads = List.of(1, 2);
        List<Shape> shapes = DEFAULT_SHAPES;
        List<Variant> variants = List.of(Variant.values());
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--json" -> json = true;
                    case "--quick" -> quick = true;
                    case "--threads" -> threads = parseList(value(args, ++i, arg), Integer::parseInt);
                    case "--shapes" -> shapes = parseList(value(args, ++i, arg), Shape::parse);
                    case "--ops", "--variants" -> variants = parseList(value(args, ++i, arg),
                            s -> Variant.valueOf(s.toUpperCase(Locale.ROOT)));
                    case "-h", "--help" -> {
                        System.out.println(usage());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            for (int t : threads) if (t < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + t);
        } catch (IllegalArgumentException e) {
            System.err.println("gemm bench: " + e.getMessage());
            System.err.println(usage());
            return 2;
        }
        return run(shapes, variants, threads, quick, json, System.out, System.err);
    }

    static String usage() {
        return """
                usage: bench gemm [--json] [--quick] [--threads 1,2] [--shapes 2048,128x128x800] [--ops nn,tn,nt]
                  --json      print JSON instead of a table
                  --quick     0.5 s warm-up and 5 chunks of 0.2 s per shape (rough figures)
                  --threads   comma-separated thread counts (default 1,2)
                  --shapes    comma-separated N (square) or MxNxK shapes (default: 256..2048 and 4 deep-learning shapes)
                  --ops       nn = A·B, tn = Aᵀ·B, nt = A·Bᵀ (default all)""";
    }

    private static String value(List<String> args, int i, String opt) {
        if (i >= args.size()) throw new IllegalArgumentException(opt + " needs a value");
        return args.get(i);
    }

    private static <T> List<T> parseList(String s, java.util.function.Function<String, T> f) {
        List<T> out = new ArrayList<>();
        for (String part : s.split(",")) if (!part.isBlank()) out.add(f.apply(part.trim()));
        if (out.isEmpty()) throw new IllegalArgumentException("empty list '" + s + "'");
        return out;
    }

    static int run(List<Shape> shapes, List<Variant> variants, List<Integer> threads, boolean quick, boolean json,
                   PrintStream out, PrintStream log) {
        double warmup = quick ? 0.5 : 1.0, chunk = quick ? 0.2 : 1.0;
        int saved = Parallel.threads();
        List<Result> results = new ArrayList<>();
        try {
            if (!json) out.printf("%-16s %-6s %7s %10s %10s%n", "M x N x K", "op", "threads", "GFLOPS", "ms/call");
            for (int t : threads) {
                Parallel.setThreads(t);
                for (Shape s : shapes) {
                    for (Variant v : variants) {
                        Result r = measure(s, v, t, warmup, chunk);
                        results.add(r);
                        double ms = 2.0 * s.m * s.n * s.k / r.gflops / 1e6;
                        if (json) {
                            log.printf("[gemm] %s %s t=%d: %.1f GFLOPS%n", s, v.label, t, r.gflops);
                        } else {
                            out.printf("%-16s %-6s %7d %10.1f %10.4f%n", s, v.label, t, r.gflops, ms);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
        if (json) out.println(toJson(results));
        return 0;
    }

    static Result measure(Shape s, Variant v, int threads, double warmupSeconds, double chunkSeconds) {
        SplittableRandom r = new SplittableRandom(0);
        int m = s.m, n = s.n, k = s.k;
        float[] a = random(r, m * k), b = random(r, k * n), c = new float[m * n];
        int lda = v.transA ? m : k, ldb = v.transB ? k : n;
        double flop = 2.0 * m * n * k;
        Runnable call = () -> Sgemm.sgemm(v.transA, v.transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
        long t0 = System.nanoTime();
        int calls = 0;
        while (calls < 3 || System.nanoTime() - t0 < warmupSeconds * 1e9) {
            call.run();
            calls++;
        }
        double per = (System.nanoTime() - t0) / 1e9 / calls;
        int reps = (int) Math.max(1, Math.round(chunkSeconds / per));
        double[] rates = new double[5];
        for (int i = 0; i < rates.length; i++) {
            long t = System.nanoTime();
            for (int j = 0; j < reps; j++) call.run();
            rates[i] = reps * flop / ((System.nanoTime() - t) / 1e9) / 1e9;
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return new Result(s, v, threads, sorted[sorted.length / 2], rates);
    }

    private static float[] random(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    static String toJson(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"bench\":\"gemm\",\"lib\":\"myelin\",\"java\":\"").append(esc(System.getProperty("java.version")))
                .append("\",\"cpus\":").append(Runtime.getRuntime().availableProcessors()).append(",\"rows\":[");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"M\":").append(r.shape.m).append(",\"N\":").append(r.shape.n).append(",\"K\":").append(r.shape.k)
                    .append(",\"op\":\"").append(r.variant.name().toLowerCase(Locale.ROOT))
                    .append("\",\"threads\":").append(r.threads)
                    .append(",\"gflops\":").append(fmt(r.gflops)).append(",\"chunk_gflops\":[");
            for (int j = 0; j < r.chunks.length; j++) sb.append(j > 0 ? "," : "").append(fmt(r.chunks[j]));
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.3f", x);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
