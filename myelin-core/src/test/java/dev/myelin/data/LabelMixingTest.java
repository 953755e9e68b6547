package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** MixUp and CutMix: images and one-hot labels mixed in the same proportions; the Beta sampler behind them. */
class LabelMixingTest {

    static RandomGenerator rng(long seed) {
        return Permutations.generator(seed);
    }

    static DataLoader.Batch batch(Tensor x, Tensor y) {
        return new DataLoader.Batch(List.of(x), List.of(y));
    }

    /** {@code b} constant 4x4 one-channel images whose value is their class, 0 or 1, with one-hot labels. */
    static DataLoader.Batch twoClasses(int b) {
        float[] x = new float[b * 16], y = new float[b * 2];
        for (int i = 0; i < b; i++) {
            int cls = i % 3 == 0 ? 1 : 0;
            Arrays.fill(x, i * 16, (i + 1) * 16, cls);
            y[2 * i + cls] = 1;
        }
        return batch(Tensor.of(x, b, 4, 4, 1), Tensor.of(y, b, 2));
    }

    @Test
    void mixUpHandCase() {
        Tensor x = Tensor.of(new float[] {0, 0, 10, 20}, 2, 1, 2, 1);
        Tensor y = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        DataLoader.Batch out = MixUp.mix(batch(x, y), new int[] {1, 0}, new double[] {0.25, 1});
        assertArrayEquals(new float[] {7.5f, 15, 10, 20}, out.x().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.25f, 0.75f, 0, 1}, out.y().toFloatArray(), 1e-6f);
    }

    @Test
    void cutMixHandCase() {
        float[] a = new float[18];
        for (int k = 0; k < 9; k++) { a[k] = k + 1; a[9 + k] = k + 11; }
        Tensor y = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        DataLoader.Batch out = CutMix.cut(batch(Tensor.of(a, 2, 3, 3, 1), y), new int[] {1, 0}, new int[][] {{1, 1, 2, 2}, {0, 0, 0, 0}});
        assertArrayEquals(new float[] {1, 2, 3, 4, 15, 16, 7, 18, 19, 11, 12, 13, 14, 15, 16, 17, 18, 19}, out.x().toFloatArray());
        assertArrayEquals(new float[] {5 / 9f, 4 / 9f, 0, 1}, out.y().toFloatArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> CutMix.cut(batch(Tensor.of(a, 2, 3, 3, 1), y), new int[] {1, 0}, new int[][] {{2, 2, 2, 2}, {0, 0, 0, 0}}));
    }

    /** Image i's pixels are the share of class 1 in it: its mixed label must say the same. */
    static void assertLabelsMatchPixels(DataLoader.Batch out, boolean constantImages) {
        float[] x = out.x().toFloatArray(), y = out.y().toFloatArray();
        for (int i = 0; i < out.size(); i++) {
            double share = 0;
            for (int k = i * 16; k < (i + 1) * 16; k++) {
                share += x[k] / 16.0;
                if (constantImages) assertEquals(x[i * 16], x[k], 1e-6, "image " + i + " is not one blend");
            }
            assertEquals(share, y[2 * i + 1], 1e-5, "image " + i);
            assertEquals(1, y[2 * i] + y[2 * i + 1], 1e-5, "label " + i + " sums to 1");
        }
    }

    @Test
    void mixUpMixesLabelsAsImagesSeededAndPerImage() {
        DataLoader.Batch in = twoClasses(30);
        DataLoader.Batch out = MixUp.of(0.4).apply(in, rng(3));
        assertLabelsMatchPixels(out, true);
        assertArrayEquals(out.x().toFloatArray(), MixUp.of(0.4).apply(in, rng(3)).x().toFloatArray());
        long blended = 0;
        for (float v : out.y().toFloatArray()) if (v > 0.01 && v < 0.99) blended++;
        assertTrue(blended >= 4, "some labels are blends: " + Arrays.toString(out.y().toFloatArray()));
        // the documented draws: the permutation, then λ per image
        RandomGenerator r = rng(3);
        int[] partner = Permutations.shuffled(30, r);
        double[] lambda = new double[30];
        for (int i = 0; i < 30; i++) lambda[i] = BetaSampler.beta(r, 0.4, 0.4);
        assertArrayEquals(MixUp.mix(in, partner, lambda).y().toFloatArray(), out.y().toFloatArray());
    }

    @Test
    void cutMixMixesLabelsByThePastedArea() {
        DataLoader.Batch in = twoClasses(40);
        DataLoader.Batch out = CutMix.of(1).apply(in, rng(5));
        assertLabelsMatchPixels(out, false);
        assertArrayEquals(out.y().toFloatArray(), CutMix.of(1).apply(in, rng(5)).y().toFloatArray());
        long partial = 0;
        for (float v : out.y().toFloatArray()) if (v > 0.01 && v < 0.99) partial++;
        assertTrue(partial >= 4, Arrays.toString(out.y().toFloatArray()));
    }

    @Test
    void classIdsAreRefusedWithAWayOut() {
        Tensor x = Tensor.zeros(4, 2, 2, 1);
        for (Tensor ids : List.of(Tensor.of(new float[] {0, 1, 2, 1}, 4), Tensor.of(new float[] {0, 1, 2, 1}, 4, 1))) {
            for (Augmentation a : List.of(MixUp.of(0.2), CutMix.of(1))) {
                var ex = assertThrows(IllegalArgumentException.class, () -> a.apply(batch(x, ids), rng(1)));
                assertTrue(ex.getMessage().contains("one-hot") && ex.getMessage().contains("Tensor.oneHot"), ex.getMessage());
            }
        }
        assertThrows(UnsupportedOperationException.class, () -> MixUp.of(0.2).apply(x, rng(1)));
        assertThrows(UnsupportedOperationException.class, () -> CutMix.of(1).apply(x, rng(1)));
        ImageStagesTest.expect("alpha", () -> MixUp.of(0));
        ImageStagesTest.expect("alpha", () -> CutMix.of(-1));
        ImageStagesTest.expect("alpha", () -> MixUp.of(Double.NaN));
    }

    @Test
    void betaSamplerHasTheRightMeanAndVariance() {
        for (double[] ab : new double[][] {{0.2, 0.2}, {1, 1}, {2, 5}, {0.5, 3}}) {
            double a = ab[0], b = ab[1];
            RandomGenerator r = rng(17);
            int n = 40_000;
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++) {
                double v = BetaSampler.beta(r, a, b);
                assertTrue(v >= 0 && v <= 1, "draw " + v);
                sum += v;
                sq += v * v;
            }
            double mean = sum / n, var = sq / n - mean * mean;
            double eMean = a / (a + b), eVar = a * b / ((a + b) * (a + b) * (a + b + 1));
            assertEquals(eMean, mean, 0.01, "Beta(" + a + ", " + b + ") mean");
            assertEquals(eVar, var, 0.01, "Beta(" + a + ", " + b + ") variance");
        }
    }

    @Test
    void loaderMixesLabelsOnTheBackgroundThreadRepeatably() {
        int n = 24;
        DataLoader.Batch all = twoClasses(n);
        Dataset data = Dataset.of(all.x(), all.y());
        Augmentation aug = Augmentation.compose(RandomFlip.horizontal(), CutMix.of(1), MixUp.of(0.3));
        DataLoader loader = DataLoader.of(data).batchSize(8).shuffle(4).augment(aug);
        List<float[]> direct = new ArrayList<>(), prefetched = new ArrayList<>();
        for (DataLoader.Batch b : loader) {
            assertLabelsMatchPixels(b, false);
            direct.add(b.y().toFloatArray());
        }
        for (DataLoader.Batch b : loader.prefetch(true)) prefetched.add(b.y().toFloatArray());
        assertEquals(3, direct.size());
        for (int i = 0; i < 3; i++) assertArrayEquals(direct.get(i), prefetched.get(i));
        // class ids in the loader fail the batch with the stage's message
        DataLoader ids = DataLoader.of(Dataset.of(all.x(), Tensor.zeros(n))).batchSize(8).augment(MixUp.of(0.2));
        var ex = assertThrows(IllegalStateException.class, () -> ids.iterator().next());
        assertTrue(ex.getMessage().contains("one-hot"), ex.getMessage());
    }
}
