package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input, family "environment": a bad MYELIN_NUM_THREADS is an IllegalArgumentException naming the
 * variable and the value (read on first use, so never an ExceptionInInitializerError).
 */
class ThreadCountEnvTest {
    @ParameterizedTest(name = "MYELIN_NUM_THREADS=''{0}''")
    @ValueSource(strings = {"abc", "0", "-1", "1.5", "4 threads", "99999999999", "4097", "0x10", "NaN"})
    void badValuesNameTheVariableAndTheValue(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.threadsFrom(value));
        assertEquals("MYELIN_NUM_THREADS must be a whole number from 1 to 4096, got '" + value + "'", e.getMessage());
    }

    @Test
    void goodValues() {
        assertEquals(4, Parallel.threadsFrom("4"));
        assertEquals(2, Parallel.threadsFrom(" 2 "));
        assertEquals(4096, Parallel.threadsFrom("4096"));
        assertEquals(Runtime.getRuntime().availableProcessors(), Parallel.threadsFrom(null));
        assertEquals(Runtime.getRuntime().availableProcessors(), Parallel.threadsFrom("  "));
    }
}
