package dev.myelin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** {@link ModelBench}'s protocol: the chunk length comes from the settled steps, not from the compiling ones. */
class ModelBenchTest {
    @Test
    void chunksAreSizedFromTheStepsAfterTheSlowStart() {
        int[] calls = {0};
        // The first 8 steps take 40 ms (a JVM compiling its kernels), then 1 ms. Sized from the warm-up's average,
        // a chunk of 0.1 s would hold about 2 steps; sized from the settled steps, about 100.
        Runnable step = () -> LockSupport.parkNanos(calls[0]++ < 8 ? 40_000_000L : 1_000_000L);
        ModelBench.Throughput t = ModelBench.timed(step, 32, 0.2, 0.5);
        assertTrue(t.stepsPerChunk() >= 20, "steps per chunk " + t.stepsPerChunk());
        assertEquals(5, t.chunkRates().length);
        double[] sorted = t.chunkRates().clone();
        Arrays.sort(sorted);
        assertEquals(sorted[2], t.samplesPerSecond());
        // Each chunk ran only settled steps: at most 32 samples per millisecond.
        for (double r : t.chunkRates()) assertTrue(r <= 32_000 * 1.05, "chunk rate " + r);
        assertTrue(t.json().contains("\"steps_per_chunk\":" + t.stepsPerChunk()), t.json());
    }

    @Test
    void warmUpWaitsForTheJitToGoQuiet() {
        // A JIT still compiling for the first 3 s (10 ms of compile time per look) while steps take 4 ms, then quiet
        // with 1 ms steps. Probes agree with each other within 10% long before that: only the JIT's clock says to wait.
        long start = System.nanoTime();
        long[] compiled = {0};
        LongSupplier jit = () -> System.nanoTime() - start < 3_000_000_000L ? compiled[0] += 10 : compiled[0];
        Runnable step = () -> LockSupport.parkNanos(System.nanoTime() - start < 3_000_000_000L ? 4_000_000L : 1_000_000L);
        ModelBench.Throughput t = ModelBench.timed(step, 32, 0.2, 0.5, new JitActivity(jit));
        assertTrue((System.nanoTime() - start) / 1e9 >= 3.0, "the warm-up ended while the JIT compiled");
        for (double r : t.chunkRates()) assertTrue(r > 32 / 0.004 * 1.5, "chunk rate " + r + " has compiling steps");
    }

    @Test
    void warmUpEndsWithoutJitReports() {
        // A JVM that reports no compile time (constant): the warm-up ends once the probes agree, as before.
        long start = System.nanoTime();
        ModelBench.Throughput t = ModelBench.timed(() -> LockSupport.parkNanos(1_000_000L), 32, 0.2, 0.5, new JitActivity(() -> 0));
        assertTrue((System.nanoTime() - start) / 1e9 < 0.2 + 0.5 + ModelBench.MAX_PROBES * 0.25 / 2, "warm-up too long");
        assertEquals(5, t.chunkRates().length);
    }
}
