package dev.myelin.text.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The sampler's distribution: top-k, top-p, temperature, and its errors. */
class SamplerTest {
    private static final float[] LOGITS = {0.5f, 2.0f, -1.0f, 1.5f, 0.0f, 3.0f, -0.5f, 1.0f, 2.5f, -2.0f, 0.25f};

    private static RandomGenerator rng() {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(123);
    }

    private static double[] softmax(float[] logits, double temperature) {
        double[] p = new double[logits.length];
        double max = Double.NEGATIVE_INFINITY, total = 0;
        for (float l : logits) max = Math.max(max, l);
        for (int i = 0; i < p.length; i++) total += p[i] = Math.exp((logits[i] - max) / temperature);
        for (int i = 0; i < p.length; i++) p[i] /= total;
        return p;
    }

    /** Ids by decreasing logit: 5, 8, 1, 3, 7, 0, 10, 4, 6, 2, 9. */
    private static final int[] RANKED = {5, 8, 1, 3, 7, 0, 10, 4, 6, 2, 9};

    @Test
    void temperatureOneIsTheModelsDistributionAndDrawsFollowIt() {
        double[] expected = softmax(LOGITS, 1.0), actual = Sampler.of(1.0).distribution(LOGITS);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-12);
        int n = 200_000;
        int[] counts = new int[LOGITS.length];
        RandomGenerator r = rng();
        for (int i = 0; i < n; i++) counts[Sampler.of(1.0).sample(LOGITS, r)]++;
        for (int i = 0; i < expected.length; i++) {
            double sd = Math.sqrt(expected[i] * (1 - expected[i]) / n);
            assertEquals(expected[i], counts[i] / (double) n, 5 * sd + 1e-9, "frequency of id " + i);
        }
    }

    @Test
    void topKNeverPicksOutsideTheKBest() {
        for (int k = 1; k <= LOGITS.length + 2; k++) {
            Sampler s = Sampler.of(1.5).withTopK(k);
            double[] p = s.distribution(LOGITS);
            int kept = Math.min(k, LOGITS.length);
            double[] full = softmax(LOGITS, 1.5);
            double mass = 0;
            for (int r = 0; r < kept; r++) mass += full[RANKED[r]];
            for (int r = 0; r < LOGITS.length; r++) {
                double expected = r < kept ? full[RANKED[r]] / mass : 0;
                assertEquals(expected, p[RANKED[r]], 1e-12, "k=" + k + ", rank " + r);
            }
            RandomGenerator g = rng();
            for (int i = 0; i < 2_000; i++) {
                int id = s.sample(LOGITS, g);
                boolean inTopK = false;
                for (int r = 0; r < kept; r++) inTopK |= RANKED[r] == id;
                assertTrue(inTopK, "k=" + k + " drew id " + id);
            }
        }
    }

    @Test
    void topPKeepsTheSmallestSetWithEnoughMass() {
        double[] full = softmax(LOGITS, 1.0);
        for (double p : new double[] {1e-6, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0}) {
            double[] d = Sampler.of(1.0).withTopP(p).distribution(LOGITS);
            int kept = 0;
            for (double v : d) if (v > 0) kept++;
            double mass = 0, before = 0;
            for (int r = 0; r < kept; r++) {
                assertTrue(d[RANKED[r]] > 0, "p=" + p + ": the kept tokens are the most likely ones");
                if (r < kept - 1) before += full[RANKED[r]];
                mass += full[RANKED[r]];
            }
            assertTrue(mass >= p - 1e-12, "p=" + p + ": kept mass " + mass);
            assertTrue(before < p, "p=" + p + ": one token fewer would already have had mass " + before);
            for (int r = 0; r < kept; r++) assertEquals(full[RANKED[r]] / mass, d[RANKED[r]], 1e-12);
        }
        assertEquals(1, Sampler.of(1.0).withTopP(1e-6).distribution(LOGITS)[5], "a tiny p keeps the arg max only");
    }

    @Test
    void topKThenTopPRenormalizesBetween() {
        double[] d = Sampler.of(1.0).withTopK(3).withTopP(0.6).distribution(LOGITS);
        double[] full = softmax(LOGITS, 1.0);
        double k3 = full[5] + full[8] + full[1];
        // within the top 3 renormalized: 5 has ~0.51, 5 + 8 ~0.82 >= 0.6: two tokens
        assertTrue(full[5] / k3 < 0.6 && (full[5] + full[8]) / k3 >= 0.6);
        assertEquals(full[5] / (full[5] + full[8]), d[5], 1e-12);
        assertEquals(full[8] / (full[5] + full[8]), d[8], 1e-12);
        assertEquals(0, d[1]);
    }

    @Test
    void temperatureTowardsZeroEqualsGreedy() {
        RandomGenerator r = rng();
        for (int i = 0; i < 1_000; i++) assertEquals(5, Sampler.greedy().sample(LOGITS, r));
        for (int i = 0; i < 1_000; i++) assertEquals(5, Sampler.of(1e-3).sample(LOGITS, r));
        assertEquals(1.0, Sampler.of(1e-3).distribution(LOGITS)[5], 1e-12);
        assertEquals(1, Sampler.greedy().withTopK(3).withTopP(0.5).distribution(LOGITS)[5]);
        assertEquals(0, Sampler.greedy().distribution(new float[] {1, 1, 0}).length == 3 ? 0 : 1, "ties: the lower id");
        assertEquals(1.0, Sampler.greedy().distribution(new float[] {1, 1, 0})[0]);
    }

    @Test
    void highTemperatureFlattens() {
        double[] d = Sampler.of(1e6).distribution(LOGITS);
        for (double v : d) assertEquals(1.0 / LOGITS.length, v, 1e-5);
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sampler.of(1).withTopK(0)).getMessage().contains("top-k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sampler.of(1).withTopK(-3)).getMessage().contains("-3"));
        for (double p : new double[] {0, -0.1, 1.0001, Double.NaN}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Sampler.of(1).withTopP(p)).getMessage().contains("top-p"));
        }
        for (double t : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Sampler.of(t)).getMessage().contains("temperature"));
        }
        assertThrows(IllegalArgumentException.class, () -> Sampler.greedy().sample(new float[0], rng()));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(1).sample(new float[] {1, Float.NaN}, rng()));
    }
}
