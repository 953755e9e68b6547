package dev.myelin.text.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.attention.KeyValueCache;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Gradients;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The GPT's key/value cache against the full forward pass, generation with and without it, gradients and determinism. */
class GptModelTest {
    /** Odd sizes: 13 ids, a context of 9, width 12 in 3 heads of 4, feed-forward 20. */
    private static final GptConfig SMALL = new GptConfig(13, 9, 12, 3, 2, 20, 0.0, 1e-5);

    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static int[] randomIds(int n, int vocabulary, long seed) {
        RandomGenerator r = rng(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocabulary);
        return ids;
    }

    private static Tensor ids(int batch, int[] ids, int from, int to) {
        float[] x = new float[batch * (to - from)];
        for (int b = 0; b < batch; b++) for (int i = from; i < to; i++) x[b * (to - from) + i - from] = ids[(i + 7 * b) % ids.length];
        return Tensor.of(x, batch, to - from);
    }

    /** Feeds {@code seq} through the cache in chunks of {@code chunks} tokens and compares each chunk's logits with the full pass's rows. */
    private static void assertCacheMatchesFullPass(GptModel gpt, int batch, int[] seq, int[] chunks, double tolerance) {
        double[] full;
        try (var _ = NoGrad.scope()) {
            full = gpt.logits(ids(batch, seq, 0, seq.length), false).toDoubleArray();
        }
        int vocabulary = gpt.config().vocabularySize(), length = seq.length;
        List<KeyValueCache> cache = gpt.newCache(batch);
        int at = 0;
        for (int chunk : chunks) {
            double[] step = gpt.step(ids(batch, seq, at, at + chunk), cache).toDoubleArray();
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < chunk; i++) {
                    for (int v = 0; v < vocabulary; v++) {
                        double expected = full[(b * length + at + i) * vocabulary + v], actual = step[(b * chunk + i) * vocabulary + v];
                        assertEquals(expected, actual, tolerance, "batch " + b + ", position " + (at + i) + ", id " + v);
                    }
                }
            }
            at += chunk;
            assertEquals(at, cache.get(0).length());
        }
    }

    @Test
    void cachedStepsEqualTheFullPassInFloat32() {
        GptModel gpt = new GptModel(SMALL, 3);
        int[] seq = randomIds(9, 13, 1);
        assertCacheMatchesFullPass(gpt, 1, seq, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1e-5); // to the table's end, one at a time
        assertCacheMatchesFullPass(gpt, 1, seq, new int[] {4, 1, 1, 3}, 1e-5);                // a prompt read at once, then steps
        assertCacheMatchesFullPass(gpt, 2, randomIds(5, 13, 2), new int[] {2, 1, 1, 1}, 1e-5); // a batch of two, a shorter sequence
        assertCacheMatchesFullPass(gpt, 1, randomIds(1, 13, 3), new int[] {1}, 1e-5);
    }

    @Test
    void cachedStepsEqualTheFullPassInFloat64() {
        GptModel gpt = new GptModel(SMALL, DType.FLOAT64, 3);
        assertCacheMatchesFullPass(gpt, 1, randomIds(9, 13, 1), new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1e-12);
        assertCacheMatchesFullPass(gpt, 2, randomIds(9, 13, 4), new int[] {3, 2, 1, 3}, 1e-12);
        assertCacheMatchesFullPass(gpt, 1, randomIds(7, 13, 5), new int[] {7}, 1e-12);
    }

    @Test
    void pastThePositionTableIsAClearError() {
        GptModel gpt = new GptModel(SMALL, 3);
        List<KeyValueCache> cache = gpt.newCache(1);
        int[] seq = randomIds(10, 13, 1);
        gpt.step(ids(1, seq, 0, 8), cache);
        var e = assertThrows(IllegalArgumentException.class, () -> gpt.step(ids(1, seq, 8, 10), cache));
        assertTrue(e.getMessage().contains("9 positions") && e.getMessage().contains("position 9"), e.getMessage());
        assertEquals(8, cache.get(0).length(), "a refused step leaves the cache as it was");
        gpt.step(ids(1, seq, 8, 9), cache); // the last position still fits
        var full = assertThrows(IllegalArgumentException.class, () -> gpt.logits(ids(1, seq, 0, 10), false));
        assertTrue(full.getMessage().contains("9 positions") && full.getMessage().contains("length 10"), full.getMessage());
    }

    @Test
    void badTokensAndPromptsAreClearErrors() {
        GptModel gpt = new GptModel(SMALL, 3);
        var outside = assertThrows(IllegalArgumentException.class, () -> gpt.logits(Tensor.of(new float[] {1, 13}, 1, 2), false));
        assertTrue(outside.getMessage().contains("13"), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gpt.generate(new int[0], 3, Sampler.greedy(), rng(1), true));
        var badPrompt = assertThrows(IllegalArgumentException.class, () -> gpt.generate(new int[] {2, 14}, 3, Sampler.greedy(), rng(1), true));
        assertTrue(badPrompt.getMessage().contains("14"), badPrompt.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GptConfig(13, 9, 12, 5, 2, 20, 0, 1e-5), "heads that do not divide the width");
    }

    @Test
    void generationWithAndWithoutTheCacheDrawsTheSameTokens() {
        GptModel gpt = new GptModel(SMALL, DType.FLOAT64, 11);
        int[] prompt = randomIds(3, 13, 6);
        for (Sampler sampler : List.of(Sampler.greedy(), Sampler.of(1.0), Sampler.of(0.8).withTopK(5).withTopP(0.9))) {
            int[] cached = gpt.generate(prompt, 20, sampler, rng(9), true); // 23 tokens: the window slides twice past the 9 positions
            int[] uncached = gpt.generate(prompt, 20, sampler, rng(9), false);
            assertArrayEquals(uncached, cached, sampler.toString());
            assertEquals(23, cached.length);
            assertArrayEquals(prompt, java.util.Arrays.copyOf(cached, 3));
        }
        int[] longPrompt = randomIds(12, 13, 7); // longer than the context: its last 9 tokens are read
        assertArrayEquals(gpt.generate(longPrompt, 4, Sampler.greedy(), rng(1), false), gpt.generate(longPrompt, 4, Sampler.greedy(), rng(1), true));
    }

    /** Central differences of the float64 loss against autograd for a few elements of every weight. */
    @Test
    void lossGradientMatchesFiniteDifferences() {
        GptConfig config = new GptConfig(13, 9, 12, 3, 2, 20, 0.0, 1e-5);
        GptModel gpt = new GptModel(config, DType.FLOAT64, 5);
        int[] seq = randomIds(8, 13, 8);
        Tensor x = ids(2, seq, 0, 7), y = ids(2, seq, 1, 8);
        List<Parameter> weights = gpt.weights();
        List<Tensor> grads = Gradients.of(gpt.loss(x, y, true), weights);
        RandomGenerator pick = rng(12);
        double h = 1e-6;
        for (int w = 0; w < weights.size(); w++) {
            Tensor value = weights.get(w).value();
            for (int k = 0; k < 3; k++) {
                int i = pick.nextInt(value.size());
                double[] data = value.toDoubleArray();
                double original = data[i];
                double plus = lossWith(gpt, value, data, i, original + h, x, y), minus = lossWith(gpt, value, data, i, original - h, x, y);
                lossWith(gpt, value, data, i, original, x, y);
                double numeric = (plus - minus) / (2 * h), analytic = grads.get(w).toDoubleArray()[i];
                assertEquals(numeric, analytic, 1e-7 + 1e-5 * Math.abs(numeric), weights.get(w).name() + "[" + i + "]");
            }
        }
    }

    private static double lossWith(GptModel gpt, Tensor weight, double[] data, int i, double v, Tensor x, Tensor y) {
        data[i] = v;
        try (var _ = NoGrad.scope()) {
            weight.assign(Tensor.of(data, weight.shape().toArray()));
            return gpt.loss(x, y, false).item();
        }
    }

    @Test
    void trainingIsBitIdenticalWithOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> one = trainTwoSteps();
            Parallel.setThreads(2);
            List<float[]> two = trainTwoSteps();
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), "weight " + i);
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static List<float[]> trainTwoSteps() {
        String text = "In the beginning God created the heaven and the earth. And the earth was without form, and void. ".repeat(3);
        String[] parts = TokenData.split(text, 0.2);
        CharTokenizer chars = new CharTokenizer(text);
        GptModel gpt = new GptModel(new GptConfig(chars.vocabularySize(), 17, 16, 2, 2, 40, 0.1, 1e-5), 2);
        new GptTrainer(gpt, TokenData.of(chars, parts[0], parts[1])).batchSize(16).fit(1, null);
        List<float[]> out = new ArrayList<>();
        for (Parameter p : gpt.weights()) out.add(p.value().toFloatArray());
        return out;
    }
}
