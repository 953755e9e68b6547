package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.backend.DType;
import dev.myelin.backend.ReferenceBackend;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The CPU backend is found through {@link ServiceLoader} (not by name) and wins over the reference. */
class BackendDiscoveryTest {

    @Test
    void cpuBackendIsAServiceProviderAndTheDefault() {
        boolean listed = ServiceLoader.load(Backend.class).stream().anyMatch(p -> p.type() == CpuBackend.class);
        assertTrue(listed, "META-INF/services/dev.myelin.backend.Backend lists CpuBackend");
        assertInstanceOf(CpuBackend.class, Backends.defaultBackend());
        CpuBackend cpu = new CpuBackend();
        assertNull(cpu.unavailableReason(), "tests run with --add-modules jdk.incubator.vector");
        assertTrue(cpu.priority() > new ReferenceBackend().priority());
        assertInstanceOf(CpuRecurrence.class, cpu.recurrence(DType.FLOAT32));
        assertNull(cpu.recurrence(DType.FLOAT64), "float64 recurrences take the composed path");
        assertNull(new ReferenceBackend().recurrence(DType.FLOAT32));
    }

    @Test
    void threadCountGoesThroughTheDefaultBackend() {
        int saved = Parallel.threads();
        try {
            Backends.setThreads(3);
            assertEquals(3, Parallel.threads());
            assertEquals(3, Backends.threads());
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
