package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.rng;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final int N = 100_000;

    private static Tensor input() {
        return Tensor.uniform(rng(3), 0.5, 1.5, 10, N / 10);
    }

    @Test
    void identityAtInference() {
        Dropout d = built(new Dropout(0.5), N / 10);
        Tensor x = input();
        assertSame(x, d.call(x, false));
        Dropout none = built(new Dropout(0.0), N / 10);
        assertSame(x, none.call(x, true));
    }

    @Test
    void trainingKeepsAboutOneMinusRateAndScalesKeptValues() {
        for (double rate : new double[] {0.1, 0.5, 0.8}) {
            Dropout d = built(new Dropout(rate).seed(11), N / 10);
            Tensor x = input();
            double[] in = x.toDoubleArray(), out = d.call(x, true).toDoubleArray();
            int kept = 0;
            for (int i = 0; i < N; i++) {
                if (out[i] == 0) continue;
                kept++;
                assertEquals(in[i] / (1 - rate), out[i], 1e-5 * out[i], "kept value scaled by 1 / (1 - rate)");
            }
            // binomial standard deviation of the kept fraction is below 0.0016 here; allow 5 of them
            assertEquals(1 - rate, kept / (double) N, 0.008, "kept fraction for rate " + rate);
        }
    }

    @Test
    void scaledMaskIsTheBernoulliMaskTimesTheScaleBitForBit() {
        // the float32 layer draws its mask with Tensor.bernoulliScaled: same stream, same elements as before
        for (double rate : new double[] {0.1, 0.5, 0.8}) {
            double keep = 1 - rate, scale = 1 / (1 - rate);
            float[] fused = Tensor.bernoulliScaled(dev.myelin.nn.RandomStream.seeded(9), keep, scale, 3, 7, 5).toFloatArray();
            float[] composed = Tensor.bernoulli(dev.myelin.nn.RandomStream.seeded(9), keep, 3, 7, 5).mul(scale).toFloatArray();
            assertTrue(Arrays.equals(composed, fused), "rate " + rate);
        }
        Dropout d = built(new Dropout(0.3).seed(4), 17);
        Tensor x = Tensor.uniform(rng(5), -1, 1, 3, 17).requiresGrad(true);
        Tensor y = d.call(x, true);
        y.mul(x).sum().backward();
        Tensor mask = Tensor.bernoulli(dev.myelin.nn.RandomStream.seeded(4), 0.7, 3, 17).mul(1 / 0.7);
        assertTrue(Arrays.equals(x.detach().mul(mask).toFloatArray(), y.toFloatArray()), "output");
        assertTrue(Arrays.equals(x.detach().mul(mask).mul(2).toFloatArray(), x.grad().toFloatArray()), "gradient d(x·mask·x)/dx");
    }

    @Test
    void deterministicPerSeed() {
        Tensor x = input();
        double[] a = built(new Dropout(0.5).seed(5), N / 10).call(x, true).toDoubleArray();
        double[] b = built(new Dropout(0.5).seed(5), N / 10).call(x, true).toDoubleArray();
        double[] c = built(new Dropout(0.5).seed(6), N / 10).call(x, true).toDoubleArray();
        assertTrue(Arrays.equals(a, b), "same seed, same mask");
        assertFalse(Arrays.equals(a, c), "another seed, another mask");

        // without a seed, the generator is seeded from the build generator
        Dropout d1 = new Dropout(0.3), d2 = new Dropout(0.3);
        d1.build(Shape.of(N / 10), rng(99));
        d2.build(Shape.of(N / 10), rng(99));
        double[] first = d1.call(x, true).toDoubleArray();
        assertTrue(Arrays.equals(first, d2.call(x, true).toDoubleArray()), "equal build generators, equal masks");
        assertFalse(Arrays.equals(first, d1.call(x, true).toDoubleArray()), "each call draws a new mask");
    }

    @Test
    void gradientIsTheScaledMask() {
        Dropout d = built(new Dropout(0.25).seed(1), 50);
        Tensor x = Tensor.uniform(rng(4), 1, 2, 4, 50).requiresGrad(true);
        Tensor y = d.call(x, true);
        y.sum().backward();
        double[] g = x.grad().toDoubleArray(), out = y.toDoubleArray();
        for (int i = 0; i < g.length; i++) assertEquals(out[i] == 0 ? 0 : 1 / 0.75, g[i], 1e-6);
    }

    @Test
    void harness() {
        LayerTestHarness.of(() -> new Dropout(0.5)).inputShape(3, 4).training(false).expectOutputShape(3, 4).expectWeights(0, 0).run();
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new Dropout(-0.1), "rate", "-0.1");
        assertMessage(() -> new Dropout(1.0), "rate", "1.0", "[0, 1)");
        assertMessage(() -> new Dropout(Double.NaN), "rate", "NaN");
        assertMessage(() -> built(new Dropout(0.5), 3).seed(1), "already built");
    }
}
