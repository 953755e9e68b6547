package dev.myelin.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryCheckTest {
    @Test
    void elementCountMultipliesWithoutOverflow() {
        assertEquals(6, MemoryCheck.elementCount("t", 2, 3));
        assertEquals(0, MemoryCheck.elementCount("t", 0, Long.MAX_VALUE));
        assertEquals(1, MemoryCheck.elementCount("t"));
        var ex = assertThrows(IllegalArgumentException.class, () -> MemoryCheck.elementCount("Tensor.eye(50000)", 50_000, 50_000));
        assertTrue(ex.getMessage().startsWith("Tensor.eye(50000): 50000 × 50000 elements exceed"), ex.getMessage());
        // 2^32 + 10 would wrap to 10 in int arithmetic
        assertThrows(IllegalArgumentException.class, () -> MemoryCheck.elementCount("units", 4_294_967_306L));
        var neg = assertThrows(IllegalArgumentException.class, () -> MemoryCheck.elementCount("shape", 3, -1));
        assertTrue(neg.getMessage().contains("negative size -1"), neg.getMessage());
    }

    @Test
    void requireAvailableNamesWhatAndHowMuch() {
        MemoryCheck.requireAvailable("a small buffer", 1024);
        assertNull(MemoryCheck.shortfall("a small buffer", 1024));
        var ex = assertThrows(IllegalArgumentException.class, () -> MemoryCheck.requireAvailable("Dense(2000000000) weights", Long.MAX_VALUE / 2));
        assertTrue(ex.getMessage().startsWith("Dense(2000000000) weights needs ") && ex.getMessage().contains("MYELIN_JAVA_OPTS"), ex.getMessage());
    }

    @Test
    void bytesAreWrittenForHumans() {
        assertEquals("512 B", MemoryCheck.bytes(512));
        assertEquals("6.3 GB", MemoryCheck.bytes(6_272_000_000L));
        assertEquals("1.0 kB", MemoryCheck.bytes(1000));
    }
}
