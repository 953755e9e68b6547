package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.TensorAssert;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tensor.layerNorm: float64 finite-difference gradient checks of the fused operation's rule (its backward
 * composed from the backend's primitives in float64), with and without gamma and beta; the float32 fused
 * kernel against Keras's formula composed from tensor operations (what LayerNormalization computes in
 * float64), forward and every gradient, on odd widths; argument checks.
 */
class LayerNormOpTest {
    private static final double EPS = 1e-3;

    private static Tensor random(long seed, double lo, double hi, DType type, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(lo, hi);
        Tensor t = Tensor.of(v, shape);
        return type == DType.FLOAT64 ? t : t.to(type);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = random(1, -2, 3, DType.FLOAT64, 4, 5), gamma = random(2, -2, 2, DType.FLOAT64, 5), beta = random(3, -1, 1, DType.FLOAT64, 5);
        GradCheck.check(t -> t[0].layerNorm(t[1], t[2], EPS), x, gamma, beta);
        GradCheck.check(t -> t[0].layerNorm(null, t[1], EPS), x, beta);
        GradCheck.check(t -> t[0].layerNorm(t[1], null, EPS), x, gamma);
        GradCheck.check(t -> t[0].layerNorm(null, null, EPS), x);
        // rank 3 (a Transformer's [batch, time, width]), width 1 and 7
        GradCheck.check(t -> t[0].layerNorm(t[1], t[2], EPS), random(4, -1, 2, DType.FLOAT64, 2, 3, 7), random(5, 0.5, 2, DType.FLOAT64, 7),
                random(6, -1, 1, DType.FLOAT64, 7));
        GradCheck.check(t -> t[0].layerNorm(t[1], t[2], EPS), random(7, -1, 2, DType.FLOAT64, 3, 1), random(8, 0.5, 2, DType.FLOAT64, 1),
                random(9, -1, 1, DType.FLOAT64, 1));
    }

    /** Keras's LayerNormalization formula on the last axis, as tensor operations (autograd derives its gradient). */
    private static Tensor composed(Tensor x, Tensor gamma, Tensor beta) {
        int[] axes = {x.rank() - 1};
        Tensor mean = x.mean(axes, true);
        Tensor inv = x.sub(mean).square().mean(axes, true).add(EPS).rsqrt().mul(gamma);
        return x.sub(mean).mul(inv).add(beta);
    }

    @Test
    void float32KernelMatchesTheComposedFormula() {
        long seed = 10;
        for (int width : new int[] {1, 7, 33, 128, 130}) {
            for (int[] lead : new int[][] {{1}, {3, 5}, {2, 37}}) {
                int[] shape = new int[lead.length + 1];
                System.arraycopy(lead, 0, shape, 0, lead.length);
                shape[lead.length] = width;
                Tensor x = random(seed++, -3, 4, DType.FLOAT32, shape), w = random(seed++, -1, 1, DType.FLOAT32, shape);
                Tensor gamma = random(seed++, -2, 2, DType.FLOAT32, width), beta = random(seed++, -1, 1, DType.FLOAT32, width);
                Tensor[] fused = {x.detach().requiresGrad(true), gamma.detach().requiresGrad(true), beta.detach().requiresGrad(true)};
                Tensor[] reference = {x.detach().requiresGrad(true), gamma.detach().requiresGrad(true), beta.detach().requiresGrad(true)};
                Tensor yFused = fused[0].layerNorm(fused[1], fused[2], EPS), yRef = composed(reference[0], reference[1], reference[2]);
                String at = "shape " + Shape.of(shape);
                assertTrue(yFused.dtype() == DType.FLOAT32, at);
                TensorAssert.assertAllClose(yFused.toFloatArray(), yRef.toFloatArray(), 1e-5, 1e-5);
                // a weighted sum, so a transposed or misplaced gradient shows
                yFused.mul(w).sum().backward();
                yRef.mul(w).sum().backward();
                for (int i = 0; i < 3; i++) TensorAssert.assertAllClose(fused[i].grad().toFloatArray(), reference[i].grad().toFloatArray(), 1e-4, 1e-4);
            }
        }
    }

    @Test
    void aStridedInputIsNormalizedAsItsValues() {
        Tensor x = random(30, -2, 2, DType.FLOAT32, 9, 6);
        Tensor gamma = random(31, -2, 2, DType.FLOAT32, 9);
        Tensor xt = x.transpose(0, 1);   // [6, 9], not contiguous
        TensorAssert.assertAllClose(xt.layerNorm(gamma, null, EPS).toFloatArray(), xt.contiguous().layerNorm(gamma, null, EPS).toFloatArray(), 0, 0);
    }

    @Test
    void badArgumentsAreClearErrors() {
        Tensor x = Tensor.ones(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(Tensor.ones(4), null, EPS));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.layerNorm(null, null, Double.NaN));
    }
}
