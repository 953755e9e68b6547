package dev.myelin.data;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Test
    void scaleAndOffset() {
        Tensor x = Tensor.of(new float[] {0, 51, 255}, 3);
        assertAllClose(Normalization.scale(1 / 255.0).apply(x), Tensor.of(new float[] {0, 0.2f, 1}, 3), 1e-6, 1e-7);
        assertAllClose(Normalization.scale(1 / 127.5, -1).apply(x), Tensor.of(new float[] {-1, -0.6f, 1}, 3), 1e-6, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Normalization.scale(0));
    }

    @Test
    void adaptStandardizesEachChannelOfTheLastAxis() {
        // [2, 1, 2, 2]: channel 0 = 1, 3, 5, 7 (mean 4, std sqrt(5)); channel 1 = 10 (constant: std floored at 1e-7)
        Tensor x = Tensor.of(new float[] {1, 10, 3, 10, 5, 10, 7, 10}, 2, 1, 2, 2);
        Normalization n = Normalization.adapt(x);
        assertArrayEquals(new double[] {4, 10}, n.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(5), 1e-7}, n.std(), 1e-12);
        double s = Math.sqrt(5);
        Tensor expected = Tensor.of(new float[] {(float) (-3 / s), 0, (float) (-1 / s), 0, (float) (1 / s), 0, (float) (3 / s), 0}, 2, 1, 2, 2);
        assertAllClose(n.apply(x), expected, 1e-5, 1e-6);

        Dataset d = Dataset.of(x, Tensor.of(new float[] {0, 1}, 2));
        Normalization fromData = Normalization.adapt(d);
        assertArrayEquals(n.mean(), fromData.mean(), 0);
        Dataset nd = fromData.apply(d);
        assertAllClose(nd.x(), expected, 1e-5, 1e-6);
        assertArrayEquals(new float[] {0, 1}, nd.y().toFloatArray());
        assertArrayEquals(x.toFloatArray(), d.x().toFloatArray(), "the input dataset is unchanged");
    }

    @Test
    void tabularFeaturesAndChannelMismatch() {
        Tensor x = Tensor.of(new float[] {0, 100, 2, 300}, 2, 2);
        Normalization n = Normalization.adapt(x);
        assertArrayEquals(new double[] {1, 200}, n.mean(), 1e-9);
        assertArrayEquals(new double[] {1, 100}, n.std(), 1e-9);
        var ex = assertThrows(IllegalArgumentException.class, () -> n.apply(Tensor.zeros(2, 3)));
        assertEquals(true, ex.getMessage().contains("2 channels"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalization.adapt(Tensor.zeros(0, 3)));
        assertThrows(IllegalArgumentException.class, () -> Normalization.standardize(new double[] {0}, new double[] {0}));
    }
}
