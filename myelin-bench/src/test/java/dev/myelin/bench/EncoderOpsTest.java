package dev.myelin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench attention --ops}: every operation of the encoder's pass gets a row, the products with their GFLOPS. */
class EncoderOpsTest {
    @Test
    void printsARowPerOperationAndTheWholePass() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int status;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            status = AttentionBench.run(List.of("--ops", "--batch", "2", "--seq", "8", "--threads", "1", "--warmup", "0", "--chunks", "1", "--chunk", "0.001"));
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, status);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).startsWith("encoder B2 T8 d128 h4 ff512, 1 threads"), lines.get(0));
        // the 12 products: forward, input gradient and weight gradient of the 4 dense projections, each with a GFLOPS figure
        for (String kind : List.of("fwd  ", "dX   ", "dW   ")) {
            for (String proj : List.of("qkv", "out", "ff1", "ff2")) {
                String row = lines.stream().filter(l -> l.startsWith(kind + proj)).findFirst().orElseThrow(() -> new AssertionError(kind + proj + " in " + lines));
                // ms and GFLOPS with a fresh output, then with a pooled one, then the pooled ms per pass
                assertTrue(row.matches(".*\\s\\d+\\.\\d{3}\\s+\\d+\\.\\d\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d\\s+\\d+\\.\\d{3}$"), row);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("fwd  qkv  [16x128]·[128x384]+b")), "the product rows name their shapes: " + lines);
        for (String part : List.of("self-attention forward + backward", "layer norm forward + backward", "relu gradient", "sum of the parts",
                "the layer's forward + backward (step scope)")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(part)), part + " in " + lines);
        }
    }
}
