package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built64;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.autograd.NoGrad;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class BatchNormalizationTest {
    private static final double[] X = {1, 2, -1, 3, 0.5, -2, 0, 4, 1, 2, 1, 5};
    private static final double[] BATCH_MEAN = {1.5, 1.875, 0.75};
    private static final double[] BATCH_VAR = {1.25, 1.796875, 7.1875}; // biased: divides by n = 4

    private static BatchNormalization withGammaBeta(BatchNormalization bn) {
        built64(bn, 3);
        try (var s = NoGrad.scope()) {
            bn.gamma().value().assign(Tensor.of(new double[] {1.5, 0.5, -1}, 3));
            bn.beta().value().assign(Tensor.of(new double[] {0.1, 0.2, -0.3}, 3));
        }
        return bn;
    }

    @Test
    void trainingOutputMatchesPyTorch() {
        // PyTorch 1.13: F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-3) normalizes with the biased variance, as Keras
        BatchNormalization bn = withGammaBeta(new BatchNormalization());
        Tensor y = bn.call(Tensor.of(X, 4, 3), true);
        TensorAssert.assertValues(y, new double[] {
                -0.5705522259822751, 0.24661227184479118, 0.3527079615762008,
                2.1116566779468258, -0.31273499029270296, 0.7256839396197441,
                -1.9116566779468254, 0.99240862136145, -0.3932439945108858,
                0.7705522259822752, -0.12628590291353825, -1.8851479066850592}, 1e-12);
    }

    @Test
    void movingStatisticsFollowKerasRule() {
        BatchNormalization bn = withGammaBeta(new BatchNormalization());
        bn.call(Tensor.of(X, 4, 3), true);
        // moving = moving · 0.99 + batch · 0.01, from zeros and ones; the variance is the biased one
        double[] mm = new double[3], mv = new double[3];
        for (int i = 0; i < 3; i++) {
            mm[i] = 0 * 0.99 + BATCH_MEAN[i] * 0.01;
            mv[i] = 1 * 0.99 + BATCH_VAR[i] * 0.01;
        }
        TensorAssert.assertValues(bn.movingMean().value(), mm, 1e-15);
        TensorAssert.assertValues(bn.movingVariance().value(), mv, 1e-15);

        // a second step with momentum 0.9 on another batch
        BatchNormalization bn2 = withGammaBeta(new BatchNormalization().momentum(0.9));
        bn2.call(Tensor.of(X, 4, 3), true);
        Tensor x2 = filled(i -> i * 0.5 - 2, 4, 3);
        bn2.call(x2, true);
        for (int c = 0; c < 3; c++) {
            double m2 = 0, v2 = 0;
            for (int r = 0; r < 4; r++) m2 += x2.get(r, c) / 4;
            for (int r = 0; r < 4; r++) v2 += Math.pow(x2.get(r, c) - m2, 2) / 4;
            double m1 = BATCH_MEAN[c] * 0.1, v1 = 0.9 + BATCH_VAR[c] * 0.1;
            assertEquals(m1 * 0.9 + m2 * 0.1, bn2.movingMean().value().get(c), 1e-14);
            assertEquals(v1 * 0.9 + v2 * 0.1, bn2.movingVariance().value().get(c), 1e-14);
        }
    }

    @Test
    void inferenceUsesMovingStatisticsAndDoesNotUpdateThem() {
        BatchNormalization bn = withGammaBeta(new BatchNormalization());
        bn.call(Tensor.of(X, 4, 3), true);
        double[] mm = bn.movingMean().value().toDoubleArray(), mv = bn.movingVariance().value().toDoubleArray();
        Tensor x = filled(i -> i - 3.5, 2, 3);
        Tensor y = bn.call(x, false);
        double[] gamma = {1.5, 0.5, -1}, beta = {0.1, 0.2, -0.3};
        double[] expected = new double[6];
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++) expected[r * 3 + c] = gamma[c] * (x.get(r, c) - mm[c]) / Math.sqrt(mv[c] + 1e-3) + beta[c];
        TensorAssert.assertValues(y, expected, 1e-12);
        TensorAssert.assertValues(bn.movingMean().value(), mm, 0);
        TensorAssert.assertValues(bn.movingVariance().value(), mv, 0);
    }

    @Test
    void frozenLayerRunsInInferenceMode() {
        BatchNormalization bn = withGammaBeta(new BatchNormalization());
        bn.trainable(false);
        assertEquals(0, bn.trainableWeights().size());
        assertEquals(4, bn.nonTrainableWeights().size());
        Tensor y = bn.call(Tensor.of(X, 4, 3), true);
        TensorAssert.assertAllClose(y, bn.call(Tensor.of(X, 4, 3), false), 0, 0);
        TensorAssert.assertValues(bn.movingMean().value(), new double[] {0, 0, 0}, 0);
        TensorAssert.assertValues(bn.movingVariance().value(), new double[] {1, 1, 1}, 0);
        // with moving statistics 0 and 1: y = gamma · x / sqrt(1 + eps) + beta
        assertEquals(1.5 * 1 / Math.sqrt(1.001) + 0.1, y.get(0, 0), 1e-12);
    }

    @Test
    void normalizesPerChannelOverBatchHeightAndWidth() {
        BatchNormalization bn = built64(new BatchNormalization().center(false).scale(false), 2, 3, 2);
        assertNull(bn.gamma());
        assertNull(bn.beta());
        assertEquals(2, bn.weights().size());
        Tensor x = filled(i -> Math.sin(i) * 3 + (i % 2) * 5, 4, 2, 3, 2);
        Tensor y = bn.call(x, true);
        for (int c = 0; c < 2; c++) {
            double m = 0, v = 0;
            int n = 4 * 2 * 3;
            for (int b = 0; b < 4; b++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) m += x.get(b, i, j, c) / n;
            for (int b = 0; b < 4; b++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) v += Math.pow(x.get(b, i, j, c) - m, 2) / n;
            for (int b = 0; b < 4; b++)
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 3; j++) assertEquals((x.get(b, i, j, c) - m) / Math.sqrt(v + 1e-3), y.get(b, i, j, c), 1e-12);
        }
    }

    @Test
    void otherFeatureAxis() {
        // channels-first [batch, 3, 4] normalized over batch and length with axis 1
        BatchNormalization bn = built64(new BatchNormalization().axis(1).epsilon(1e-5), 3, 4);
        assertEquals(Shape.of(3), bn.gamma().value().shape());
        Tensor x = filled(i -> (i * 5) % 7 + 0.1 * i, 2, 3, 4);
        Tensor y = bn.call(x, true);
        for (int c = 0; c < 3; c++) {
            double m = 0, v = 0;
            for (int b = 0; b < 2; b++) for (int l = 0; l < 4; l++) m += x.get(b, c, l) / 8;
            for (int b = 0; b < 2; b++) for (int l = 0; l < 4; l++) v += Math.pow(x.get(b, c, l) - m, 2) / 8;
            assertEquals(m * 0.01, bn.movingMean().value().get(c), 1e-14);
            for (int b = 0; b < 2; b++) for (int l = 0; l < 4; l++) assertEquals((x.get(b, c, l) - m) / Math.sqrt(v + 1e-5), y.get(b, c, l), 1e-12);
        }
        Tensor inference = bn.call(x, false);
        assertEquals(Shape.of(2, 3, 4), inference.shape());
    }

    @Test
    void defaultsAreKeras() {
        BatchNormalization bn = built64(new BatchNormalization(), 5);
        assertEquals(-1, bn.axis());
        assertEquals(0.99, bn.momentum());
        assertEquals(1e-3, bn.epsilon());
        assertEquals(20, bn.countParams());
        assertEquals(bn.name() + "/moving_variance", bn.movingVariance().name());
        TensorAssert.assertValues(bn.gamma().value(), new double[] {1, 1, 1, 1, 1}, 0);
        TensorAssert.assertValues(bn.movingVariance().value(), new double[] {1, 1, 1, 1, 1}, 0);
        TensorAssert.assertValues(bn.beta().value(), new double[5], 0);
        TensorAssert.assertValues(bn.movingMean().value(), new double[5], 0);
    }

    @Test
    void harness() {
        LayerTestHarness.of(BatchNormalization::new).inputShape(4).batchSize(5).expectOutputShape(4)
                .expectWeights(2, 2).expectParams(16).run();
        LayerTestHarness.of(BatchNormalization::new).inputShape(3, 2, 3).expectOutputShape(3, 2, 3)
                .expectWeights(2, 2).expectParams(12).run();
        LayerTestHarness.of(BatchNormalization::new).inputShape(3, 2, 3).training(false).expectWeights(2, 2).run();
        LayerTestHarness.of(() -> new BatchNormalization().axis(1).center(false)).inputShape(2, 5).expectWeights(1, 2).expectParams(6).run();
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new BatchNormalization().momentum(1.5), "momentum", "1.5");
        assertMessage(() -> new BatchNormalization().epsilon(0), "epsilon", "0");
        assertMessage(() -> new BatchNormalization().axis(0), "axis", "0");
        assertMessage(() -> new BatchNormalization().axis(3).name("bn_x").outputShape(Shape.of(4)), "bn_x", "BatchNormalization", "axis 3", "[4]");
        assertMessage(() -> new BatchNormalization().outputShape(Shape.scalar()), "axis -1", "[]");
    }
}
