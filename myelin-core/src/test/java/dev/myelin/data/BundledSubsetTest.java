package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Fashion-MNIST subset in {@code data/fashion-mnist-subset} at the repository root. */
class BundledSubsetTest {

    /** Walks up from the working directory (myelin-core under Maven) to the folder holding the subset. */
    static Path subsetDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data/fashion-mnist-subset");
            if (Files.isDirectory(d)) return d;
        }
        return null;
    }

    @Test
    void loadsWithExpectedCountsAndLabels() throws IOException {
        Path dir = subsetDir();
        assertNotNull(dir, "data/fashion-mnist-subset not found above " + Path.of("").toAbsolutePath());
        TrainTest d = FashionMnist.load(dir);
        assertEquals(10_000, d.train().size());
        assertEquals(2_000, d.test().size());
        assertEquals(Shape.of(10_000, 28, 28, 1), d.train().xShape());
        assertEquals(Shape.of(2_000, 28, 28, 1), d.test().xShape());
        for (Dataset part : new Dataset[] {d.train(), d.test()}) {
            int[] perClass = new int[10];
            for (float y : part.yData()) {
                assertTrue(y >= 0 && y <= 9 && y == Math.rint(y), "label " + y);
                perClass[(int) y]++;
            }
            for (int c = 0; c < 10; c++) {
                // roughly balanced: the first samples of a balanced set (README: 942..1027 and 188..219)
                assertTrue(perClass[c] > part.size() / 10 * 0.8, "class " + c + " has " + perClass[c]);
            }
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (float v : part.xData()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(0f, min);
            assertEquals(255f, max);
        }
    }

    /** Mapping as the files are read gives exactly Normalization.apply's values; the labels and the raw load are untouched. */
    @Test
    void loadWithNormalizationMatchesApplyingItAfterwards() throws IOException {
        Path dir = subsetDir();
        assertNotNull(dir, "data/fashion-mnist-subset not found above " + Path.of("").toAbsolutePath());
        Normalization map = Normalization.scale(1 / 127.5, -1); // pixels to [-1, 1]: an offset too, not only a factor
        TrainTest raw = FashionMnist.load(dir);
        TrainTest mapped = FashionMnist.load(dir, map);
        Dataset[] rawParts = {raw.train(), raw.test()}, mappedParts = {mapped.train(), mapped.test()};
        for (int i = 0; i < 2; i++) {
            Dataset expected = map.apply(rawParts[i]);
            assertEquals(expected.xShape(), mappedParts[i].xShape());
            assertArrayEquals(expected.xData(), mappedParts[i].xData()); // bit for bit
            assertArrayEquals(rawParts[i].yData(), mappedParts[i].yData());
            assertNotSame(rawParts[i].xData(), mappedParts[i].xData());
        }
        assertEquals(-1f, mapped.train().xData()[0]); // the first pixel of the first image is 0 (raw) before the map
        assertEquals(0f, raw.train().xData()[0]);
        TrainTest none = MnistFormat.load(dir, null);
        assertArrayEquals(raw.train().xData(), none.train().xData());
    }

    /** A per-channel map fitted on 3 channels cannot apply to 1-channel images: the error says which counts differ. */
    @Test
    void loadWithAMapOfTheWrongChannelCountNamesBoth() {
        Path dir = subsetDir();
        assertNotNull(dir);
        Normalization rgb = Normalization.standardize(new double[] {0.5, 0.5, 0.5}, new double[] {0.2, 0.2, 0.2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir, rgb));
        assertTrue(e.getMessage().contains("fitted on 3 channels") && e.getMessage().contains("is 1"), e.getMessage());
    }
}
