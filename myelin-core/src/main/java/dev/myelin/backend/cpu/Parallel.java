package dev.myelin.backend.cpu;

import java.util.function.IntConsumer;

/**
 * The one thread pool of the CPU backend. Every multithreaded kernel splits its work into a number of
 * tasks that does not depend on the thread count, so results are the same with 1 or N threads.
 *
 * <p>The size comes from the environment variable {@code MYELIN_NUM_THREADS} (default: all cores) and
 * can be changed at run time with {@link #setThreads(int)}.
 *
 * <p>PLACEHOLDER: runs tasks sequentially; the pooled implementation replaces the body, not the API.
 */
public final class Parallel {
    private static volatile int threads = defaultThreads();

    private Parallel() {}

    static int defaultThreads() {
        String env = System.getenv("MYELIN_NUM_THREADS");
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("MYELIN_NUM_THREADS must be a positive integer, got '" + env + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The number of threads kernels may use. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads kernels may use (at least 1). */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        threads = n;
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), possibly in parallel, and waits for all. */
    public static void forRange(int tasks, IntConsumer body) {
        for (int t = 0; t < tasks; t++) body.accept(t);
    }
}
