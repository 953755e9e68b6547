package dev.myelin.data;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.RandAugment.Op;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** RandomZoom, RandomContrast, RandomBrightness, RandomErasing and RandAugment against hand-computed cases. */
class ImageStagesTest {

    static RandomGenerator rng(long seed) {
        return Permutations.generator(seed);
    }

    static Tensor row(float... v) {
        return Tensor.of(v, 1, 1, v.length, 1);
    }

    static final List<Augmentation> ALL = List.of(
            RandomZoom.of(0.3), RandomZoom.of(0.2, 0.4).fill(FillMode.WRAP, 0), RandomContrast.of(0.5), RandomBrightness.of(0.3),
            RandomErasing.of(0.7), RandAugment.of(2, 9), RandAugment.of(3, 20).valueRange(-1, 1));

    // ---- zoom ----

    /** A fixed horizontal zoom, no vertical zoom: {@code [0, 0]} height range, {@code [f, f]} width range. */
    static RandomZoom widthZoom(double f, FillMode mode, float fill) {
        return new RandomZoom(0, 0, f, f, false, mode, Interpolation.BILINEAR, fill);
    }

    @Test
    void zoomInReadsBetweenPixels() {
        // zx = 0.5 about the centre (1): pixel x reads 0.5x + 0.5, i.e. 0.5, 1, 1.5
        Tensor out = widthZoom(-0.5, FillMode.REFLECT, 0).apply(row(0, 10, 20), rng(1));
        assertArrayEquals(new float[] {5, 10, 15}, out.toFloatArray(), 1e-5f);
    }

    @Test
    void zoomOutFillsByEachFillMode() {
        // zx = 2 about the centre 1.5: pixel x reads 2x - 1.5 = -1.5, 0.5, 2.5, 4.5 of [1, 2, 3, 4]
        Tensor x = row(1, 2, 3, 4);
        assertArrayEquals(new float[] {1.5f, 1.5f, 3.5f, 3.5f}, widthZoom(1, FillMode.REFLECT, 0).apply(x, rng(1)).toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {9, 1.5f, 3.5f, 9}, widthZoom(1, FillMode.CONSTANT, 9).apply(x, rng(1)).toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {3.5f, 1.5f, 3.5f, 1.5f}, widthZoom(1, FillMode.WRAP, 0).apply(x, rng(1)).toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {1, 1.5f, 3.5f, 4}, widthZoom(1, FillMode.NEAREST, 0).apply(x, rng(1)).toFloatArray(), 1e-5f);
        // nearest pixel after reflecting: 0.5 and 2.5 round away from zero to 1 and 3
        RandomZoom nearest = widthZoom(1, FillMode.REFLECT, 0).interpolation(Interpolation.NEAREST);
        assertArrayEquals(new float[] {2, 2, 4, 4}, nearest.apply(x, rng(1)).toFloatArray());
    }

    @Test
    void zoomByOneIsIdentityAndFillModesMapAsTensorFlow() {
        Tensor x = AugmentationTest.counting(2, 5, 4, 3);
        for (FillMode m : FillMode.values()) assertArrayEquals(x.toFloatArray(), RandomZoom.of(0).fill(m, 3).apply(x, rng(2)).toFloatArray());
        // TensorFlow's map_coordinate: reflect (d c b a | a b c d | d c b a), wrap, nearest
        assertEquals(0.5, FillMode.REFLECT.map(-1.5, 4), 1e-12);
        assertEquals(3, FillMode.REFLECT.map(-5, 4), 1e-12);
        assertEquals(2.5, FillMode.REFLECT.map(4.5, 4), 1e-12);
        assertEquals(0.5, FillMode.REFLECT.map(8.5, 4), 1e-12);
        assertEquals(2.5, FillMode.WRAP.map(-1.5, 4), 1e-12);
        assertEquals(0.5, FillMode.WRAP.map(4.5, 4), 1e-12);
        assertEquals(3, FillMode.NEAREST.map(7, 4), 1e-12);
        assertEquals(-7, FillMode.CONSTANT.map(-7, 4), 1e-12);
    }

