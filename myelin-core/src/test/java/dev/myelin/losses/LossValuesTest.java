package dev.myelin.losses;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Loss values against hand-computed cases, Keras's documented examples, and PyTorch 1.13 (float64,
 * {@code torch.nn.functional}: mse_loss, l1_loss, huber_loss, binary_cross_entropy[_with_logits],
 * cross_entropy with and without label_smoothing), computed once and pasted as literals.
 */
class LossValuesTest {
    // Regression inputs; errors include |e| > 1 and |e| < 0.5 so both Huber branches are used.
    static final double[] REG_TRUE = {0.5, -1.0, 2.0, 0.0, 1.5, 0.25, -0.75, 3.0, -2.0, 0.0, 1.0, 0.5};
    static final double[] REG_PRED = {0.0, -0.5, 3.5, 0.25, 1.0, 1.75, -0.5, 0.5, -1.0, 0.3, 1.2, -0.4};
    // Binary inputs [3, 2].
    static final double[] BIN_TRUE = {1, 0, 0, 0, 1, 1};
    static final double[] BIN_PROB = {0.9, 0.2, 0.3, 0.6, 0.65, 0.15};
    static final double[] BIN_LOGIT = {2.0, -1.5, 0.3, -0.7, 1.2, -3.0};
    // Categorical inputs [3, 4], true classes 2, 0, 3.
    static final double[] LABELS = {2, 0, 3};
    static final double[] ONE_HOT = {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1};
    static final double[] LOGITS = {1.0, 2.0, 0.5, -1.0, 0.2, -0.3, 1.5, 0.0, -2.0, 0.5, 0.1, 3.0};
    static final double[] PROBS = {0.1, 0.2, 0.6, 0.1, 0.25, 0.25, 0.25, 0.25, 0.05, 0.15, 0.3, 0.5};

    static Tensor t(double[] v, int... shape) {
        return Tensor.of(v, shape);
    }

