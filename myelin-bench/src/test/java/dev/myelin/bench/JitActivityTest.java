package dev.myelin.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link JitActivity}: quiet only after a full window of probes in which the JIT compiled little. */
class JitActivityTest {
    @Test
    void quietNeedsAFullWindowWithLittleCompiling() {
        long[] clock = {0};
        JitActivity jit = new JitActivity(() -> clock[0]);
        for (int i = 1; i < JitActivity.WINDOW; i++) {
            jit.mark();
            assertFalse(jit.quiet(), "quiet after " + i + " probes");
        }
        jit.mark();
        assertTrue(jit.quiet());
        clock[0] += JitActivity.QUIET_MS + 1; // a compile in the last probe
        assertFalse(jit.quiet());
        for (int i = 1; i < JitActivity.WINDOW; i++) {
            jit.mark();
            assertFalse(jit.quiet(), "the compile left the window after " + i + " probes");
        }
        jit.mark(); // the window now starts after the compile
        assertTrue(jit.quiet());
    }
}
