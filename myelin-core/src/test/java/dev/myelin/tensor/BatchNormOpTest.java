package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.TensorAssert;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tensor.batchNormTraining / batchNormInference: float64 finite-difference gradient checks of the fused
 * operation's rule (its backward composed from the backend's primitives in float64), with and without
 * gamma and beta and along another axis; the statistics it returns; argument checks.
 */
class BatchNormOpTest {
    private static final double EPS = 1e-3;

    private static Tensor random(long seed, double lo, double hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(lo, hi);
        return Tensor.of(v, shape);
    }

    @Test
    void trainingGradientsMatchFiniteDifferences() {
        Tensor x = random(1, -2, 3, 6, 5), gamma = random(2, -2, 2, 5), beta = random(3, -1, 1, 5);
        GradCheck.check(t -> t[0].batchNormTraining(-1, t[1], t[2], EPS).output(), x, gamma, beta);
        GradCheck.check(t -> t[0].batchNormTraining(-1, null, t[1], EPS).output(), x, beta);
        GradCheck.check(t -> t[0].batchNormTraining(-1, t[1], null, EPS).output(), x, gamma);
        GradCheck.check(t -> t[0].batchNormTraining(-1, null, null, EPS).output(), x);
        // rank 4, channels-last, several rows per example
        GradCheck.check(t -> t[0].batchNormTraining(-1, t[1], t[2], EPS).output(), random(4, -1, 2, 2, 3, 2, 4), random(5, 0.5, 2, 4), random(6, -1, 1, 4));
    }

    @Test
    void trainingGradientsAlongAnotherAxis() {
        Tensor x = random(7, -2, 3, 3, 4, 5), gamma = random(8, -2, 2, 4), beta = random(9, -1, 1, 4);
        GradCheck.check(t -> t[0].batchNormTraining(1, t[1], t[2], EPS).output(), x, gamma, beta);
        GradCheck.check(t -> t[0].batchNormTraining(-2, null, t[1], EPS).output(), x, beta);
    }

    @Test
    void inferenceGradientsMatchFiniteDifferences() {
        Tensor mean = random(10, -1, 1, 5), variance = random(11, 0.2, 2, 5);
        Tensor x = random(12, -2, 3, 4, 5), gamma = random(13, -2, 2, 5), beta = random(14, -1, 1, 5);
        GradCheck.check(t -> t[0].batchNormInference(-1, mean, variance, t[1], t[2], EPS), x, gamma, beta);
        GradCheck.check(t -> t[0].batchNormInference(-1, mean, variance, null, null, EPS), x);
        Tensor mean3 = random(15, -1, 1, 3), variance3 = random(16, 0.2, 2, 3);
        GradCheck.check(t -> t[0].batchNormInference(1, mean3, variance3, t[1], null, EPS), random(17, -2, 2, 2, 3, 4), random(18, -1, 1, 3));
    }

    @Test
    void rectifiedGradientsMatchFiniteDifferences() {
        Tensor x = random(30, -2, 3, 6, 5), gamma = random(31, -2, 2, 5), beta = random(32, -1, 1, 5);
        GradCheck.check(t -> t[0].batchNormTrainingRelu(-1, t[1], t[2], EPS).output(), x, gamma, beta);
        GradCheck.check(t -> t[0].batchNormTrainingRelu(-1, null, null, EPS).output(), x);
        GradCheck.check(t -> t[0].batchNormTrainingRelu(1, t[1], t[2], EPS).output(), random(33, -2, 3, 3, 4, 5), random(34, -2, 2, 4), random(35, -1, 1, 4));
        Tensor mean = random(36, -1, 1, 5), variance = random(37, 0.2, 2, 5);
        GradCheck.check(t -> t[0].batchNormInferenceRelu(-1, mean, variance, t[1], t[2], EPS), x, gamma, beta);
    }

    @Test
    void rectifiedIsTheRectifierOfTheNormalization() {
        Tensor gamma = random(41, -2, 2, 5), beta = random(42, -1, 1, 5);
        Tensor x1 = random(40, -2, 3, 6, 5).requiresGrad(true), x2 = random(40, -2, 3, 6, 5).requiresGrad(true);
        Tensor g1 = gamma.detach().requiresGrad(true), g2 = gamma.detach().requiresGrad(true);
        Tensor fused = x1.batchNormTrainingRelu(-1, g1, beta, EPS).output(), apart = x2.batchNormTraining(-1, g2, beta, EPS).output().relu();
        assertEquals("batch_norm_relu", fused.gradFn().op());
        TensorAssert.assertValues(fused, apart.toDoubleArray(), 0);
        Tensor w = random(43, -1, 1, 6, 5);
        fused.mul(w).sum().backward();
        apart.mul(w).sum().backward();
        TensorAssert.assertValues(x1.grad(), x2.grad().toDoubleArray(), 0);
        TensorAssert.assertValues(g1.grad(), g2.grad().toDoubleArray(), 0);
    }

    @Test
    void returnsTheBatchStatisticsOutsideTheGraph() {
        Tensor x = random(20, -2, 3, 6, 2, 3).requiresGrad(true);
        BatchNormResult r = x.batchNormTraining(1, null, null, EPS);
        assertEquals(Shape.of(2), r.mean().shape());
        assertTrue(!r.mean().requiresGrad() && !r.variance().requiresGrad());
        for (int c = 0; c < 2; c++) {
            double m = 0, v = 0;
            for (int b = 0; b < 6; b++) for (int l = 0; l < 3; l++) m += x.get(b, c, l) / 18;
            for (int b = 0; b < 6; b++) for (int l = 0; l < 3; l++) v += Math.pow(x.get(b, c, l) - m, 2) / 18;
            assertEquals(m, r.mean().get(c), 1e-14);
            assertEquals(v, r.variance().get(c), 1e-14);   // biased
        }
        assertEquals(x.shape(), r.output().shape());
    }

    @Test
    void inferenceIsUnaffectedByLaterInPlaceUpdatesOfTheStatistics() {
        Tensor mean = random(21, -1, 1, 3), variance = random(22, 0.2, 2, 3);
        Tensor x = random(23, -2, 2, 4, 3).requiresGrad(true), gamma = random(24, 0.5, 2, 3).requiresGrad(true);
        Tensor y = x.batchNormInference(-1, mean, variance, gamma, null, EPS);
        try (var s = NoGrad.scope()) {
            mean.fill(5);
            variance.fill(7);   // as a later training step updates moving statistics
        }
        y.sum().backward();
        double[] g = gamma.toDoubleArray(), v = random(22, 0.2, 2, 3).toDoubleArray();
        double[] expected = new double[12];
        for (int i = 0; i < 12; i++) expected[i] = g[i % 3] / Math.sqrt(v[i % 3] + EPS);
        TensorAssert.assertValues(x.grad(), expected, 1e-12);
    }

    @Test
    void float32OperandsWithFloat64ParametersPromote() {
        Tensor x = random(25, -2, 2, 4, 3).to(DType.FLOAT32);
        Tensor y = x.batchNormTraining(-1, random(26, 0.5, 2, 3), null, EPS).output();
        assertEquals(DType.FLOAT64, y.dtype());
    }

    @Test
    void rejectsParametersOfTheWrongShape() {
        Tensor x = random(27, -2, 2, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.batchNormTraining(-1, random(1, 0, 1, 4), null, EPS));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[3]") && e.getMessage().contains("got [4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.batchNormInference(-1, random(1, 0, 1, 3), random(1, 0, 1, 2), null, null, EPS));
    }
}
