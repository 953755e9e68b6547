package dev.myelin.bench;

import dev.myelin.backend.cpu.Parallel;
import dev.myelin.backend.cpu.Sgemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of {@link Sgemm}: average time per call for an M x N x K product (GFLOPS = 2·M·N·K / time).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "myelin-cli/target/lib/*" org.openjdk.jmh.Main SgemmJmh \
 *      -p shape=1024x1024x1024 -p op=nn -p threads=2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SgemmJmh {
    /** M x N x K. */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048", "32x64x784", "128x128x800",
            "21632x32x9", "3872x64x288"})
    public String shape;

    /** nn = A·B, tn = Aᵀ·B, nt = A·Bᵀ. */
    @Param({"nn", "tn", "nt"})
    public String op;

    @Param({"1", "2"})
    public int threads;

    private int m, n, k, lda, ldb;
    private boolean transA, transB;
    private float[] a, b, c;
    private int savedThreads;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        transA = op.equals("tn");
        transB = op.equals("nt");
        lda = transA ? m : k;
        ldb = transB ? k : n;
        SplittableRandom r = new SplittableRandom(0);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble();
        savedThreads = Parallel.threads();
        Parallel.setThreads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Parallel.setThreads(savedThreads);
    }

    @Benchmark
    public float[] sgemm() {
        Sgemm.sgemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
        return c;
    }
}
