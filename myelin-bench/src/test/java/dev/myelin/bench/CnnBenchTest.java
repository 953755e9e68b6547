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
}
