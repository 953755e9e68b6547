package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The executor JDK check: 25.0.3 or later, else an error naming the executor and both versions. */
class JdkCheckTest {
    @Test
    void aJdkOlderThan25_0_3IsAClearErrorNamingTheVersion() {
        for (String old : new String[] {"25.0.2+7-LTS", "25+36", "21.0.5+11"}) {
            var e = assertThrows(IllegalStateException.class, () -> JdkCheck.require(Runtime.Version.parse(old), "executor 3 on node-a"));
            assertTrue(e.getMessage().startsWith("executor 3 on node-a runs JDK " + old + ";") && e.getMessage().contains("25.0.3 or later"), e.getMessage());
        }
        for (String ok : new String[] {"25.0.3+9-LTS", "25.0.10", "26-ea+5"}) assertDoesNotThrow(() -> JdkCheck.require(Runtime.Version.parse(ok), "x"));
        assertDoesNotThrow(JdkCheck::requireHere, "the JDK running these tests");
    }
}
