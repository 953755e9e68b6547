package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link MultiHeadAttention#attendIncrementally} against causal self-attention over the whole sequence. */
class KeyValueCacheTest {
    private static void check(DType dtype, int[] chunks, double tolerance) {
        int total = 0;
        for (int c : chunks) total += c;
        MultiHeadAttention m = new MultiHeadAttention(3, 5).valueDim(7);
        m.dtype(dtype);
        m.build(Shape.of(11, 9), new SplittableRandom(3));
        Tensor x = Tensor.rand(new SplittableRandom(4), 2, total, 9).to(dtype);
        double[] full;
        try (var _ = NoGrad.scope()) {
            full = m.call(x, x, null, null, true, false).toDoubleArray();
        }
        KeyValueCache cache = m.newCache(2, 11);
        int at = 0;
        for (int c : chunks) {
            double[] step;
            try (var _ = NoGrad.scope()) {
                step = m.attendIncrementally(x.slice(1, at, at + c), cache).toDoubleArray();
            }
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < c; i++) {
                    for (int f = 0; f < 9; f++) {
                        assertEquals(full[(b * total + at + i) * 9 + f], step[(b * c + i) * 9 + f], tolerance, "batch " + b + ", position " + (at + i));
                    }
                }
            }
            at += c;
            assertEquals(at, cache.length());
        }
    }

    @Test
    void incrementalStepsEqualTheLastRowsOfCausalAttention() {
        check(DType.FLOAT32, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1e-5);
        check(DType.FLOAT32, new int[] {5, 1, 3, 2}, 1e-5);
        check(DType.FLOAT64, new int[] {1, 4, 1, 1, 2, 1, 1}, 1e-12);
        check(DType.FLOAT64, new int[] {11}, 1e-12);
    }

    @Test
    void aFullCacheAndCrossAttentionAreClearErrors() {
        MultiHeadAttention m = new MultiHeadAttention(2, 4);
        m.build(Shape.of(4, 8), new SplittableRandom(1));
        KeyValueCache cache = m.newCache(1, 4);
        try (var _ = NoGrad.scope()) {
            m.attendIncrementally(Tensor.zeros(1, 3, 8), cache);
            var e = assertThrows(IllegalArgumentException.class, () -> m.attendIncrementally(Tensor.zeros(1, 2, 8), cache));
            assertTrue(e.getMessage().contains("3 of 4 positions"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.attendIncrementally(Tensor.zeros(2, 1, 8), cache), "another batch");
            cache.clear();
            assertEquals(0, cache.length());
        }
        MultiHeadAttention cross = new MultiHeadAttention(2, 4);
        cross.build(Shape.of(4, 8), Shape.of(5, 6), null, new SplittableRandom(1));
        assertThrows(IllegalStateException.class, () -> cross.newCache(1, 4));
    }
}
