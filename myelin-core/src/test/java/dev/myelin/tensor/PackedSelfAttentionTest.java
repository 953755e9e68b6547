package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/**
 * Tensor.packedSelfAttention against the attention of the same q, k and v split out of the packed tensor
 * with tensor operations (slices, reshapes, permutes) and merged back: float64 finite-difference gradient
 * checks (the composed backend path), the float32 fused kernel (strided operands and outputs) on odd sizes
 * (T not a multiple of the kernel's blocks, 1 and 3 heads, Dv ≠ D, masks, causal), values and gradients;
 * 1 and 2 threads give the same bits; argument checks.
 */
class PackedSelfAttentionTest {

    /** The definition: heads split from the packed tensor with tensor operations, attended, merged back. */
    private static Tensor split(Tensor qkv, int heads, int d, int dv, Tensor mask, boolean causal, double scale) {
        int b = qkv.dim(0), t = qkv.dim(1), hd = heads * d;
        Tensor q = qkv.slice(2, 0, hd).reshape(b, t, heads, d).permute(0, 2, 1, 3);
        Tensor k = qkv.slice(2, hd, 2 * hd).reshape(b, t, heads, d).permute(0, 2, 1, 3);
        Tensor v = qkv.slice(2, 2 * hd, 2 * hd + heads * dv).reshape(b, t, heads, dv).permute(0, 2, 1, 3);
        return Tensor.scaledDotProductAttention(q, k, v, mask, causal, scale).permute(0, 2, 1, 3).contiguous().reshape(b, t, heads * dv);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // heads 1 and 3, Dv ≠ D, with and without masks, causal
        GradCheck.check(t -> Tensor.packedSelfAttention(t[0], 1, 3, null, false, 0.6), AttentionOpTest.random(1, 2, 4, 1 * (2 * 3 + 2)));
        GradCheck.check(t -> Tensor.packedSelfAttention(t[0], 3, 2, null, true, 0.7), AttentionOpTest.random(2, 1, 5, 3 * (2 * 2 + 3)));
        Tensor keyPadding = AttentionOpTest.mask(3, 2, 1, 1, 4);
        GradCheck.check(t -> Tensor.packedSelfAttention(t[0], 3, 2, keyPadding, false, 0.5), AttentionOpTest.random(4, 2, 4, 3 * (2 * 2 + 1)));
        Tensor full = AttentionOpTest.mask(5, 4, 4);
        GradCheck.check(t -> Tensor.packedSelfAttention(t[0], 1, 2, full, true, 0.5), AttentionOpTest.random(6, 1, 4, 1 * (2 * 2 + 3)));
    }

    /** The float32 fused kernel, reading and writing strided rows of the packed tensors, against the split formula. */
    @Test
    void float32MatchesTheSplitHeads() {
        int b = 2, t = 70;   // more than one block of 64 queries and keys, not a multiple of 8
        for (int[] hd : new int[][] {{1, 5, 7}, {3, 5, 7}, {3, 8, 8}}) {
            int heads = hd[0], d = hd[1], dv = hd[2];
            for (boolean causal : new boolean[] {false, true}) {
                for (Tensor m : new Tensor[] {null, AttentionOpTest.mask(7, b, 1, 1, t), AttentionOpTest.mask(8, t, t)}) {
                    Tensor packed = AttentionOpTest.random(10, b, t, heads * (2 * d + dv)).to(DType.FLOAT32).requiresGrad(true);
                    Tensor ref = packed.detach().requiresGrad(true);
                    Tensor y = Tensor.packedSelfAttention(packed, heads, d, m, causal, 0.4);
                    Tensor want = split(ref, heads, d, dv, m, causal, 0.4);
                    String what = "heads " + heads + ", d " + d + ", dv " + dv + ", causal " + causal + ", mask " + (m == null ? "none" : m.shape());
                    assertEquals(DType.FLOAT32, y.dtype());
                    assertEquals(Shape.of(b, t, heads * dv), y.shape(), what);
                    TensorAssert.assertAllClose(y, want, 1e-6, 1e-6);
                    Tensor w = AttentionOpTest.random(20, y.shape().toArray()).to(DType.FLOAT32);
                    y.mul(w).sum().backward();
                    want.mul(w).sum().backward();
                    TensorAssert.assertAllClose(packed.grad(), ref.grad(), 1e-5, 1e-6);
                }
            }
        }
    }

    /** A broadcast gradient (that of a plain sum) is read through its zero strides. */
    @Test
    void aBroadcastGradientIsReadThroughItsStrides() {
        Tensor packed = AttentionOpTest.random(30, 2, 9, 2 * (2 * 4 + 4)).to(DType.FLOAT32).requiresGrad(true);
        Tensor ref = packed.detach().requiresGrad(true);
        Tensor.packedSelfAttention(packed, 2, 4, null, true, 0.5).sum().backward();
        split(ref, 2, 4, 4, null, true, 0.5).sum().backward();
        TensorAssert.assertAllClose(packed.grad(), ref.grad(), 1e-5, 1e-6);
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        float[][] one = run(1), two = run(2);
        assertArrayEquals(one[0], two[0], "output");
        assertArrayEquals(one[1], two[1], "gradient");
    }

    private static float[][] run(int threads) {
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Tensor packed = AttentionOpTest.random(40, 4, 100, 4 * (2 * 8 + 8)).to(DType.FLOAT32).requiresGrad(true);
            Tensor y = Tensor.packedSelfAttention(packed, 4, 8, AttentionOpTest.mask(41, 4, 1, 1, 100), true, 0.35);
            y.mul(AttentionOpTest.random(42, y.shape().toArray()).to(DType.FLOAT32)).sum().backward();
            return new float[][] {y.toFloatArray(), packed.grad().toFloatArray()};
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void badArgumentsAreClearErrors() {
        Tensor qkv = Tensor.zeros(DType.FLOAT32, Shape.of(2, 5, 3 * 2 * 4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.packedSelfAttention(qkv.reshape(10, 24), 2, 4, null, false, 1))
                .getMessage().contains("[B, T, H·(2·D + Dv)]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.packedSelfAttention(qkv, 5, 4, null, false, 1))
                .getMessage().contains("heads=5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.packedSelfAttention(qkv.slice(2, 0, 23), 2, 4, null, false, 1))
                .getMessage().contains("heads=2"));
        String m = assertThrows(IllegalArgumentException.class,
                () -> Tensor.packedSelfAttention(qkv, 2, 4, Tensor.zeros(DType.FLOAT32, Shape.of(4, 5)), false, 1)).getMessage();
        assertTrue(m.contains("[2, 2, 5, 5]") && m.contains("[4, 5]"), m);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.packedSelfAttention(qkv.slice(1, 0, 0), 2, 4, null, false, 1))
                .getMessage().contains("at least one position"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.packedSelfAttention(qkv, 2, 4, null, false, Double.NaN))
                .getMessage().contains("scale"));
    }
}
