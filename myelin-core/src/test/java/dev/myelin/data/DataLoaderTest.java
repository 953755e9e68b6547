package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** [n, 2, 2, 1] images whose 4 pixels all hold the sample index (plus 0.25 per pixel), y = index. */
    static Dataset images(int n) {
        float[] x = new float[n * 4], y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 4; p++) x[4 * i + p] = i + 0.25f * p;
            y[i] = i;
        }
        return Dataset.of(Tensor.of(x, n, 2, 2, 1), Tensor.of(y, n));
    }

    static List<int[]> epochIds(Iterable<DataLoader.Batch> epoch) {
        List<int[]> out = new ArrayList<>();
        for (DataLoader.Batch b : epoch) {
            out.add(Arrays.stream(b.y().toDoubleArray()).mapToInt(v -> (int) v).toArray());
        }
        return out;
    }

    static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    static List<float[]> contents(DataLoader.Epoch it) {
        List<float[]> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                DataLoader.Batch b = it.next();
                out.add(b.x().toFloatArray());
                out.add(b.y().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void batchSizesWithAndWithoutRemainder() {
        DataLoader loader = DataLoader.of(images(10)).batchSize(4);
        List<int[]> kept = epochIds(() -> loader.epoch(0));
        assertEquals(List.of(4, 4, 2), kept.stream().map(a -> a.length).toList());
        assertArrayEquals(Permutations.identity(10), flat(kept));
        assertEquals(3, loader.batchesPerEpoch());

        DataLoader dropping = loader.dropRemainder(true);
        List<int[]> dropped = epochIds(() -> dropping.epoch(0));
        assertEquals(List.of(4, 4), dropped.stream().map(a -> a.length).toList());
        assertEquals(2, dropping.batchesPerEpoch());
    }

    @Test
    void batchShapesAndRowsMatchTheDataset() {
        Dataset d = images(5);
        DataLoader.Batch b = DataLoader.of(d).batchSize(3).shuffle(1).epoch(0).next();
        assertEquals(Shape.of(3, 2, 2, 1), b.x().shape());
        assertEquals(Shape.of(3), b.y().shape());
        assertEquals(3, b.size());
        float[] x = b.x().toFloatArray(), y = b.y().toFloatArray();
        for (int i = 0; i < 3; i++) {
            for (int p = 0; p < 4; p++) assertEquals(y[i] + 0.25f * p, x[4 * i + p]);
        }
    }

    @Test
    void everySampleExactlyOncePerEpochAndNewOrderEachEpoch() {
        DataLoader loader = DataLoader.of(images(103)).batchSize(10).shuffle(42);
        int[] e0 = flat(epochIds(loader)); // iterator(): epoch 0
        int[] e1 = flat(epochIds(loader)); // iterator(): epoch 1
        for (int[] e : List.of(e0, e1)) {
            int[] sorted = e.clone();
            Arrays.sort(sorted);
            assertArrayEquals(Permutations.identity(103), sorted);
        }
        assertFalse(Arrays.equals(e0, e1), "epochs 0 and 1 have the same order");
        assertFalse(Arrays.equals(e0, Permutations.identity(103)), "not shuffled");
        assertArrayEquals(e1, flat(epochIds(() -> loader.epoch(1))));
    }

    @Test
    void sameSeedSameOrderOtherSeedOtherOrder() {
        Dataset d = images(64);
        int[] a = flat(epochIds(DataLoader.of(d).batchSize(8).shuffle(5)));
        int[] b = flat(epochIds(DataLoader.of(d).batchSize(8).shuffle(5)));
        int[] c = flat(epochIds(DataLoader.of(d).batchSize(8).shuffle(6)));
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        // epoch 0 uses the permutation of Dataset.shuffled(seed)
        assertArrayEquals(DatasetTest.ids(d.shuffled(5)), a);
    }

    @Test
    void prefetchGivesIdenticalBatches() {
        Augmentation aug = Augmentation.compose(RandomFlip.both(), RandomTranslation.of(0.3, 0.3));
        DataLoader plain = DataLoader.of(images(37)).batchSize(6).shuffle(11).augment(aug);
        DataLoader ahead = plain.prefetch(true);
        for (int e = 0; e < 3; e++) {
            List<float[]> p = contents(plain.epoch(e)), q = contents(ahead.epoch(e));
            assertEquals(p.size(), q.size());
            for (int i = 0; i < p.size(); i++) assertArrayEquals(p.get(i), q.get(i), "epoch " + e + " array " + i);
        }
    }

    @Test
    void augmentationIsAppliedToXOnlyAndIsSeeded() {
        Augmentation negate = (images, rng) -> images.neg();
        DataLoader.Batch b = DataLoader.of(images(4)).batchSize(4).augment(negate).epoch(0).next();
        assertEquals(-1.5f, b.x().toFloatArray()[6]);
        assertArrayEquals(new float[] {0, 1, 2, 3}, b.y().toFloatArray());

        DataLoader aug = DataLoader.of(images(20)).batchSize(5).seed(9).augment(RandomRotation.of(0.5));
        List<float[]> first = contents(aug.epoch(0)), again = contents(aug.epoch(0)), next = contents(aug.epoch(1));
        for (int i = 0; i < first.size(); i++) assertArrayEquals(first.get(i), again.get(i));
        assertFalse(Arrays.equals(first.get(0), next.get(0)), "epoch 1 should draw other rotations");
    }

    @Test
    void exceptionInAugmentationSurfacesWithCause() {
        RuntimeException boom = new IllegalArgumentException("boom");
        AtomicInteger calls = new AtomicInteger();
        Augmentation failing = (images, rng) -> {
            if (calls.incrementAndGet() == 2) throw boom;
            return images;
        };
        for (boolean prefetch : new boolean[] {false, true}) {
            calls.set(0);
            DataLoader loader = DataLoader.of(images(10)).batchSize(3).augment(failing).prefetch(prefetch);
            DataLoader.Epoch it = loader.epoch(0);
            assertNotNull(it.next());
            var ex = assertThrows(IllegalStateException.class, () -> {
                while (it.hasNext()) it.next();
            });
            assertSame(boom, ex.getCause(), "prefetch " + prefetch);
            assertTrue(ex.getMessage().contains("batch 1 of epoch 0"), ex.getMessage());
            assertFalse(it.hasNext());
            it.close();
        }
    }

    @Test
    void closingEarlyStopsThePrefetchThread() throws InterruptedException {
        DataLoader loader = DataLoader.of(images(100)).batchSize(2).prefetch(true);
        DataLoader.Epoch it = loader.epoch(0);
        it.next();
        Thread t = it.thread();
        assertTrue(t.isDaemon());
        it.close();
        t.join(10_000);
        assertFalse(t.isAlive(), "prefetch thread still running after close()");
        assertFalse(it.hasNext());

        // a finished epoch ends its thread too
        DataLoader.Epoch all = loader.epoch(1);
        while (all.hasNext()) all.next();
        all.thread().join(10_000);
        assertFalse(all.thread().isAlive());
    }

    @Test
    void abandonedIteratorStopsItsThreadWhenCollected() throws InterruptedException {
        Thread t = startAndAbandon();
        for (int i = 0; i < 100 && t.isAlive(); i++) {
            System.gc();
            t.join(100);
        }
        assertFalse(t.isAlive(), "prefetch thread of an unreachable iterator still running");
    }

    private static Thread startAndAbandon() {
        DataLoader.Epoch it = DataLoader.of(images(100)).batchSize(2).prefetch(true).epoch(0);
        it.next();
        return it.thread();
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(images(3)).batchSize(0));
        var ex = assertThrows(IllegalStateException.class, () -> DataLoader.of(images(3)).batchSize(4).dropRemainder(true).epoch(0));
        assertTrue(ex.getMessage().contains("3 samples"), ex.getMessage());
        assertThrows(IllegalStateException.class, () -> DataLoader.of(images(3).slice(0, 0)).epoch(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(images(3)).epoch(-1));
    }

    /** Epoch e's order is the e-th permutation of one stream seeded with the seed (fit's order), in any epoch order. */
    @Test
    void epochOrdersAreSuccessivePermutationsOfOneSeededStream() {
        DataLoader loader = DataLoader.of(images(23)).batchSize(5).shuffle(7);
        var stream = Permutations.generator(7);
        int[][] expected = new int[3][];
        for (int e = 0; e < 3; e++) expected[e] = Permutations.shuffled(23, stream);
        assertArrayEquals(expected[2], flat(epochIds(() -> loader.epoch(2))), "started out of order: replayed");
        for (int e = 0; e < 3; e++) assertArrayEquals(expected[e], flat(epochIds(loader)), "epoch " + e);
        assertArrayEquals(expected[1], flat(epochIds(() -> loader.epoch(1))));
        // the augmentation draws from its own generator: the order does not change with it
        DataLoader augmented = loader.augment((x, rng) -> x.add(rng.nextDouble()));
        assertArrayEquals(expected[1], flat(epochIds(() -> augmented.epoch(1))));
    }

    /** Tensors of any dtype, several inputs and targets, or none: views in order, gathers when shuffled. */
    @Test
    void batchesInMemoryTensors() {
        Tensor a = Tensor.of(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 5, 2), b = Tensor.of(new float[] {10, 11, 12, 13, 14}, 5);
        Tensor y = Tensor.of(new float[] {0, 1, 2, 3, 4}, 5);
        DataLoader loader = DataLoader.of(List.of(a, b), List.of(y)).batchSize(2);
        assertEquals(3, loader.batchesPerEpoch());
        assertEquals(5, loader.size());
        List<DataLoader.Batch> batches = new ArrayList<>();
        loader.epoch(0).forEachRemaining(batches::add);
        assertEquals(3, batches.size());
        DataLoader.Batch last = batches.get(2);
        assertEquals(Shape.of(1, 2), last.xs().get(0).shape());
        assertEquals(dev.myelin.backend.DType.FLOAT64, last.x().dtype());
        assertArrayEquals(new double[] {8, 9}, last.x().toDoubleArray());
        assertArrayEquals(new float[] {14}, last.xs().get(1).toFloatArray());
        assertArrayEquals(new float[] {4}, last.y().toFloatArray());
        int[] shuffled = flat(epochIds(DataLoader.of(List.of(a), List.of(y)).batchSize(2).shuffle(3)));
        assertArrayEquals(Permutations.shuffled(5, Permutations.generator(3)), shuffled);
        DataLoader.Batch unlabelled = DataLoader.of(List.of(a), List.of()).batchSize(5).epoch(0).next();
        assertTrue(unlabelled.ys().isEmpty());
        assertThrows(IllegalStateException.class, unlabelled::y);
        var mismatch = assertThrows(IllegalArgumentException.class, () -> DataLoader.of(List.of(a), List.of(Tensor.zeros(4))));
        assertTrue(mismatch.getMessage().contains("5 samples") && mismatch.getMessage().contains("4"), mismatch.getMessage());
        assertThrows(IllegalStateException.class, () -> loader.prefetch(true));
        assertThrows(IllegalStateException.class, () -> loader.augment((x, rng) -> x));
        assertThrows(IllegalStateException.class, loader::dataset);
    }

    /** splitAt: the first samples keep the settings, the rest come in order without augmentation (validation). */
    @Test
    void splitAtKeepsTheEndInOrder() {
        DataLoader loader = DataLoader.of(images(10)).batchSize(3).shuffle(1).augment((x, rng) -> x.neg());
        DataLoader.Split parts = loader.splitAt(7);
        assertEquals(7, parts.train().size());
        int[] trainIds = flat(epochIds(parts.train()));
        Arrays.sort(trainIds);
        assertArrayEquals(Permutations.identity(7), trainIds);
        assertTrue(parts.train().epoch(0).next().x().toFloatArray()[0] <= 0, "training part keeps the augmentation");
        assertArrayEquals(new int[] {7, 8, 9}, flat(epochIds(parts.validation())));
        assertEquals(7f, parts.validation().epoch(0).next().x().toFloatArray()[0]);
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3}, 4);
        DataLoader.Split tensors = DataLoader.of(List.of(x), List.of(x)).splitAt(3);
        assertArrayEquals(new float[] {3}, tensors.validation().epoch(0).next().x().toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> loader.splitAt(10));
    }
}
