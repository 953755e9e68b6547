package dev.myelin.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LayerNormalization: Keras's formula (epsilon inside the square root, biased variance), axes, masks and the harness. */
class LayerNormalizationTest {
    @Test
    void harness() {
        LayerTestHarness.of(LayerNormalization::new).inputShape(3, 5).expectOutputShape(3, 5).expectWeights(2, 0).expectParams(10).run();
        LayerTestHarness.of(() -> new LayerNormalization().axis(1).scale(false)).inputShape(4, 3).expectWeights(1, 0).expectParams(4).run();
        LayerTestHarness.of(() -> new LayerNormalization().epsilon(1e-5)).inputShape(7).expectParams(14).run();
    }

    /** y = gamma·(x − mean)/sqrt(var + eps) + beta over the last axis, in plain loops. */
    @Test
    void matchesKerasFormula() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 6, n = 5;
        double[] x = new double[rows * n], gamma = new double[n], beta = new double[n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble(-3, 3) * (i % 3 == 0 ? 0.01 : 1); // some small variances: epsilon matters
        for (int i = 0; i < n; i++) {
            gamma[i] = r.nextDouble(0.5, 1.5);
            beta[i] = r.nextDouble(-1, 1);
        }
        double eps = 1e-3;
        double[] expected = new double[x.length];
        for (int row = 0; row < rows; row++) {
            double mean = 0, var = 0;
            for (int i = 0; i < n; i++) mean += x[row * n + i] / n;
            for (int i = 0; i < n; i++) var += Math.pow(x[row * n + i] - mean, 2) / n;
            for (int i = 0; i < n; i++) expected[row * n + i] = gamma[i] * (x[row * n + i] - mean) / Math.sqrt(var + eps) + beta[i];
        }
        LayerNormalization ln = new LayerNormalization();
        ln.dtype(DType.FLOAT64);
        ln.build(Shape.of(3, n), new SplittableRandom(1));
        try (var s = NoGrad.scope()) {
            ln.gamma().value().assign(Tensor.of(gamma, n));
            ln.beta().value().assign(Tensor.of(beta, n));
        }
        TensorAssert.assertAllClose(ln.call(Tensor.of(x, 2, 3, n), false).toDoubleArray(), expected, 1e-12, 1e-12);
        TensorAssert.assertAllClose(ln.call(Tensor.of(x, 2, 3, n), true).toDoubleArray(), expected, 1e-12, 1e-12);
    }

    /** float32 on the last axis takes the fused operation; it agrees with the float64 composed formula, output and gradients. */
    @Test
    void float32FusedAgreesWithFloat64Composed() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 33;
        double[] x = new double[4 * 3 * n], gamma = new double[n], beta = new double[n], w = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble(-3, 3);
            w[i] = r.nextDouble(-1, 1);
        }
        for (int i = 0; i < n; i++) {
            gamma[i] = r.nextDouble(0.5, 1.5);
            beta[i] = r.nextDouble(-1, 1);
        }
        double[][] got = new double[2][];
        double[][] dx = new double[2][], dgamma = new double[2][];
        for (int k = 0; k < 2; k++) {
            DType type = k == 0 ? DType.FLOAT32 : DType.FLOAT64;
            LayerNormalization ln = new LayerNormalization();
            ln.dtype(type);
            ln.build(Shape.of(3, n), new SplittableRandom(1));
            try (var s = NoGrad.scope()) {
                ln.gamma().value().assign(Tensor.of(gamma, n).to(type));
                ln.beta().value().assign(Tensor.of(beta, n).to(type));
            }
            Tensor in = Tensor.of(x, 4, 3, n).to(type).requiresGrad(true);
            Tensor y = ln.call(in, true);
            y.mul(Tensor.of(w, 4, 3, n).to(type)).sum().backward();
            got[k] = y.toDoubleArray();
            dx[k] = in.grad().toDoubleArray();
            dgamma[k] = ln.gamma().value().grad().toDoubleArray();
        }
        TensorAssert.assertAllClose(got[0], got[1], 1e-5, 1e-5);
        TensorAssert.assertAllClose(dx[0], dx[1], 1e-4, 1e-4);
        TensorAssert.assertAllClose(dgamma[0], dgamma[1], 1e-4, 1e-4);
    }

    @Test
    void normalizesAMiddleAxis() {
        LayerNormalization ln = new LayerNormalization().axis(1).center(false).scale(false);
        ln.dtype(DType.FLOAT64);
        ln.build(Shape.of(3, 2), new SplittableRandom(1));
        Tensor x = Tensor.of(new double[] {1, 10, 2, 20, 3, 30}, 1, 3, 2);
        double s = Math.sqrt(2.0 / 3 + 1e-3), s2 = Math.sqrt(200.0 / 3 + 1e-3);
        TensorAssert.assertAllClose(ln.call(x, false).toDoubleArray(), new double[] {-1 / s, -10 / s2, 0, 0, 1 / s, 10 / s2}, 1e-12, 1e-12);
    }

    @Test
    void passesTheMaskThrough() {
        LayerNormalization ln = new LayerNormalization();
        ln.build(Shape.of(2, 3), new SplittableRandom(1));
        Tensor mask = Tensor.of(new double[] {1, 0}, 1, 2);
        Tensor x = Masks.attach(Tensor.ones(1, 2, 3), mask);
        assertEquals(mask, Masks.of(ln.call(x, false)));
    }

    @Test
    void badSettingsAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LayerNormalization().axis(0)).getMessage().contains("axis=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LayerNormalization().epsilon(0)).getMessage().contains("epsilon=0"));
        var e = assertThrows(IllegalArgumentException.class, () -> new LayerNormalization().axis(3).outputShape(Shape.of(4, 2)));
        assertTrue(e.getMessage().contains("axis 3") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }
}
