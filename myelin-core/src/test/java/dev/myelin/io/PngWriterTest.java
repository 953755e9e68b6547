package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngWriterTest {
    @TempDir
    Path dir;

    private static int grey(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFF;
    }

    @Test
    void greyImageMapsTheRange() throws IOException {
        Tensor img = Tensor.of(new float[] {-1, 0, 1, 2, -5, Float.NaN}, 2, 3);
        Path f = dir.resolve("sub/grey.png");
        PngWriter.write(img, -1, 1, f);
        BufferedImage back = ImageIO.read(f.toFile());
        assertEquals(3, back.getWidth());
        assertEquals(2, back.getHeight());
        int[] expected = {0, 128, 255, 255, 0, 0};
        for (int i = 0; i < 6; i++) assertEquals(expected[i], grey(back, i % 3, i / 3), "pixel " + i);
        try (Stream<Path> files = Files.list(f.getParent())) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void rgbImage() throws IOException {
        Tensor img = Tensor.of(new float[] {1, 0, 0, 0, 1, 0.5f}, 1, 2, 3);
        Path f = dir.resolve("rgb.png");
        PngWriter.write(img, 0, 1, f);
        BufferedImage back = ImageIO.read(f.toFile());
        assertEquals(0xFF0000, back.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF80, back.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void batchBecomesAGrid() throws IOException {
        float[] v = new float[5 * 2 * 2];
        for (int i = 0; i < 5; i++) for (int p = 0; p < 4; p++) v[i * 4 + p] = i * 50;
        Path f = dir.resolve("grid.png");
        PngWriter.writeGrid(Tensor.of(v, 5, 2, 2, 1), 3, 0, 255, 2, f);
        BufferedImage back = ImageIO.read(f.toFile());
        // 3 columns, 2 rows of 4x4 tiles (scale 2) with 2-pixel borders
        assertEquals(3 * 6 + 2, back.getWidth());
        assertEquals(2 * 6 + 2, back.getHeight());
        assertEquals(128, grey(back, 0, 0), "border");
        assertEquals(0, grey(back, 2, 2), "tile 0");
        assertEquals(100, grey(back, 2 + 2 * 6 + 3, 2 + 3), "tile 2, last pixel");
        assertEquals(150, grey(back, 2, 2 + 6), "tile 3 starts the second row");
        assertEquals(128, grey(back, 2 + 2 * 6, 2 + 6), "no tile 5: border grey");
    }

    @Test
    void wrongRankOrChannelsIsAClearError() {
        var rank1 = assertThrows(IllegalArgumentException.class, () -> PngWriter.write(Tensor.zeros(784), -1, 1, dir.resolve("x.png")));
        assertTrue(rank1.getMessage().contains("rank 1") && rank1.getMessage().contains("[784]"), rank1.getMessage());
        var rank5 = assertThrows(IllegalArgumentException.class, () -> PngWriter.write(Tensor.zeros(1, 2, 2, 2, 1), -1, 1, dir.resolve("x.png")));
        assertTrue(rank5.getMessage().contains("rank 5"), rank5.getMessage());
        var channels = assertThrows(IllegalArgumentException.class, () -> PngWriter.write(Tensor.zeros(4, 4, 2), 0, 1, dir.resolve("x.png")));
        assertTrue(channels.getMessage().contains("1 (grey) or 3 (RGB)") && channels.getMessage().contains("got 2"), channels.getMessage());
        var range = assertThrows(IllegalArgumentException.class, () -> PngWriter.write(Tensor.zeros(4, 4), 1, 1, dir.resolve("x.png")));
        assertTrue(range.getMessage().contains("low < high"), range.getMessage());
    }

    @Test
    void unwritableFolderIsAClearError() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path target = file.resolve("samples.png"); // its "folder" is a regular file: cannot be created, even by root
        var e = assertThrows(IOException.class, () -> PngWriter.write(Tensor.zeros(4, 4), 0, 1, target));
        assertTrue(e.getMessage().contains("cannot write " + target) && e.getMessage().contains("cannot be created"), e.getMessage());
    }
}
