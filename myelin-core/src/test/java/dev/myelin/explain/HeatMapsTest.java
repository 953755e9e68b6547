package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Colour maps, heat-map scaling and overlay, the PNG grid, and the token HTML. */
class HeatMapsTest {
    @TempDir
    Path dir;

    @Test
    void colourMapsRunFromTheirFirstToTheirLastAnchorWithRisingLightness() {
        assertAllClose(ColorMap.VIRIDIS.rgb(0), new double[] {0x44 / 255.0, 0x01 / 255.0, 0x54 / 255.0}, 0, 1e-12);
        assertAllClose(ColorMap.VIRIDIS.rgb(1), new double[] {0xfd / 255.0, 0xe7 / 255.0, 0x25 / 255.0}, 0, 1e-12);
        assertAllClose(ColorMap.INFERNO.rgb(-3), ColorMap.INFERNO.rgb(0), 0, 0);
        assertAllClose(ColorMap.INFERNO.rgb(Double.NaN), ColorMap.INFERNO.rgb(0), 0, 0);
        // halfway between the anchors at 0 and 1/8
        assertAllClose(ColorMap.VIRIDIS.rgb(1 / 16.0), new double[] {(0x44 + 0x48) / 510.0, (0x01 + 0x28) / 510.0, (0x54 + 0x78) / 510.0}, 0, 1e-12);
        for (ColorMap map : ColorMap.values()) {
            double last = -1;
            for (int i = 0; i <= 32; i++) {
                double[] c = map.rgb(i / 32.0);
                double luma = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
                assertTrue(luma > last, map + " lightness rises at " + i);
                last = luma;
            }
        }
    }

    @Test
    void normalizeSumsAbsoluteChannelsAndClipsAtThe99thPercentile() {
        float[] v = new float[200 * 2];
        for (int p = 0; p < 200; p++) {
            v[2 * p] = p;
            v[2 * p + 1] = -p; // |p| + |−p| = 2p
        }
        v[2 * 199] = 1e6f; // an outlier
        Tensor heat = HeatMaps.normalize(Tensor.of(v, 1, 10, 20, 2));
        float[] h = heat.toFloatArray();
        // the 99th percentile of 200 values is the 198th smallest: 2·197 = 394
        assertEquals(0, h[0], 0);
        assertEquals(100 / 394.0, h[50], 1e-6);
        assertEquals(1, h[197], 0);
        assertEquals(1, h[199], 0);
        assertAllClose(HeatMaps.normalize(Tensor.zeros(2, 3, 3, 1)).toFloatArray(), new float[18], 0, 0);
    }

    @Test
    void overlayBlendsTheImageWithTheColourOfItsHeat() {
        Tensor image = Tensor.of(new float[] {0, 255, 127.5f, 255}, 1, 2, 2, 1);
        Tensor heat = Tensor.of(new float[] {1, 0, 0.5f, 1}, 1, 2, 2);
        float[] out = HeatMaps.overlay(image, 0, 255, heat, ColorMap.INFERNO, 0.25).toFloatArray();
        double[] hot = ColorMap.INFERNO.rgb(1), cold = ColorMap.INFERNO.rgb(0);
        for (int c = 0; c < 3; c++) {
            assertEquals(0.25 * hot[c], out[c], 1e-6);
            assertEquals(0.75 + 0.25 * cold[c], out[3 + c], 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> HeatMaps.overlay(image, 0, 255, Tensor.zeros(1, 3, 2), ColorMap.VIRIDIS, 0.5));
    }

    @Test
    void theGridHasARowPerImageAndAColumnPerMethodPlusTheImage() throws Exception {
        Tensor images = Tensor.rand(ExplainModels.rng(1), 3, 5, 4, 1);
        Tensor a = Tensor.rand(ExplainModels.rng(2), 3, 5, 4, 1), b = Tensor.rand(ExplainModels.rng(3), 3, 5, 4, 2);
        Path file = dir.resolve("grid.png");
        HeatMaps.writeGrid(images, 0, 1, List.of(a, b), ColorMap.VIRIDIS, 0.5, 2, file);
        BufferedImage png = ImageIO.read(file.toFile());
        assertEquals(3 * (4 * 2 + 2) + 2, png.getWidth()); // PngWriter: tiles with a 2-pixel border
        assertEquals(3 * (5 * 2 + 2) + 2, png.getHeight());
        int grey = (int) Math.round(255 * images.get(0, 0, 0, 0));
        assertEquals(grey << 16 | grey << 8 | grey, png.getRGB(2, 2) & 0xffffff, "the first column is the image itself");
    }

    @Test
    void tokensAreEscapedAndColouredBySignAndSize() {
        String html = TokenHtml.of(List.of("<b>", "a&b", "\"q'"), new double[] {2, -1, 0});
        assertFalse(html.contains("<b>"), html);
        assertTrue(html.contains("&lt;b&gt;") && html.contains("a&amp;b") && html.contains("&quot;q&#39;"), html);
        assertTrue(html.contains("rgba(220,38,38,1.000)"), "the largest positive token is fully red: " + html);
        assertTrue(html.contains("rgba(37,99,235,0.500)"), "a negative token half as large is half-opaque blue: " + html);
        assertThrows(IllegalArgumentException.class, () -> TokenHtml.of(List.of("a"), new double[2]));
    }
}
