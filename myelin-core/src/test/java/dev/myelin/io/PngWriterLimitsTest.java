package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scale factors and grid sizes that would overflow an int or the heap: refused before allocating. */
class PngWriterLimitsTest {
    @TempDir Path dir;

    @Test
    void hugeScaleIsRefusedNamingTheSize() {
        var ex = assertThrows(IllegalArgumentException.class, () -> PngWriter.toImage(Tensor.zeros(28, 28), 0, 1, 100_000_000));
        assertTrue(ex.getMessage().contains("2800000000 × 2800000000") && ex.getMessage().contains("scale"), ex.getMessage());
    }

    @Test
    void scaleThatOverflowsIntIsRefused() {
        // 28 × 80,000,000 wraps around in int arithmetic
        var ex = assertThrows(IllegalArgumentException.class, () -> PngWriter.toGrid(Tensor.zeros(4, 28, 28, 1), 2, 0, 1, 80_000_000));
        assertTrue(ex.getMessage().startsWith("PngWriter: the image would be"), ex.getMessage());
    }

    @Test
    void ordinaryGridsStillWork() throws Exception {
        PngWriter.writeGrid(Tensor.zeros(64, 28, 28, 1), 8, 0, 1, 2, dir.resolve("grid.png"));
        assertTrue(java.nio.file.Files.size(dir.resolve("grid.png")) > 0);
    }
}
