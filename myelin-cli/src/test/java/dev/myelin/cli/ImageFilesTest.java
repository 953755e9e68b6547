package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    @Test
    void geometryOfImageInputs() {
        assertEquals(new ImageFiles.Geometry(28, 28, 1), ImageFiles.geometry(new int[] {28, 28, 1}, "m"));
        assertEquals(new ImageFiles.Geometry(32, 32, 3), ImageFiles.geometry(new int[] {32, 32, 3}, "m"));
        assertEquals(new ImageFiles.Geometry(28, 28, 1), ImageFiles.geometry(new int[] {28, 28}, "m"), "rows of a sequence");
        assertEquals(new ImageFiles.Geometry(28, 28, 1), ImageFiles.geometry(new int[] {784}, "m"));
        assertEquals(new ImageFiles.Geometry(32, 32, 3), ImageFiles.geometry(new int[] {3072}, "m"));
        var e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.geometry(new int[] {10}, "model 'x'"));
        assertTrue(e.getMessage().startsWith("model 'x' takes inputs of shape [10], which are not images"), e.getMessage());
    }

    @Test
    void readsRgbAndGreyPixelsExactly(@TempDir Path dir) throws IOException {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x102030);
        rgb.setRGB(1, 0, 0xff0080);
        Path colour = dir.resolve("c.png");
        ImageIO.write(rgb, "png", colour.toFile());
        assertArrayEquals(new float[] {16, 32, 48, 255, 0, 128},
                ImageFiles.read(List.of(colour), new ImageFiles.Geometry(1, 2, 3)).toFloatArray());
        float[] grey = ImageFiles.read(List.of(colour), new ImageFiles.Geometry(1, 2, 1)).toFloatArray();
        assertEquals(0.299f * 16 + 0.587f * 32 + 0.114f * 48, grey[0], 1e-4);

        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(0, 0, 0, 7);
        g.getRaster().setSample(1, 0, 0, 200);
        Path greyFile = dir.resolve("g.png");
        ImageIO.write(g, "png", greyFile.toFile());
        assertArrayEquals(new float[] {7, 200}, ImageFiles.read(List.of(greyFile), new ImageFiles.Geometry(1, 2, 1)).toFloatArray(),
                "the stored grey levels, not gamma-converted ones");
        assertArrayEquals(new float[] {7, 7, 7, 200, 200, 200}, ImageFiles.read(List.of(greyFile), new ImageFiles.Geometry(1, 2, 3)).toFloatArray());
    }

    @Test
    void truncatedPngIsNamed(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Path full = dir.resolve("full.png");
        ImageIO.write(img, "png", full.toFile());
        byte[] bytes = Files.readAllBytes(full);
        Path cut = Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(bytes, 40));
        var e = assertThrows(IOException.class, () -> ImageFiles.read(List.of(cut), new ImageFiles.Geometry(28, 28, 1)));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }
}