    static Tensor f32(double[] v, int... shape) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(f, shape);
    }

    static void assertLoss(double expected, Tensor loss, double tol) {
        assertEquals(0, loss.rank(), "a loss is a scalar");
        assertAllClose(new double[] {loss.item()}, new double[] {expected}, tol, tol);
    }

    @Test
    void regressionLossesMatchPyTorch() {
        Tensor yt = t(REG_TRUE, 3, 4), yp = t(REG_PRED, 3, 4);
        assertLoss(1.1304166666666668, Loss.MSE.compute(yt, yp), 1e-14);
        assertLoss(0.8250000000000001, Loss.MAE.compute(yt, yp), 1e-14);
        assertLoss(0.45062500000000005, Loss.HUBER.compute(yt, yp), 1e-14);
        assertLoss(0.298125, new Huber(0.5).compute(yt, yp), 1e-14);
        // float32 gives the same to float precision
        assertLoss(1.1304166666666668, Loss.MSE.compute(f32(REG_TRUE, 3, 4), f32(REG_PRED, 3, 4)), 1e-6);
        assertEquals(DType.FLOAT32, Loss.MSE.compute(f32(REG_TRUE, 3, 4), f32(REG_PRED, 3, 4)).dtype());
    }

    @Test
    void handComputedRegression() {
        // Keras docs: y_true [[0, 1], [0, 0]], y_pred [[1, 1], [1, 0]] -> MSE 0.5, MAE 0.5
        Tensor yt = t(new double[] {0, 1, 0, 0}, 2, 2), yp = t(new double[] {1, 1, 1, 0}, 2, 2);
        assertLoss(0.5, Loss.MSE.compute(yt, yp), 1e-15);
        assertLoss(0.5, Loss.MAE.compute(yt, yp), 1e-15);
        // Keras docs: huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) = 0.155: ½(0.36 + 0.36 + 0.16 + 0.36)/4
        assertLoss(0.155, Loss.HUBER.compute(yt, t(new double[] {0.6, 0.4, 0.4, 0.6}, 2, 2)), 1e-15);
        // Huber linear branch: e = 3, δ = 1 -> 3 − 0.5 = 2.5; e = 0.5 -> 0.125; mean 1.3125
        assertLoss(1.3125, Loss.HUBER.compute(t(new double[] {0, 0}, 2, 1), t(new double[] {3, 0.5}, 2, 1)), 1e-15);
    }

    @Test
    void perSampleMeanOverLastAxisThenBatchMean() {
        // Keras: mean over the last axis per sample, then the batch mean; for [2, 3] that is the overall mean.
        Tensor yt = t(new double[] {0, 0, 0, 0, 0, 0}, 2, 3), yp = t(new double[] {1, 2, 3, 0, 0, 6}, 2, 3);
        double perSample0 = (1 + 4 + 9) / 3.0, perSample1 = 36 / 3.0;
        assertLoss((perSample0 + perSample1) / 2, Loss.MSE.compute(yt, yp), 1e-15);
    }

    @Test
    void batchVectorAgainstColumnIsAccepted() {
        Tensor col = t(new double[] {1, 2, 3}, 3, 1), vec = t(new double[] {1, 1, 1}, 3);
        assertLoss(5.0 / 3, Loss.MSE.compute(vec, col), 1e-15);
        assertLoss(5.0 / 3, Loss.MSE.compute(col, vec), 1e-15);
    }

    @Test
    void binaryCrossentropyMatchesPyTorch() {
        Tensor z = t(BIN_TRUE, 3, 2);
        assertLoss(0.6548954406272098, Loss.BINARY_CROSSENTROPY.compute(z, t(BIN_PROB, 3, 2)), 1e-13);
        assertLoss(0.7033919380230976, new BinaryCrossentropy(false, 0.2).compute(z, t(BIN_PROB, 3, 2)), 1e-13);
        assertLoss(0.8162920668819139, new BinaryCrossentropy(true).compute(z, t(BIN_LOGIT, 3, 2)), 1e-13);
        assertLoss(0.8512920668819138, new BinaryCrossentropy(true, 0.2).compute(z, t(BIN_LOGIT, 3, 2)), 1e-13);
        assertLoss(0.6548954406272098, Loss.BINARY_CROSSENTROPY.compute(f32(BIN_TRUE, 3, 2), f32(BIN_PROB, 3, 2)), 1e-6);
    }

    @Test
    void binaryCrossentropyLogitGradientMatchesPyTorch() {
        Tensor x = t(BIN_LOGIT, 3, 2).requiresGrad(true);
        new BinaryCrossentropy(true).compute(t(BIN_TRUE, 3, 2), x).backward();
        assertAllClose(x.grad().toDoubleArray(), new double[] {-0.01986715367035295, 0.030404253967726058, 0.09574041946860984,
                0.05530203797197231, -0.038579202750163744, -0.15876235447040554}, 1e-12, 1e-15);
    }

    @Test
    void binaryCrossentropyKerasExampleAndClipping() {
        // Keras docs: binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) = [0.916, 0.714]
        double expected = (-(Math.log(0.4) + Math.log(0.4)) / 2 - (Math.log(0.6) + Math.log(0.4)) / 2) / 2;
        assertLoss(expected, Loss.BINARY_CROSSENTROPY.compute(t(new double[] {0, 1, 0, 0}, 2, 2), t(new double[] {0.6, 0.4, 0.4, 0.6}, 2, 2)), 1e-14);
        // p = 0 for a positive label is clipped to 1e-7: loss −log(1e-7) = 16.118
        assertLoss(-Math.log(1e-7), Loss.BINARY_CROSSENTROPY.compute(t(new double[] {1}, 1, 1), t(new double[] {0}, 1, 1)), 1e-12);
        assertLoss(-Math.log(1e-7), Loss.BINARY_CROSSENTROPY.compute(t(new double[] {0}, 1, 1), t(new double[] {1}, 1, 1)), 1e-9);
    }

    @Test
    void categoricalCrossentropyMatchesPyTorch() {
        Tensor y = t(ONE_HOT, 3, 4);
        assertLoss(1.3123248554937066, new CategoricalCrossentropy(true).compute(y, t(LOGITS, 3, 4)), 1e-13);
        assertLoss(1.3898248554937065, new CategoricalCrossentropy(true, 0.1).compute(y, t(LOGITS, 3, 4)), 1e-13);
        assertLoss(0.8634223884819422, Loss.CATEGORICAL_CROSSENTROPY.compute(y, t(PROBS, 3, 4)), 1e-13);
        assertLoss(0.9359183447170271, new CategoricalCrossentropy(false, 0.1).compute(y, t(PROBS, 3, 4)), 1e-13);
        assertLoss(1.3123248554937066, new CategoricalCrossentropy(true).compute(f32(ONE_HOT, 3, 4), f32(LOGITS, 3, 4)), 1e-6);
    }

    @Test
    void categoricalProbabilitiesAreRenormalizedAndClipped() {
        // Keras docs: [[0, 1, 0], [0, 0, 1]] vs [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] -> (0.0513 + 2.303) / 2 = 1.1769392
        Tensor y = t(new double[] {0, 1, 0, 0, 0, 1}, 2, 3), p = t(new double[] {0.05, 0.95, 0, 0.1, 0.8, 0.1}, 2, 3);
        assertLoss(-(Math.log(0.95) + Math.log(0.1)) / 2, Loss.CATEGORICAL_CROSSENTROPY.compute(y, p), 1e-14);
        // rows that do not sum to 1 are divided by their sum first: [1, 3] -> [0.25, 0.75]
        assertLoss(-Math.log(0.25), Loss.CATEGORICAL_CROSSENTROPY.compute(t(new double[] {1, 0}, 1, 2), t(new double[] {1, 3}, 1, 2)), 1e-14);
        // a zero probability for the true class is clipped to 1e-7
        assertLoss(-Math.log(1e-7), Loss.CATEGORICAL_CROSSENTROPY.compute(t(new double[] {1, 0}, 1, 2), t(new double[] {0, 1}, 1, 2)), 1e-12);
    }

    @Test
    void sparseCategoricalCrossentropyMatchesPyTorch() {
        Loss logits = new SparseCategoricalCrossentropy(true);
        assertLoss(1.3123248554937066, logits.compute(t(LABELS, 3), t(LOGITS, 3, 4)), 1e-13);
        assertLoss(1.3123248554937066, logits.compute(t(LABELS, 3, 1), t(LOGITS, 3, 4)), 1e-13);
        assertLoss(1.3123248554937066, logits.compute(f32(LABELS, 3), f32(LOGITS, 3, 4)), 1e-6);
        assertLoss(0.8634223884819422, Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(LABELS, 3), t(PROBS, 3, 4)), 1e-13);
        // Keras docs: sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]) = [0.0513, 2.303]
        assertLoss(-(Math.log(0.95) + Math.log(0.1)) / 2,
                Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(new double[] {1, 2}, 2), t(new double[] {0.05, 0.95, 0, 0.1, 0.8, 0.1}, 2, 3)), 1e-14);
    }

    @Test
    void sparseGradientMatchesPyTorch() {
        Tensor x = t(LOGITS, 3, 4).requiresGrad(true);
        new SparseCategoricalCrossentropy(true).compute(t(LABELS, 3), x).backward();
        assertAllClose(x.grad().toDoubleArray(), new double[] {0.07473593934940037, 0.20315334586629236, -0.28800369473549814,
                0.010114409519805408, -0.27863973144531645, 0.03317334643519901, 0.200687051147794, 0.0447793338623234,
                0.0019635353078221673, 0.023920757029171576, 0.016034562953001635, -0.041918855289995394}, 1e-12, 1e-15);
    }

    // Sequences: yPred [2, 3, 4], ids [2, 3]; PyTorch cross_entropy over the permuted [2, 4, 3] input.
    static final double[] SEQ = {0.1, 0.2, -0.3, 0.4, 1.0, -1.0, 0.5, 0.0, 0.3, 0.3, 0.3, 0.9,
                                 -0.5, 0.2, 0.7, 0.1, 2.0, 1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0};
    static final double[] SEQ_IDS = {3, 0, 2, 2, 1, 0};

    @Test
    void sparseSequencesMatchPyTorch() {
        assertLoss(1.1936946648327578, new SparseCategoricalCrossentropy(true).compute(t(SEQ_IDS, 2, 3), t(SEQ, 2, 3, 4)), 1e-13);
        Tensor probs = t(SEQ, 2, 3, 4).softmax(-1);
        assertLoss(1.1936946648327578, Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(SEQ_IDS, 2, 3), probs), 1e-12);
        assertLoss(1.1936946648327578, Loss.CATEGORICAL_CROSSENTROPY.compute(Tensor.oneHot(t(SEQ_IDS, 2, 3), 4).to(DType.FLOAT64), probs), 1e-12);
    }

    @Test
    void sparseEqualsCategoricalOnOneHot() {
        Tensor ids = t(LABELS, 3), oneHot = t(ONE_HOT, 3, 4);
        for (boolean fromLogits : new boolean[] {false, true}) {
            Tensor in = fromLogits ? t(LOGITS, 3, 4) : t(PROBS, 3, 4);
            assertLoss(new CategoricalCrossentropy(fromLogits).compute(oneHot, in).item(),
                    new SparseCategoricalCrossentropy(fromLogits).compute(ids, in), 1e-14);
        }
    }

    @Test
    void gatherPathMatchesMaskPath() {
        // From 512 classes the true entries are gathered; the result and gradient must equal the dense product.
        int batch = 5, classes = SparseCategoricalCrossentropy.GATHER_MIN_CLASSES + 3;
        Tensor x = Tensor.randn(new java.util.SplittableRandom(7), batch, classes).to(DType.FLOAT64);
        double[] ids = {0, classes - 1, 17, 300, 17};
        for (boolean fromLogits : new boolean[] {false, true}) {
            Tensor in = fromLogits ? x : x.softmax(-1);
            Tensor a = in.detach().requiresGrad(true), b = in.detach().requiresGrad(true);
            Tensor sparse = new SparseCategoricalCrossentropy(fromLogits).compute(t(ids, batch), a);
            Tensor dense = new CategoricalCrossentropy(fromLogits).compute(Tensor.oneHot(t(ids, batch), classes).to(DType.FLOAT64), b);
            assertLoss(dense.item(), sparse, 1e-13);
            sparse.backward();
            dense.backward();
            assertAllClose(a.grad(), b.grad(), 1e-12, 1e-15);
        }
    }
}
