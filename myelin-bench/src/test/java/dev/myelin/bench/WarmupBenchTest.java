package dev.myelin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link WarmupBench}: a row per second of the JVM's life with the steps that ended in it; options checked. */
class WarmupBenchTest {
    @Test
    void reportsTheStepsOfEachSecondUntilTheGivenUptime() {
        // "--seconds" counts from the JVM's start: this JVM has run other tests, so stop about 1.5 s from now.
        double until = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3 + 1.5;
        String out = captured(() -> WarmupBench.run(List.of("--model", "mlp", "--batch", "16", "--threads", "1",
                "--seconds", String.format(Locale.ROOT, "%.3f", until), "--json")));
        assertTrue(out.contains("\"model\":\"mlp\"") && out.contains("\"batch\":16"), out);
        Matcher row = Pattern.compile("\\{\"second\":(\\d+),\"steps\":(\\d+),\"ms_per_step\":([-0-9.]+),\"jit_ms\":(\\d+)}").matcher(out);
        int rows = 0, steps = 0;
        while (row.find()) {
            rows++;
            int n = Integer.parseInt(row.group(2));
            double ms = Double.parseDouble(row.group(3));
            steps += n;
            if (n > 0) assertTrue(ms > 0 && ms < 1000 * 1.5, "second " + row.group(1) + ": " + ms + " ms per step");
            else assertEquals(-1.0, ms, "a second without steps");
        }
        assertTrue(rows >= 1, out);
        assertTrue(steps >= 1, "no step timed: " + out);
    }

    @Test
    void badOptionsNameTheOptionAndWhatWasExpected() {
        assertMessage("--batch must be a whole number above 0, got 0", "--batch", "0");
        assertMessage("--batch must be a whole number above 0, got 2.5", "--batch", "2.5");
        assertMessage("--seconds must be a number above 0, got 'soon'", "--seconds", "soon");
        assertMessage("--seconds needs a value", "--seconds");
        assertMessage("unknown option --epochs", "--epochs", "3");
        assertMessage("unknown seed model 'resnet'", "--model", "resnet");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmupBench.run(List.of(args)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static String captured(Runnable run) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
