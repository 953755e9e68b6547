package dev.myelin.losses;

import static dev.myelin.losses.LossValuesTest.t;
import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Activation;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Float64 finite-difference checks of every loss on both paths, stability on saturated inputs, the logits read from softmax/sigmoid outputs. */
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

    /**
     * A cross-entropy on probabilities reads the logits of the softmax (last axis) or sigmoid that made
     * them. Saturated logits tell the two paths apart: the probability path clips at ε = 1e-7 (loss
     * −log ε ≈ 16.1 for a sample whose true class has logit −100 against 100), the logits path does not
     * (loss 200).
     */
    @Test
    void crossEntropyReadsTheLogitsOfItsSoftmaxOrSigmoidInput() {
        Tensor x = t(new double[] {100, -100, 0, -100, 100, 100}, 2, 3);
        Tensor ids = t(new double[] {1, 0}, 2), oneHot = Tensor.oneHot(ids, 3).to(DType.FLOAT64);
        Tensor z = t(new double[] {0, 1, 1, 1, 0, 0}, 2, 3);
        Tensor softmax = Activation.SOFTMAX.apply(x), sigmoid = Activation.SIGMOID.apply(x);
        assertSame(x, softmax.softmaxLogits());
        assertNull(softmax.sigmoidLogits());
        assertSame(x, sigmoid.sigmoidLogits());
        assertNull(sigmoid.softmaxLogits());
        assertNull(softmax.detach().softmaxLogits(), "a copy outside the graph does not carry the logits");
        // the logits twin's value, not the clipped probability path's
        assertClose(new CategoricalCrossentropy(false, 0.1).compute(oneHot, softmax), new CategoricalCrossentropy(true, 0.1).compute(oneHot, x));
        assertClose(Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(ids, softmax), new SparseCategoricalCrossentropy(true).compute(ids, x));
        assertClose(new BinaryCrossentropy(false, 0.2).compute(z, sigmoid), new BinaryCrossentropy(true, 0.2).compute(z, x));
        assertTrue(Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(ids, softmax).item() > 150, "the logits path does not clip");
        assertTrue(Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(ids, softmax.detach()).item() < 20, "the probability path clips");
        // logits of the wrong kind, or none, are not used: the probability path on the same values
        assertClose(Loss.CATEGORICAL_CROSSENTROPY.compute(oneHot, sigmoid), Loss.CATEGORICAL_CROSSENTROPY.compute(oneHot, sigmoid.detach()));
        assertClose(Loss.CATEGORICAL_CROSSENTROPY.compute(oneHot, Activation.LINEAR.apply(softmax.detach())), Loss.CATEGORICAL_CROSSENTROPY.compute(oneHot, softmax.detach()));
        assertClose(Loss.BINARY_CROSSENTROPY.compute(z, softmax), Loss.BINARY_CROSSENTROPY.compute(z, softmax.detach()));
        // a loss already on logits takes its input as the logits, whatever made it
        assertClose(new CategoricalCrossentropy(true).compute(oneHot, softmax), new CategoricalCrossentropy(true).compute(oneHot, softmax.detach()));
        assertClose(new BinaryCrossentropy(true).compute(z, sigmoid), new BinaryCrossentropy(true).compute(z, sigmoid.detach()));
        // other losses work on the probabilities
        assertClose(Loss.MSE.compute(z, sigmoid), Loss.MSE.compute(z, sigmoid.detach()));
        assertClose(Loss.HUBER.compute(oneHot, softmax), Loss.HUBER.compute(oneHot, softmax.detach()));
        // softmax over another axis is not a class distribution over the last axis: no logits
        assertNull(x.softmax(0).softmaxLogits());
    }

    @Test
    void logitTwinAgreesWithProbabilityLossForModerateLogits() {
        Tensor x = uniform(-4, 4, 6, 5);
        Tensor ids = Tensor.of(new double[] {0, 4, 2, 2, 1, 3}, 6);
        Tensor oneHot = Tensor.oneHot(ids, 5).to(DType.FLOAT64);
        Activation softmax = Activation.SOFTMAX, sigmoid = Activation.SIGMOID;
        Loss cce = new CategoricalCrossentropy(false, 0.1), scce = Loss.SPARSE_CATEGORICAL_CROSSENTROPY, bce = new BinaryCrossentropy(false, 0.1);
        Loss cceLogits = new CategoricalCrossentropy(true, 0.1), scceLogits = new SparseCategoricalCrossentropy(true), bceLogits = new BinaryCrossentropy(true, 0.1);
        // detach() drops the remembered logits, so these run the probability path
        assertClose(cce.compute(oneHot, softmax.apply(x).detach()), cceLogits.compute(oneHot, x));
        assertClose(scce.compute(ids, softmax.apply(x).detach()), scceLogits.compute(ids, x));
        Tensor z = binary(6, 5);
        assertClose(bce.compute(z, sigmoid.apply(x).detach()), bceLogits.compute(z, x));
        // and so do their gradients with respect to the logits: the probability path through the softmax
        // (a probability tensor that is a leaf) chained by hand, against the logits path
        Tensor a = x.detach().requiresGrad(true), b = x.detach().requiresGrad(true);
        Tensor p = softmax.apply(a), leaf = p.detach().requiresGrad(true);
        cce.compute(oneHot, leaf).backward();
        p.backward(leaf.grad());
        cceLogits.compute(oneHot, b).backward();
        assertAllClose(a.grad(), b.grad(), 1e-9, 1e-12);
    }

    private static void assertClose(Tensor a, Tensor b) {
        assertAllClose(new double[] {a.item()}, new double[] {b.item()}, 1e-12, 1e-12);
    }
}
