package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.TensorAssert;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tensor.scaledDotProductAttention: float64 finite-difference gradient checks of its rule (the composed
 * backward in float64) with broadcast masks and causal masking, Tq ≠ Tk; the float32 operation (the CPU
 * backend's fused kernel) against the same formula written with tensor operations, values and gradients;
 * Keras's answer for a query whose keys are all masked; which gradients are computed; argument checks.
 */
class AttentionOpTest {

    /** Values in [-1.5, 1.5) from a seeded stream, float64 (also used by PackedSelfAttentionTest). */
    static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1.5, 1.5);
        return Tensor.of(v, shape);
    }

    /** 1 = attend, 0 = masked: a seeded pattern that leaves key 0 visible to every query. */
    static Tensor mask(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int last = shape[shape.length - 1];
        float[] m = new float[Shape.of(shape).size()];
        for (int i = 0; i < m.length; i++) m[i] = i % last == 0 || r.nextDouble() < 0.6 ? 1 : 0;
        return Tensor.of(m, shape);
    }

    /** The definition with tensor operations: softmax((q·scale)·kᵀ + (1 − mask·causal)·(−1e9))·v. */
    private static Tensor composed(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        int tq = q.dim(2), tk = k.dim(2);
        Tensor keep = mask == null ? Tensor.ones(tq, tk).to(q.dtype()) : mask.to(q.dtype());
        if (causal) {
            float[] c = new float[tq * tk];
            for (int i = 0; i < tq; i++) for (int j = 0; j < tk; j++) c[i * tk + j] = j <= i + tk - tq ? 1 : 0;
            keep = keep.mul(Tensor.of(c, tq, tk).to(q.dtype()));
        }
        Tensor bias = keep.neg().add(1).mul(-1e9);
        return q.mul(scale).matmul(k.mT()).add(bias).softmax(-1).matmul(v);
    }

    private static void check(int[] qShape, int[] kShape, int[] vShape, Tensor mask, boolean causal) {
        double scale = 1 / Math.sqrt(qShape[3]);
        GradCheck.check(t -> Tensor.scaledDotProductAttention(t[0], t[1], t[2], mask, causal, scale),
                random(1, qShape), random(2, kShape), random(3, vShape));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        check(new int[] {2, 2, 3, 4}, new int[] {2, 2, 5, 4}, new int[] {2, 2, 5, 3}, null, false);
        check(new int[] {1, 2, 4, 3}, new int[] {1, 2, 4, 3}, new int[] {1, 2, 4, 2}, null, true);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithMasks() {
        check(new int[] {2, 1, 3, 2}, new int[] {2, 1, 5, 2}, new int[] {2, 1, 5, 3}, mask(4, 2, 1, 1, 5), false);  // key padding
        check(new int[] {1, 2, 3, 2}, new int[] {1, 2, 6, 2}, new int[] {1, 2, 6, 2}, mask(5, 3, 6), true);         // [Tq, Tk], causal
        check(new int[] {1, 1, 4, 5}, new int[] {1, 1, 4, 5}, new int[] {1, 1, 4, 1}, mask(6, 1, 1, 4, 4), true);
    }

    /** The fused float32 kernel against the formula composed from tensor operations, values and gradients. */
    @Test
    void float32MatchesTheFormulaWithTensorOperations() {
        int[][] shapes = {{2, 3, 7, 5}, {2, 3, 33, 5}, {2, 3, 33, 3}};
        for (boolean causal : new boolean[] {false, true}) {
            for (Tensor m : new Tensor[] {null, mask(7, 2, 1, 1, 33), mask(8, 7, 33)}) {
                Tensor[] fused = new Tensor[3], ref = new Tensor[3];
                for (int i = 0; i < 3; i++) {
                    fused[i] = random(10 + i, shapes[i]).to(DType.FLOAT32).detach().requiresGrad(true);
                    ref[i] = fused[i].detach().requiresGrad(true);
                }
                Tensor y = Tensor.scaledDotProductAttention(fused[0], fused[1], fused[2], m, causal, 0.4);
                Tensor want = composed(ref[0], ref[1], ref[2], m, causal, 0.4);
                assertEquals(DType.FLOAT32, y.dtype());
                TensorAssert.assertAllClose(y, want, 1e-5, 1e-5);
                Tensor w = random(20, y.shape().toArray()).to(DType.FLOAT32);
                y.mul(w).sum().backward();
                want.mul(w).sum().backward();
                for (int i = 0; i < 3; i++) TensorAssert.assertAllClose(fused[i].grad(), ref[i].grad(), 1e-4, 1e-5);
            }
        }
    }

    /** Keras: a query whose keys are all masked gets the softmax of its −1e9-biased scores, nearly uniform; never NaN. */
    @Test
    void aQueryWithEveryKeyMaskedAveragesTheValues() {
        Tensor q = random(1, 1, 1, 2, 4).to(DType.FLOAT32).requiresGrad(true);
        Tensor k = random(2, 1, 1, 3, 4).to(DType.FLOAT32).requiresGrad(true);
        Tensor v = random(3, 1, 1, 3, 2).to(DType.FLOAT32).requiresGrad(true);
        Tensor m = Tensor.of(new float[] {1, 0, 1, 0, 0, 0}, 2, 3);
        Tensor y = Tensor.scaledDotProductAttention(q, k, v, m, false, 0.5);
        Tensor mean = v.detach().mean(new int[] {2}, false);
        for (int e = 0; e < 2; e++) assertEquals(mean.get(0, 0, e), y.get(0, 0, 1, e), 1e-6, "column " + e);
        y.sum().backward();
        for (Tensor t : new Tensor[] {q, k, v}) {
            for (float g : t.grad().toFloatArray()) assertTrue(Float.isFinite(g), "finite gradients");
        }
    }

    @Test
    void onlyTheGradientsTheGraphNeedsAreComputed() {
        Tensor q = random(1, 1, 2, 5, 4).to(DType.FLOAT32);
        Tensor k = random(2, 1, 2, 6, 4).to(DType.FLOAT32);
        Tensor v = random(3, 1, 2, 6, 3).to(DType.FLOAT32).requiresGrad(true);
        Tensor vRef = v.detach().requiresGrad(true);
        Tensor.scaledDotProductAttention(q, k, v, null, true, 0.5).square().sum().backward();
        composed(q, k, vRef, null, true, 0.5).square().sum().backward();
        assertNull(q.grad());
        TensorAssert.assertAllClose(v.grad(), vRef.grad(), 1e-4, 1e-5);
    }

    @Test
    void badArgumentsAreClearErrors() {
        Tensor q = Tensor.zeros(DType.FLOAT32, Shape.of(2, 3, 4, 5)), k = Tensor.zeros(DType.FLOAT32, Shape.of(2, 3, 6, 5));
        Tensor v = Tensor.zeros(DType.FLOAT32, Shape.of(2, 3, 6, 7));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.scaledDotProductAttention(q.reshape(6, 4, 5), k, v, null, false, 1))
                .getMessage().contains("q [B, H, Tq, D]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.scaledDotProductAttention(q, k, v.slice(2, 0, 5), null, false, 1))
                .getMessage().contains("disagree"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.scaledDotProductAttention(q, k.slice(3, 0, 4), v, null, false, 1))
                .getMessage().contains("disagree"));
        String m = assertThrows(IllegalArgumentException.class,
                () -> Tensor.scaledDotProductAttention(q, k, v, Tensor.zeros(DType.FLOAT32, Shape.of(4, 5)), false, 1)).getMessage();
        assertTrue(m.contains("[2, 3, 4, 6]") && m.contains("[4, 5]"), m);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Tensor.scaledDotProductAttention(q, k.slice(2, 0, 0), v.slice(2, 0, 0), null, false, 1)).getMessage().contains("at least one key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.scaledDotProductAttention(q, k, v, null, false, Double.NaN))
                .getMessage().contains("scale"));
    }
}
