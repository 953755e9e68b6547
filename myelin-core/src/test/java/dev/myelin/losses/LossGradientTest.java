package dev.myelin.losses;

import static dev.myelin.losses.LossValuesTest.t;
import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Activation;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Float64 finite-difference checks of every loss on both paths, stability on saturated inputs, onLogits. */
class LossGradientTest {
    private static final SplittableRandom RNG = new SplittableRandom(42);

    private static Tensor uniform(double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = RNG.nextDouble(lo, hi);
        return Tensor.of(v, shape);
    }

    private static Tensor binary(int... shape) {
        Tensor u = uniform(0, 1, shape);
        return u.gt(0.5);
    }

    /** Checks the gradient in both yTrue and yPred (losses are differentiable in their targets too). */
    private static void checkBoth(Loss loss, Tensor yTrue, Tensor yPred) {
        GradCheck.check(in -> loss.compute(in[0], in[1]), yTrue, yPred);
    }

    @Test
    void regressionLosses() {
        Tensor yt = uniform(-2, 2, 4, 3);
        // keep every error away from 0 (MAE's kink) and from ±δ (Huber's switch)
        double[] e = uniform(0.1, 0.9, 4, 3).toDoubleArray();
        double[] s = uniform(-1, 1, 4, 3).toDoubleArray();
        double[] p = yt.toDoubleArray();
        for (int i = 0; i < p.length; i++) p[i] += (s[i] < 0 ? -1 : 1) * (i % 2 == 0 ? e[i] : 1.2 + e[i]);
        Tensor yp = Tensor.of(p, 4, 3);
        checkBoth(Loss.MSE, yt, yp);
        checkBoth(Loss.MAE, yt, yp);
        checkBoth(Loss.HUBER, yt, yp);
        checkBoth(new Huber(0.7), yt, yp);
    }

    @Test
    void binaryCrossentropyBothPaths() {
        Tensor z = binary(5, 2);
        checkBoth(new BinaryCrossentropy(), z, uniform(0.05, 0.95, 5, 2));
        checkBoth(new BinaryCrossentropy(false, 0.1), z, uniform(0.05, 0.95, 5, 2));
        checkBoth(new BinaryCrossentropy(true), z, uniform(-4, 4, 5, 2));
        checkBoth(new BinaryCrossentropy(true, 0.1), uniform(0, 1, 5, 2), uniform(-4, 4, 5, 2));
        // exactly 0 logits (e.g. a zero input row): the gradient is σ(0) − z there too
        checkBoth(new BinaryCrossentropy(true), z, Tensor.zeros(DType.FLOAT64, z.shape()));
    }

    @Test
    void categoricalCrossentropyBothPaths() {
        Tensor y = Tensor.oneHot(Tensor.of(new float[] {0, 3, 1, 2, 3}, 5), 4).to(DType.FLOAT64);
        // probabilities that are not normalized exercise the renormalization's gradient
        checkBoth(new CategoricalCrossentropy(), y, uniform(0.1, 1, 5, 4));
        checkBoth(new CategoricalCrossentropy(false, 0.2), y, uniform(0.1, 1, 5, 4));
        checkBoth(new CategoricalCrossentropy(true), y, uniform(-3, 3, 5, 4));
        checkBoth(new CategoricalCrossentropy(true, 0.2), y, uniform(-3, 3, 5, 4));
        checkBoth(new CategoricalCrossentropy(true), y.reshape(5, 1, 4), uniform(-3, 3, 5, 1, 4));
    }

    @Test
    void sparseCategoricalCrossentropyBothPathsAndBothGathers() {
        Tensor ids = Tensor.of(new double[] {0, 3, 1, 2, 3}, 5);
        for (boolean fromLogits : new boolean[] {false, true}) {
            Loss loss = new SparseCategoricalCrossentropy(fromLogits);
            double lo = fromLogits ? -3 : 0.1, hi = fromLogits ? 3 : 1;
            GradCheck.check(in -> loss.compute(ids, in[0]), uniform(lo, hi, 5, 4));
            GradCheck.check(in -> loss.compute(ids.reshape(5, 1), in[0]), uniform(lo, hi, 5, 4));
            Tensor seqIds = Tensor.of(new double[] {0, 1, 2, 2, 1, 0}, 2, 3);
            GradCheck.check(in -> loss.compute(seqIds, in[0]), uniform(lo, hi, 2, 3, 3));
            // the gather path (many classes); large inputs are probed along random directions
            int classes = SparseCategoricalCrossentropy.GATHER_MIN_CLASSES;
            Tensor manyIds = Tensor.of(new double[] {0, classes - 1, 5}, 3);
            GradCheck.check(in -> loss.compute(manyIds, in[0]), uniform(lo, hi, 3, classes));
        }
    }

