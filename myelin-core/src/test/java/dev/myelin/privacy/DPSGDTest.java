package dev.myelin.privacy;

import static dev.myelin.privacy.PerExampleGradientsTest.labels;
import static dev.myelin.privacy.PerExampleGradientsTest.randn;
import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.losses.Loss;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Gradients;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DP-SGD's transform: clipping, the no-privacy limit, and the noise's scale. */
class DPSGDTest {
    private static final DType F64 = DType.FLOAT64;

    private static Sequential cnn() {
        Sequential m = new Sequential(new Conv2D(3, 3, Activation.TANH).dtype(F64).inputShape(6, 6, 1), new Flatten(),
                new Dense(4, Activation.SOFTMAX).dtype(F64));
        m.seed(5);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        return m;
    }

    @Test
    void clippingBoundsEveryExamplesNormAndLeavesSmallOnesAlone() {
        Sequential m = cnn();
        Tensor x = randn(1, 8, 6, 6, 1).mul(Tensor.of(new double[] {0.01, 0.1, 1, 3, 10, 0.5, 5, 30}, 8, 1, 1, 1));
        PerExampleGradients g = PerExampleGradients.compute(m, List.of(x), List.of(labels(2, 8, 4)));
        Tensor norms = g.squaredNorms().sqrt();
        double[] sorted = norms.toDoubleArray();
        java.util.Arrays.sort(sorted);
        double clip = (sorted[3] + sorted[4]) / 2; // clips half of the examples
        DPSGD dp = new DPSGD(clip, 0, new SplittableRandom(1));
        Tensor factors = dp.clipFactors(g.squaredNorms());
        int clipped = 0;
        for (int i = 0; i < 8; i++) {
            double clippedNormSquared = 0;
            for (Parameter p : g.parameters()) {
                Tensor gi = g.of(p).slice(0, i, i + 1).mul(factors.get(i));
                clippedNormSquared += gi.square().sum().item();
            }
            double n = norms.get(i), after = Math.sqrt(clippedNormSquared);
            assertTrue(after <= clip * (1 + 1e-12), "example " + i + ": norm " + n + " clipped to " + after);
            if (n > clip) {
                clipped++;
                assertEquals(clip, after, 1e-5 * clip, "a large gradient is scaled to the clip norm"); // up to the 1e-6 in the denominator
            } else {
                assertEquals(n, after, 1e-5 * n + 1e-12, "a small gradient is unchanged");
            }
        }
        assertTrue(clipped == 4, "the case must clip some examples and not others, clipped " + clipped);
        // the privatized gradient (σ = 0) is the sum of the clipped gradients over L
        List<Tensor> priv = dp.privatize(g, 4.0);
        for (int k = 0; k < g.parameters().size(); k++) {
            Parameter p = g.parameters().get(k);
            Tensor sum = null;
            for (int i = 0; i < 8; i++) {
                Tensor gi = g.of(p).slice(0, i, i + 1).reshape(p.value().shape()).mul(factors.get(i));
                sum = sum == null ? gi : sum.add(gi);
            }
            assertAllClose(priv.get(k), sum.div(4.0), 1e-12, 1e-14);
        }
    }

    @Test
    void withoutNoiseOrClippingItIsTheMeanGradient() {
        Sequential m = cnn();
        Tensor x = randn(3, 7, 6, 6, 1), y = labels(4, 7, 4);
        List<Tensor> priv = new DPSGD(Double.POSITIVE_INFINITY, 0, new SplittableRandom(1))
                .privatize(PerExampleGradients.compute(m, List.of(x), List.of(y)), 7);
        List<Tensor> plain = Gradients.of(m.loss().compute(y, m.call(x, true)), m.trainableWeights());
        for (int k = 0; k < plain.size(); k++) assertAllClose(priv.get(k), plain.get(k), 1e-12, 1e-14);
    }

    @Test
    void noiseStandardDeviationIsSigmaTimesClipOverL() {
        Sequential m = new Sequential(new Dense(60).dtype(F64).inputShape(50));
        m.seed(2);
        m.compile(new SGD(0.1), Loss.MSE);
        PerExampleGradients g = PerExampleGradients.compute(m, List.of(randn(5, 4, 50)), List.of(randn(6, 4, 60)));
        double sigma = 1.3, clip = 0.7, l = 16;
        List<Tensor> noisy = new DPSGD(clip, sigma, new SplittableRandom(9)).privatize(g, l);
        List<Tensor> clean = new DPSGD(clip, 0, new SplittableRandom(9)).privatize(g, l);
        double sum = 0, sumSq = 0;
        long n = 0;
        for (int k = 0; k < noisy.size(); k++) {
            for (double v : noisy.get(k).sub(clean.get(k)).toDoubleArray()) {
                sum += v;
                sumSq += v * v;
                n++;
            }
        }
        assertEquals(3060, n);
        double mean = sum / n, sd = Math.sqrt(sumSq / n - mean * mean), expected = sigma * clip / l;
        // 3060 draws: the sample standard deviation is within 4·(1/√(2n)) ≈ 5% of the true one, the mean within 4/√n of it
        assertEquals(expected, sd, 0.05 * expected);
        assertEquals(0, mean, 4 * expected / Math.sqrt(n));
    }
}
