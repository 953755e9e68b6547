package dev.myelin.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Whether the JIT is still compiling, for the benches' warm-ups: a JVM's kernels and the code around them reach C2
 * at different times (code run once or twice per step, such as a model's loss, only 12-20 s into a run on 2 cores),
 * and until then they run C1's code, where every Vector API operation is a boxed call, while the compiler thread
 * takes one of the cores. Timed in that phase, the same step read up to 1.8x slower in one fresh JVM than in another.
 *
 * <p>Use: {@link #mark()} at the start of each probe of about a quarter of a second; {@link #quiet()} after it.
 */
final class JitActivity {
    /** Probes over which the JIT counts as quiet (1 s of quarter-second probes)... */
    static final int WINDOW = 4;

    /** ...when it compiled for at most this many milliseconds in them (2% of one core). */
    static final long QUIET_MS = 20;

    /** The most quarter-second probes a warm-up adds while the JIT compiles (20 s). */
    static final int MAX_PROBES = 80;

    private final LongSupplier compileMillis;
    private final long[] marks = new long[WINDOW]; // the compile clock at the start of each of the last probes
    private int count;

    /** Watches {@code compileMillis}, the JIT's accumulated compile time in ms. */
    JitActivity(LongSupplier compileMillis) {
        this.compileMillis = compileMillis;
    }

    /** Watches this JVM's JIT; one that reports no compile time counts as quiet. */
    static JitActivity ofThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return new JitActivity(() -> 0);
        return new JitActivity(jit::getTotalCompilationTime);
    }

    /** Marks the start of a probe. */
    void mark() {
        System.arraycopy(marks, 1, marks, 0, WINDOW - 1);
        marks[WINDOW - 1] = compileMillis.getAsLong();
        count++;
    }

    /** Whether {@link #WINDOW} probes were marked and the JIT compiled at most {@link #QUIET_MS} since the first. */
    boolean quiet() {
        return count >= WINDOW && compileMillis.getAsLong() - marks[0] <= QUIET_MS;
    }

    /** Runs {@code op} in quarter-second probes until the JIT is quiet, at most {@link #MAX_PROBES} probes. */
    void await(Runnable op) {
        for (int p = 0; p < MAX_PROBES && !quiet(); p++) {
            mark();
            probe(op);
        }
    }

    /** Runs {@code op} for at least a quarter of a second (and twice); returns the seconds per run. */
    static double probe(Runnable op) {
        long t0 = System.nanoTime();
        int n = 0;
        do {
            op.run();
            n++;
        } while (n < 2 || System.nanoTime() - t0 < 250_000_000L);
        return (System.nanoTime() - t0) / 1e9 / n;
    }
}
