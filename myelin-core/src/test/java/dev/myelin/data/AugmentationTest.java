package dev.myelin.data;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    static RandomGenerator rng(long seed) {
        return Permutations.generator(seed);
    }

    /** [b, h, w, c] with distinct values 1, 2, 3, ... (row-major). */
    static Tensor counting(int b, int h, int w, int c) {
        float[] v = new float[b * h * w * c];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        return Tensor.of(v, b, h, w, c);
    }

    static final List<Augmentation> ALL = List.of(
            RandomFlip.both(), RandomCrop.padded(2), new RandomCrop(3, 4, 1), RandomRotation.of(0.2),
            RandomTranslation.of(0.3, 0.2), Augmentation.compose(RandomFlip.horizontal(), RandomCrop.padded(1)));

    // ---- flip ----

    @Test
    void flipMatchesHandCaseAndKeepsChannelsTogether() {
        // one 2x3 image with 2 channels: pixel (r, c) = [10r + c, -(10r + c)]
        float[] v = new float[12];
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++) {
                v[(r * 3 + c) * 2] = 10 * r + c;
                v[(r * 3 + c) * 2 + 1] = -(10 * r + c);
            }
        Tensor x = Tensor.of(v, 1, 2, 3, 2);
        assertArrayEquals(new float[] {2, -2, 1, -1, 0, 0, 12, -12, 11, -11, 10, -10},
                RandomFlip.flip(x, true, false).toFloatArray());
        assertArrayEquals(new float[] {10, -10, 11, -11, 12, -12, 0, 0, 1, -1, 2, -2},
                RandomFlip.flip(x, false, true).toFloatArray());
        assertArrayEquals(new float[] {12, -12, 11, -11, 10, -10, 2, -2, 1, -1, 0, 0},
                RandomFlip.flip(x, true, true).toFloatArray());
    }

    @Test
    void flipTwiceIsIdentity() {
        Tensor x = counting(5, 3, 4, 2);
        for (boolean h : new boolean[] {false, true})
            for (boolean v : new boolean[] {false, true})
                assertArrayEquals(x.toFloatArray(), RandomFlip.flip(RandomFlip.flip(x, h, v), h, v).toFloatArray());
        // the random flip draws the same decisions from the same seed, whatever the pixels
        RandomFlip f = RandomFlip.both();
        assertArrayEquals(x.toFloatArray(), f.apply(f.apply(x, rng(3)), rng(3)).toFloatArray());
    }

    @Test
    void randomFlipFlipsSomeImagesAndLeavesOthers() {
        Tensor x = counting(40, 2, 2, 1);
        float[] out = RandomFlip.horizontal().apply(x, rng(1)).toFloatArray();
        float[] flipped = RandomFlip.flip(x, true, false).toFloatArray(), in = x.toFloatArray();
        int same = 0, mirrored = 0;
        for (int i = 0; i < 40; i++) {
            float[] o = Arrays.copyOfRange(out, 4 * i, 4 * i + 4);
            if (Arrays.equals(o, Arrays.copyOfRange(in, 4 * i, 4 * i + 4))) same++;
            else if (Arrays.equals(o, Arrays.copyOfRange(flipped, 4 * i, 4 * i + 4))) mirrored++;
        }
        assertEquals(40, same + mirrored);
        assertTrue(same > 5 && mirrored > 5, same + " kept, " + mirrored + " flipped");
    }

    // ---- crop ----

    @Test
    void cropWithoutPaddingToTheSameSizeIsIdentity() {
        Tensor x = counting(3, 5, 4, 2);
        assertArrayEquals(x.toFloatArray(), RandomCrop.padded(0).apply(x, rng(0)).toFloatArray());
        assertArrayEquals(x.toFloatArray(), new RandomCrop(5, 4, 0).apply(x, rng(0)).toFloatArray());
    }

    @Test
    void cropKeepsShapeAndTakesAWindowOfThePaddedImage() {
        int b = 30, h = 4, w = 5, c = 2, p = 2;
        Tensor x = counting(b, h, w, c);
        Tensor out = RandomCrop.padded(p).apply(x, rng(7));
        assertEquals(x.shape(), out.shape());
        Tensor padded = x.pad(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}, 0);
        Set<String> offsets = new HashSet<>();
        for (int i = 0; i < b; i++) {
            Tensor o = out.slice(0, i, i + 1);
            String found = null;
            for (int dy = 0; dy <= 2 * p && found == null; dy++)
                for (int dx = 0; dx <= 2 * p && found == null; dx++) {
                    Tensor win = padded.slice(0, i, i + 1).slice(1, dy, dy + h).slice(2, dx, dx + w);
                    if (Arrays.equals(win.toFloatArray(), o.toFloatArray())) found = dy + "," + dx;
                }
            assertTrue(found != null, "image " + i + " is no window of the padded image");
            offsets.add(found);
        }
        assertTrue(offsets.size() > 5, "offsets drawn: " + offsets);
    }

    @Test
    void cropToASmallerSizeAndTooLargeACrop() {
        Tensor out = new RandomCrop(3, 4, 1).apply(counting(2, 5, 5, 3), rng(1));
        assertEquals(Shape.of(2, 3, 4, 3), out.shape());
        var ex = assertThrows(IllegalArgumentException.class, () -> new RandomCrop(8, 2, 1).apply(counting(1, 5, 5, 1), rng(1)));
        assertTrue(ex.getMessage().contains("8x2"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(1, 1, -1));
    }

    // ---- rotation ----

    @Test
    void rotationByZeroIsIdentity() {
        Tensor x = counting(2, 5, 4, 3);
        assertArrayEquals(x.toFloatArray(), new RandomRotation(0, 0).apply(x, rng(0)).toFloatArray());
    }

    @Test
    void rotationBy90DegreesIsRot90() {
        for (int n : new int[] {3, 4}) {
            Tensor x = counting(1, n, n, 2);
            float[] in = x.toFloatArray(), ccw = new float[in.length], cw = new float[in.length];
            for (int y = 0; y < n; y++)
                for (int xx = 0; xx < n; xx++)
                    for (int ch = 0; ch < 2; ch++) {
                        // counter-clockwise (numpy.rot90): out[y][x] = in[x][n-1-y]; clockwise: out[y][x] = in[n-1-x][y]
                        ccw[(y * n + xx) * 2 + ch] = in[(xx * n + (n - 1 - y)) * 2 + ch];
                        cw[(y * n + xx) * 2 + ch] = in[((n - 1 - xx) * n + y) * 2 + ch];
                    }
            assertAllClose(new RandomRotation(0.25, 0.25).apply(x, rng(0)), Tensor.of(ccw, 1, n, n, 2), 1e-5, 1e-4);
            assertAllClose(new RandomRotation(-0.25, -0.25).apply(x, rng(0)), Tensor.of(cw, 1, n, n, 2), 1e-5, 1e-4);
            assertAllClose(new RandomRotation(0.5, 0.5).apply(x, rng(0)), RandomFlip.flip(x, true, true), 1e-5, 1e-4);
        }
    }

    @Test
    void rotationFillsCornersWithZero() {
        Tensor ones = Tensor.ones(1, 8, 8, 1);
        float[] out = new RandomRotation(0.125, 0.125).apply(ones, rng(0)).toFloatArray(); // 45 degrees
        assertEquals(0f, out[0]);              // a corner comes from outside the image
        assertEquals(1f, out[4 * 8 + 4], 1e-6); // the centre stays
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(0.2, 0.1));
    }

    // ---- translation ----

    @Test
    void translationShiftsAHandCase() {
        Tensor x = counting(1, 4, 4, 1); // rows 1..4, 5..8, 9..12, 13..16
        // down by 0.25 * 4 = 1 row
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                new RandomTranslation(0.25, 0.25, 0, 0).apply(x, rng(0)).toFloatArray());
        // left by 0.5 * 4 = 2 columns
        assertArrayEquals(new float[] {3, 4, 0, 0, 7, 8, 0, 0, 11, 12, 0, 0, 15, 16, 0, 0},
                new RandomTranslation(0, 0, -0.5, -0.5).apply(x, rng(0)).toFloatArray());
        // right by half a pixel: bilinear mean of the two neighbours, 0 coming in from the left
        float[] half = new RandomTranslation(0, 0, 0.125, 0.125).apply(x, rng(0)).toFloatArray();
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, Arrays.copyOf(half, 4));
        assertArrayEquals(x.toFloatArray(), new RandomTranslation(0, 0, 0, 0).apply(x, rng(0)).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> RandomTranslation.of(1.5, 0));
    }

    // ---- all ----

    @Test
    void deterministicPerSeedAndVaryingAcrossSeeds() {
        Tensor x = counting(6, 8, 8, 3);
        for (Augmentation a : ALL) {
            float[] one = a.apply(x, rng(5)).toFloatArray();
            assertArrayEquals(one, a.apply(x, rng(5)).toFloatArray(), a.toString());
            assertFalse(Arrays.equals(one, a.apply(x, rng(6)).toFloatArray()), a + " gives the same output for seeds 5 and 6");
            assertArrayEquals(counting(6, 8, 8, 3).toFloatArray(), x.toFloatArray(), a + " changed its input");
        }
    }

    @Test
    void composeAppliesInOrder() {
        Augmentation plusOne = (t, r) -> t.add(1);
        Augmentation twice = (t, r) -> t.mul(2);
        Tensor x = Tensor.zeros(1, 1, 1, 1);
        assertEquals(2.0, Augmentation.compose(plusOne, twice).apply(x, rng(0)).item());
        assertEquals(1.0, twice.andThen(plusOne).apply(x, rng(0)).item());
    }

    @Test
    void rejectsTensorsThatAreNotImageBatches() {
        for (Augmentation a : ALL.subList(0, 5)) {
            var ex = assertThrows(IllegalArgumentException.class, () -> a.apply(Tensor.zeros(4, 4, 1), rng(0)));
            assertTrue(ex.getMessage().contains("[batch, height, width, channels]"), ex.getMessage());
        }
    }
}
