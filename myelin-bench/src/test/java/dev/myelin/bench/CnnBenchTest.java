package dev.myelin.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link CnnBench}'s clock for the time from the process's start, the figure its torch twin reports. */
class CnnBenchTest {
    @Test
    void theProcessAgeIsAtLeastTheJvmUptimeAndNotMuchMore() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc");
        double before = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        double age = CnnBench.processAgeSeconds();
        double after = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        // The process starts before the JVM counts its uptime; both clocks tick in 10 ms steps. A wrong field of
        // /proc/self/stat gives an age of days or a negative one, far outside these bounds.
        assertTrue(age >= before - 0.05, "process age " + age + " s, JVM uptime " + before + " s");
        assertTrue(age <= after + 30, "process age " + age + " s, JVM uptime " + after + " s");
    }

    @Test
    void theProcessCpuTimeGrowsWithWorkAndStaysWithinTheCoresWallTime() {
        double uptime0 = CnnBench.uptimeSeconds();
        double cpu0 = CnnBench.processCpuSeconds();
        assumeTrue(cpu0 > 0, "this JVM does not report its process CPU time");
        long spin = 0;
        long end = System.nanoTime() + 200_000_000L; // 0.2 s of this thread's CPU
        while (System.nanoTime() < end) spin += end & 7;
        double cpu1 = CnnBench.processCpuSeconds();
        double uptime1 = CnnBench.uptimeSeconds();
        // The spin alone is 0.2 s of CPU (a little less if the thread was descheduled), and no process can use more
        // than its cores' share of the wall time.
        assertTrue(cpu1 - cpu0 >= 0.1, "CPU " + cpu0 + " -> " + cpu1 + " s over a 0.2 s spin (" + spin + ")");
        int cores = Runtime.getRuntime().availableProcessors();
        assertTrue(cpu1 - cpu0 <= (uptime1 - uptime0 + 0.1) * cores, "CPU " + (cpu1 - cpu0) + " s in "
                + (uptime1 - uptime0) + " s on " + cores + " cores");
    }
}
