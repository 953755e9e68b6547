package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PositionEmbedding (learned table) and SinePositionEncoding (keras-hub's formula). */
class PositionEncodingTest {
    @Test
    void positionEmbeddingIsTheTableBroadcastOverTheBatch() {
        PositionEmbedding p = new PositionEmbedding(6);
        p.build(Shape.of(4, 3), new SplittableRandom(1));
        assertEquals(Shape.of(6, 3), p.embeddings().value().shape());
        double[] table = p.embeddings().value().toDoubleArray();
        Tensor y = p.call(Tensor.zeros(2, 4, 3), false);
        double[] first = Arrays.copyOf(table, 12);
        assertArrayEquals(first, Arrays.copyOfRange(y.toDoubleArray(), 0, 12));
        assertArrayEquals(first, Arrays.copyOfRange(y.toDoubleArray(), 12, 24));
        // a shorter sequence reads the first rows
        assertArrayEquals(Arrays.copyOf(table, 6), p.call(Tensor.zeros(1, 2, 3), false).toDoubleArray());
        // gradients reach the table: row t gets the sum over the batch
        y.mul(Tensor.ones(2, 4, 3)).sum().backward();
        double[] g = p.embeddings().grad().toDoubleArray();
        for (int i = 0; i < 18; i++) assertEquals(i < 12 ? 2.0 : 0.0, g[i], 0.0, "gradient " + i);
    }

    @Test
    void sequencesLongerThanTheTableAreAClearError() {
        PositionEmbedding p = new PositionEmbedding(4).name("pos");
        var e = assertThrows(IllegalArgumentException.class, () -> p.outputShape(Shape.of(5, 3)));
        assertTrue(e.getMessage().contains("'pos'") && e.getMessage().contains("4 positions") && e.getMessage().contains("length 5"), e.getMessage());
        p.build(Shape.of(4, 3), new SplittableRandom(1));
        e = assertThrows(IllegalArgumentException.class, () -> p.call(Tensor.zeros(1, 7, 3), false));
        assertTrue(e.getMessage().contains("'pos'") && e.getMessage().contains("length 7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PositionEmbedding(0));
        assertTrue(e.getMessage().contains("sequence_length=0"), e.getMessage());
    }

    /** keras-hub: sin(t·wavelength^(−2⌊i/2⌋/D)) for even i, cos for odd i. */
    @Test
    void sineEncodingMatchesKerasHub() {
        SinePositionEncoding s = new SinePositionEncoding();
        s.build(Shape.of(3, 4), null);
        Tensor y = s.call(Tensor.zeros(DType.FLOAT64, Shape.of(2, 3, 4)), false);
        double f = Math.pow(10_000, -2.0 / 4);
        double[] expected = {0, 1, 0, 1, Math.sin(1), Math.cos(1), Math.sin(f), Math.cos(f), Math.sin(2), Math.cos(2), Math.sin(2 * f), Math.cos(2 * f)};
        TensorAssert.assertAllClose(Arrays.copyOf(y.toDoubleArray(), 12), expected, 1e-12, 1e-12);
        TensorAssert.assertAllClose(Arrays.copyOfRange(y.toDoubleArray(), 12, 24), expected, 1e-12, 1e-12);
        assertEquals(Shape.of(1, 10, 4), s.call(Tensor.zeros(1, 10, 4), false).shape(), "no length limit");
    }
}