    @Test
    void zoomDrawsOneFactorPerImageOrTwoAsDocumented() {
        Tensor x = AugmentationTest.counting(3, 6, 5, 2);
        RandomZoom same = RandomZoom.of(0.4);
        RandomGenerator r = rng(5);
        Tensor out = same.apply(x, rng(5));
        for (int i = 0; i < 3; i++) {
            double z = 1 - 0.4 + 0.8 * r.nextDouble();
            assertArrayEquals(same.zoom(x.slice(0, i, i + 1), z, z).toFloatArray(), out.slice(0, i, i + 1).toFloatArray());
        }
        RandomZoom both = RandomZoom.of(-0.3, -0.1, 0.2, 0.5);
        r = rng(6);
        out = both.apply(x, rng(6));
        for (int i = 0; i < 3; i++) {
            double zy = 1 - 0.3 + 0.2 * r.nextDouble(), zx = 1.2 + 0.3 * r.nextDouble();
            assertArrayEquals(both.zoom(x.slice(0, i, i + 1), zx, zy).toFloatArray(), out.slice(0, i, i + 1).toFloatArray());
        }
    }

    // ---- contrast, brightness ----

    @Test
    void contrastScalesAboutEachChannelsMeanAndClips() {
        // channel 0: [0, 10, 20, 30], mean 15; channel 1 constant 100 (unchanged by any factor)
        Tensor x = Tensor.of(new float[] {0, 100, 10, 100, 20, 100, 30, 100}, 1, 2, 2, 2);
        assertArrayEquals(new float[] {0, 40, 5, 40, 25, 40, 40, 40}, RandomContrast.adjust(x, new double[] {2}, 0, 40).toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {-15, 100, 5, 100, 25, 100, 45, 100}, RandomContrast.adjust(x, new double[] {2}, -100, 100).toFloatArray(), 1e-5f);
        // the random stage draws f = 1 - lower + (lower + upper) u per image
        Tensor batch = AugmentationTest.counting(4, 3, 3, 2);
        RandomContrast c = new RandomContrast(0.5, 0.2, 0, 100);
        RandomGenerator r = rng(3);
        double[] f = new double[4];
        for (int i = 0; i < 4; i++) f[i] = 0.5 + 0.7 * r.nextDouble();
        assertArrayEquals(RandomContrast.adjust(batch, f, 0, 100).toFloatArray(), c.apply(batch, rng(3)).toFloatArray());
    }

    @Test
    void brightnessAddsAShareOfTheRangeAndClips() {
        Tensor x = row(0, 100, 250);
        assertArrayEquals(new float[] {25.5f, 125.5f, 255}, new RandomBrightness(0.1, 0.1, 0, 255).apply(x, rng(1)).toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {0, 0.3f, 0.8f}, new RandomBrightness(-0.2, -0.2, 0, 1).apply(row(0.1f, 0.5f, 1f), rng(1)).toFloatArray(), 1e-6f);
        Tensor batch = AugmentationTest.counting(5, 2, 2, 1);
        RandomGenerator r = rng(4);
        double[] s = new double[5];
        for (int i = 0; i < 5; i++) s[i] = (-0.3 + 0.6 * r.nextDouble()) * 255;
        assertArrayEquals(RandomBrightness.shift(batch, s, 0, 255).toFloatArray(), RandomBrightness.of(0.3).apply(batch, rng(4)).toFloatArray());
    }

    // ---- erasing ----

