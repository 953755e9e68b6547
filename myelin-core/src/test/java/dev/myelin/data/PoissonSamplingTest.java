package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DataLoader's Poisson sampling: each sample joins each batch independently with probability batchSize / n. */
class PoissonSamplingTest {
    @Test
    void inclusionRateAndBatchSizesMatchTheRate() {
        int n = 2000, batch = 50, epochs = 20;
        DataLoader loader = DataLoader.of(DataLoaderTest.images(n)).batchSize(batch).seed(11).poissonSampling(true);
        assertTrue(loader.poissonSampling());
        assertEquals(40, loader.batchesPerEpoch()); // round(n / batch)
        int[] seen = new int[n];
        int steps = 0;
        long total = 0;
        double sumSq = 0;
        for (int e = 0; e < epochs; e++) {
            int epoch = e;
            for (int[] ids : DataLoaderTest.epochIds(() -> loader.epoch(epoch))) {
                steps++;
                total += ids.length;
                sumSq += (double) ids.length * ids.length;
                for (int i = 1; i < ids.length; i++) assertTrue(ids[i] > ids[i - 1], "a sample at most once per batch, in order");
                for (int id : ids) seen[id]++;
            }
        }
        assertEquals(800, steps);
        double q = (double) batch / n, mean = (double) total / steps, var = sumSq / steps - mean * mean;
        // Binomial(n, q): mean 50, variance n·q·(1−q) = 48.75; the mean of 800 batches is within 4 standard errors (0.99)
        assertEquals(50, mean, 1.0);
        assertEquals(48.75, var, 48.75 * 0.2);
        // each sample: Binomial(800, 0.025), mean 20; the average over samples is the overall rate
        double avg = 0;
        for (int c : seen) avg += c;
        assertEquals(20, avg / n, 0.5);
    }

    @Test
    void repeatableFromTheSeedAndNewEachEpoch() {
        DataLoader loader = DataLoader.of(List.of(Tensor.arange(500)), List.of()).batchSize(25).seed(3).poissonSampling(true);
        List<int[]> a = ids(loader.epoch(2)), b = ids(DataLoader.of(List.of(Tensor.arange(500)), List.of()).batchSize(25).seed(3).poissonSampling(true).epoch(2));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(java.util.Arrays.toString(a.get(i)), java.util.Arrays.toString(b.get(i)));
        assertNotEquals(java.util.Arrays.toString(ids(loader.epoch(1)).get(0)), java.util.Arrays.toString(a.get(0)));
        // the setters keep the mode; turning it off gives fixed batches again
        assertTrue(loader.shuffle(true).batchSize(10).poissonSampling());
        assertFalse(loader.poissonSampling(false).poissonSampling());
        assertEquals(50, loader.poissonSampling(false).batchSize(10).batchesPerEpoch());
        // a validation split keeps the mode on the training part
        assertTrue(loader.splitAt(400).train().poissonSampling());
    }

    @Test
    void geometricGapsGiveIndependentCoins() {
        // the sampler against the rate it promises, at a high and a low rate
        SplittableRandom rng = new SplittableRandom(5);
        for (double q : new double[] {0.5, 0.003}) {
            long picked = 0;
            int trials = 400, n = 10_000;
            for (int t = 0; t < trials; t++) picked += DataLoader.poissonSample(n, q, rng).length;
            double mean = (double) picked / trials, sd = Math.sqrt(n * q * (1 - q) / trials);
            assertEquals(n * q, mean, 4 * sd, "rate " + q);
        }
        assertEquals(7, DataLoader.poissonSample(7, 1.0, rng).length);
    }

    private static List<int[]> ids(DataLoader.Epoch epoch) {
        List<int[]> out = new java.util.ArrayList<>();
        while (epoch.hasNext()) {
            double[] v = epoch.next().x().toDoubleArray();
            int[] ids = new int[v.length];
            for (int i = 0; i < v.length; i++) ids[i] = (int) v[i];
            out.add(ids);
        }
        return out;
    }
}
