package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code myelin bench layers} reaches LayerBench with its options (the timing itself is tested in myelin-bench). */
class BenchLayersCommandTest {
    @Test
    void listWithACasePrefixPrintsTheMatchingRows() {
        PrintStream saved = System.out;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            status = Main.run(new String[] {"bench", "layers", "--list", "--case", "dense B128"}, new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("dense B128 784 -> 128", "dense B128 512 -> 512", "dense B128 1024 -> 1024", "dense B128 128 -> 10"),
                out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void anUnknownCaseIsBadInput() {
        PrintStream savedErr = System.err;
        var err = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(ps);
            status = Main.run(new String[] {"bench", "layers", "--case", "no such layer"}, ps);
        } finally {
            System.setErr(savedErr);
        }
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such layer"), err.toString(StandardCharsets.UTF_8));
    }
}