    @Test
    void extremeLogitsGiveFiniteLossAndGradient() {
        double[] big = {100, -100, 0, -100, 100, 100};
        Tensor ids = t(new double[] {1, 0}, 2), oneHot = t(new double[] {0, 1, 0, 1, 0, 0}, 2, 3);
        for (DType dtype : DType.values()) {
            Tensor x = t(big, 2, 3).to(dtype);
            assertFinite(new SparseCategoricalCrossentropy(true), ids.to(dtype), x, 300);
            assertFinite(new CategoricalCrossentropy(true), oneHot.to(dtype), x, 300);
            assertFinite(new CategoricalCrossentropy(true, 0.1), oneHot.to(dtype), x, 300);
            assertFinite(new BinaryCrossentropy(true), t(new double[] {0, 1, 1, 1, 0, 0}, 2, 3).to(dtype), x, 300);
            // the probability path on a saturated softmax/sigmoid stays finite thanks to the clipping
            assertFinite(Loss.CATEGORICAL_CROSSENTROPY, oneHot.to(dtype), x.softmax(-1), 300);
            assertFinite(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, ids.to(dtype), x.softmax(-1), 300);
            assertFinite(Loss.BINARY_CROSSENTROPY, t(new double[] {0, 1, 1, 1, 0, 0}, 2, 3).to(dtype), x.sigmoid(), 300);
        }
        // sample 0: true logit −100 against a maximum of 100 -> 200; sample 1: −100 against two 100s -> 200 + log 2
        Tensor x = t(big, 2, 3);
        assertAllClose(new double[] {new SparseCategoricalCrossentropy(true).compute(ids, x).item()},
                new double[] {(400 + Math.log(2)) / 2}, 1e-12, 0);
        // and the gradient is (softmax(x) − onehot) / batch, saturated but exact
        Tensor leaf = x.detach().requiresGrad(true);
        new SparseCategoricalCrossentropy(true).compute(ids, leaf).backward();
        assertAllClose(leaf.grad(), x.softmax(-1).sub(oneHot).div(2), 1e-12, 1e-15);
    }

    private static void assertFinite(Loss loss, Tensor yTrue, Tensor input, double bound) {
        Tensor x = input.detach().requiresGrad(true);
        Tensor value = loss.compute(yTrue, x);
        value.backward();
        assertTrue(Double.isFinite(value.item()) && value.item() >= 0 && value.item() <= bound,
                loss + " on " + x.dtype() + ": loss " + value.item());
        for (double g : x.grad().toDoubleArray()) assertTrue(Double.isFinite(g), loss + ": gradient " + g);
    }

    @Test
    void onLogitsReturnsTheLogitTwin() {
        assertEquals(new CategoricalCrossentropy(true, 0.1), new CategoricalCrossentropy(false, 0.1).onLogits(Activation.SOFTMAX));
        assertEquals(new SparseCategoricalCrossentropy(true), Loss.SPARSE_CATEGORICAL_CROSSENTROPY.onLogits(Activation.SOFTMAX));
        assertEquals(new BinaryCrossentropy(true, 0.2), new BinaryCrossentropy(false, 0.2).onLogits(Activation.SIGMOID));
        assertNull(Loss.CATEGORICAL_CROSSENTROPY.onLogits(Activation.SIGMOID));
        assertNull(Loss.CATEGORICAL_CROSSENTROPY.onLogits(Activation.LINEAR));
        assertNull(Loss.BINARY_CROSSENTROPY.onLogits(Activation.SOFTMAX));
        assertNull(new CategoricalCrossentropy(true).onLogits(Activation.SOFTMAX), "already on logits");
        assertNull(new BinaryCrossentropy(true).onLogits(Activation.SIGMOID), "already on logits");
        assertNull(Loss.MSE.onLogits(Activation.SIGMOID));
        assertNull(Loss.HUBER.onLogits(Activation.SOFTMAX));
    }

    @Test
    void logitTwinAgreesWithProbabilityLossForModerateLogits() {
        Tensor x = uniform(-4, 4, 6, 5);
        Tensor ids = Tensor.of(new double[] {0, 4, 2, 2, 1, 3}, 6);
        Tensor oneHot = Tensor.oneHot(ids, 5).to(DType.FLOAT64);
        Activation softmax = Activation.SOFTMAX, sigmoid = Activation.SIGMOID;
        Loss cce = new CategoricalCrossentropy(false, 0.1), scce = Loss.SPARSE_CATEGORICAL_CROSSENTROPY, bce = new BinaryCrossentropy(false, 0.1);
        assertClose(cce.compute(oneHot, softmax.apply(x)), cce.onLogits(softmax).compute(oneHot, x));
        assertClose(scce.compute(ids, softmax.apply(x)), scce.onLogits(softmax).compute(ids, x));
        Tensor z = binary(6, 5);
        assertClose(bce.compute(z, sigmoid.apply(x)), bce.onLogits(sigmoid).compute(z, x));
        // and so do their gradients with respect to the logits
        Tensor a = x.detach().requiresGrad(true), b = x.detach().requiresGrad(true);
        cce.compute(oneHot, softmax.apply(a)).backward();
        cce.onLogits(softmax).compute(oneHot, b).backward();
        assertAllClose(a.grad(), b.grad(), 1e-9, 1e-12);
    }

    private static void assertClose(Tensor a, Tensor b) {
        assertAllClose(new double[] {a.item()}, new double[] {b.item()}, 1e-12, 1e-12);
    }
}
