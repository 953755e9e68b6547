package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code myelin bench attention} reaches AttentionBench with its options (no timing here). */
class BenchAttentionCommandTest {
    @Test
    void listPrintsAnEncoderRowPerBatchAndSequenceLength() {
        PrintStream saved = System.out;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            status = Main.run(new String[] {"bench", "attention", "--list", "--batch", "8,32", "--seq", "256"},
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("encoder B8 T256 d128 h4 ff512", "encoder B32 T256 d128 h4 ff512"),
                out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void theKernelRowsComeWithKernels() {
        PrintStream saved = System.out;
        var out = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            status = Main.run(new String[] {"bench", "attention", "--list", "--kernels", "--case", "attention causal"}, System.err);
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, status);
        assertEquals(List.of("attention causal B1 H4 T2048 D32"), out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void aNonPositiveSequenceLengthIsBadInput() {
        PrintStream savedErr = System.err;
        var err = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(ps);
            status = Main.run(new String[] {"bench", "attention", "--seq", "0"}, ps);
        } finally {
            System.setErr(savedErr);
        }
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--seq"), err.toString(StandardCharsets.UTF_8));
    }
}