    @Test
    void erasingBlanksOneBoxOfTheDrawnSize() {
        // 3x3, area fraction 4/9 and ratio 1: a 2x2 box at one of four places
        float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        RandomErasing e = new RandomErasing(1, 4 / 9.0, 4 / 9.0, 1, 1, -1);
        java.util.Set<String> places = new java.util.HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            float[] out = e.apply(Tensor.of(in, 1, 3, 3, 1), rng(seed)).toFloatArray();
            int top = -1, left = -1;
            for (int k = 0; k < 9 && top < 0; k++) if (out[k] == -1) { top = k / 3; left = k % 3; }
            assertTrue(top >= 0 && top <= 1 && left <= 1, Arrays.toString(out));
            for (int k = 0; k < 9; k++) {
                boolean inBox = k / 3 >= top && k / 3 < top + 2 && k % 3 >= left && k % 3 < left + 2;
                assertEquals(inBox ? -1 : in[k], out[k], "seed " + seed + ": " + Arrays.toString(out));
            }
            places.add(top + "," + left);
        }
        assertEquals(4, places.size(), places.toString());
        // p = 0 never erases; a box that never fits (the whole image) leaves it unchanged
        assertArrayEquals(in, RandomErasing.of(0).apply(Tensor.of(in, 1, 3, 3, 1), rng(1)).toFloatArray());
        assertArrayEquals(in, new RandomErasing(1, 1, 1, 1, 1, 0).apply(Tensor.of(in, 1, 3, 3, 1), rng(1)).toFloatArray());
    }

    @Test
    void erasingHitsAboutASharePOfTheImagesWithEveryChannel() {
        Tensor x = Tensor.full(dev.myelin.backend.DType.FLOAT32, dev.myelin.tensor.Shape.of(400, 28, 28, 3), 1.0);
        float[] out = RandomErasing.of(0.5).apply(x, rng(9)).toFloatArray();
        int erased = 0;
        for (int i = 0; i < 400; i++) {
            int zeros = 0;
            for (int k = i * 2352; k < (i + 1) * 2352; k++) if (out[k] == 0) zeros++;
            assertEquals(0, zeros % 3, "whole pixels are erased");
            if (zeros > 0) erased++;
            assertTrue(zeros <= 0.34 * 2352 + 3 * 28, "at most about 33% of the area: " + zeros);
        }
        assertTrue(erased > 160 && erased < 240, erased + " of 400 erased");
    }

    // ---- RandAugment ----

    @Test
    void randAugmentOperationsMatchHandCases() {
        RandAugment ra = RandAugment.of(1, 9);
        Tensor x = row(0, 100, 200, 255);
        assertArrayEquals(x.toFloatArray(), ra.apply(Op.IDENTITY, 1, x).toFloatArray());
        assertArrayEquals(new float[] {0, 100, 55, 0}, ra.apply(Op.SOLARIZE, 0.5, x).toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {0, 96, 192, 240}, ra.apply(Op.POSTERIZE, 1, x).toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {0, 127.5f, 255}, ra.apply(Op.AUTO_CONTRAST, 1, row(50, 100, 150)).toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {0, 145, 255, 255}, ra.apply(Op.BRIGHTNESS, 0.5, x).toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {45, 55}, ra.apply(Op.CONTRAST, -1, row(0, 100)).toFloatArray(), 1e-4f);
        // grey 0.299*100 + 0.587*50 = 59.25; f = 0.1 pulls each channel to 10% of its distance
        assertArrayEquals(new float[] {63.325f, 58.325f, 53.325f},
                ra.apply(Op.COLOR, -1, Tensor.of(new float[] {100, 50, 0}, 1, 1, 1, 3)).toFloatArray(), 1e-3f);
        // translate by 150/331 of the width 4 (1.81 pixels), nearest pixel, filled with the low value
        assertArrayEquals(new float[] {0, 0, 1, 2}, ra.apply(Op.TRANSLATE_X, 1, row(1, 2, 3, 4)).toFloatArray());
        // shear 0.3 on 5x5: row 0 reads x - 0.6 (one to the right), row 4 reads x + 0.6, rows 1-3 stay
        Tensor sq = AugmentationTest.counting(1, 5, 5, 1);
        float[] sheared = ra.apply(Op.SHEAR_X, 1, sq).toFloatArray(), s = sq.toFloatArray();
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Arrays.copyOfRange(sheared, 0, 5));
        assertArrayEquals(Arrays.copyOfRange(s, 5, 20), Arrays.copyOfRange(sheared, 5, 20));
        assertArrayEquals(new float[] {22, 23, 24, 25, 0}, Arrays.copyOfRange(sheared, 20, 25));
        for (Op op : List.of(Op.SHEAR_Y, Op.TRANSLATE_Y, Op.ROTATE)) assertArrayEquals(s, ra.apply(op, 0, sq).toFloatArray(), op.toString());
    }

    @Test
    void randAugmentDrawsOpsAndSignsPerImageAsDocumented() {
        RandAugment ra = RandAugment.of(2, 12).valueRange(0, 30);
        Tensor x = AugmentationTest.counting(4, 5, 6, 1);
        Tensor out = ra.apply(x, rng(8));
        RandomGenerator r = rng(8);
        Op[] ops = Op.values();
        for (int i = 0; i < 4; i++) {
            Tensor img = x.slice(0, i, i + 1);
            for (int k = 0; k < 2; k++) {
                Op op = ops[r.nextInt(ops.length)];
                double m = op.signed() && r.nextBoolean() ? -0.4 : 0.4;
                img = ra.apply(op, m, img);
            }
            assertArrayEquals(img.toFloatArray(), out.slice(0, i, i + 1).toFloatArray(), "image " + i);
        }
        assertArrayEquals(x.toFloatArray(), RandAugment.of(0, 9).apply(x, rng(1)).toFloatArray());
    }

    // ---- all stages ----

    @Test
    void seededRepeatableVaryingAndShapeKeeping() {
        Tensor x = AugmentationTest.counting(6, 7, 8, 3).mul(Tensor.scalar(1f / 1008 * 255));
        for (Augmentation a : ALL) {
            Tensor one = a.apply(x, rng(11)), two = a.apply(x, rng(11)), other = a.apply(x, rng(12));
            assertEquals(x.shape(), one.shape(), a.toString());
            assertArrayEquals(one.toFloatArray(), two.toFloatArray(), a.toString());
            assertFalse(Arrays.equals(one.toFloatArray(), other.toFloatArray()), a + " gives the same images for two seeds");
        }
    }

    @Test
    void badFactorsAreRefusedNamingTheArgument() {
        expect("height_factor", () -> RandomZoom.of(1.5));
        expect("width_factor", () -> RandomZoom.of(0.1, -2));
        expect("height_factor", () -> RandomZoom.of(0.3, 0.1, 0, 0));
        expect("fill_value", () -> RandomZoom.of(0.1).fill(FillMode.CONSTANT, Float.NaN));
        expect("factor", () -> RandomContrast.of(1.5));
        expect("factor", () -> RandomContrast.of(-0.1));
        expect("value_range", () -> RandomContrast.of(0.1).valueRange(1, 0));
        expect("factor", () -> RandomBrightness.of(2));
        expect("value_range", () -> RandomBrightness.of(0.2).valueRange(0, Double.NaN));
        expect("p (the erasing probability)", () -> RandomErasing.of(1.5));
        expect("scale", () -> new RandomErasing(0.5, 0.5, 0.2, 0.3, 3.3, 0));
        expect("ratio", () -> new RandomErasing(0.5, 0.02, 0.3, 0, 3.3, 0));
        expect("num_ops", () -> RandAugment.of(-1, 9));
        expect("magnitude", () -> RandAugment.of(2, 31));
        expect("num_magnitude_bins", () -> new RandAugment(2, 0, 1, 0, 255));
        var ex = assertThrows(IllegalArgumentException.class, () -> RandomZoom.of(0.1).apply(Tensor.zeros(2, 3), rng(1)));
        assertTrue(ex.getMessage().contains("RandomZoom") && ex.getMessage().contains("[batch, height, width, channels]"), ex.getMessage());
    }

    static void expect(String argument, Executable call) {
        var ex = assertThrows(IllegalArgumentException.class, call);
        assertTrue(ex.getMessage().contains(argument), "'" + ex.getMessage() + "' does not name " + argument);
    }

    @Test
    void zoomOfAConstantImageStaysConstantInEveryMode() {
        Tensor x = Tensor.full(dev.myelin.backend.DType.FLOAT32, dev.myelin.tensor.Shape.of(3, 5, 7, 2), 4.0);
        for (FillMode m : List.of(FillMode.REFLECT, FillMode.WRAP, FillMode.NEAREST)) {
            assertAllClose(RandomZoom.of(0.5, 0.5).fill(m, 0).apply(x, rng(3)), x, 1e-6, 1e-5);
        }
    }
}
