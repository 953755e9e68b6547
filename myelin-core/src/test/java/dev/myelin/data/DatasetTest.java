package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DatasetTest {

    /** n samples: x[i] = [i, 100 + i] (shape [n, 2]), y[i] = i. */
    static Dataset numbered(int n) {
        float[] x = new float[2 * n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 100 + i;
            y[i] = i;
        }
        return Dataset.of(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    static int[] ids(Dataset d) {
        return Arrays.stream(d.y().toDoubleArray()).mapToInt(v -> (int) v).toArray();
    }

    @Test
    void lengthMismatchNamesBothCounts() {
        var ex = assertThrows(IllegalArgumentException.class, () -> Dataset.of(Tensor.zeros(5, 3), Tensor.zeros(4)));
        assertTrue(ex.getMessage().contains("5") && ex.getMessage().contains("4"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(Tensor.scalar(1), Tensor.zeros(1)));
    }

    @Test
    void holdsACopy() {
        float[] x = {1, 2, 3};
        Tensor tx = Tensor.of(x, 3, 1);
        Dataset d = Dataset.of(tx, Tensor.of(new float[] {0, 1, 0}, 3));
        tx.fill(9);
        d.x().fill(7);
        assertArrayEquals(new float[] {1, 2, 3}, d.x().toFloatArray());
        assertEquals(3, d.size());
        assertEquals(Shape.of(3, 1), d.xShape());
        assertEquals(Shape.of(3), d.yShape());
    }

    @Test
    void acceptsFloat64AndStridedInputs() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1); // [3, 2], not contiguous
        Dataset d = Dataset.of(x, Tensor.of(new float[] {7, 8, 9}, 3));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, d.x().toFloatArray());
    }

    @Test
    void takeKeepsRowsTogetherInOrder() {
        Dataset d = numbered(6).take(new int[] {4, 1, 1, 5});
        assertArrayEquals(new int[] {4, 1, 1, 5}, ids(d));
        assertArrayEquals(new float[] {4, 104, 1, 101, 1, 101, 5, 105}, d.x().toFloatArray());
        var ex = assertThrows(IndexOutOfBoundsException.class, () -> numbered(3).take(new int[] {0, 3}));
        assertTrue(ex.getMessage().contains("3"), ex.getMessage());
    }

    @Test
    void splitTakesTheLastFractionForValidationAsKeras() {
        Dataset.Split s = numbered(10).split(0.2);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, ids(s.train()));
        assertArrayEquals(new int[] {8, 9}, ids(s.validation()));
        // Keras: split_at = floor(n * (1 - fraction)): 10 * 0.7 = 7.000000000000001 -> 7
        assertEquals(7, numbered(10).split(0.3).train().size());
        assertEquals(6, numbered(7).split(0.1).train().size()); // floor(6.3)
        assertArrayEquals(new int[] {3, 4}, ids(numbered(5).splitAt(3).validation()));
    }

    @Test
    void splitRejectsEmptyParts() {
        assertThrows(IllegalArgumentException.class, () -> numbered(10).split(0));
        assertThrows(IllegalArgumentException.class, () -> numbered(10).split(1));
        assertThrows(IllegalArgumentException.class, () -> numbered(10).split(Double.NaN));
        var ex = assertThrows(IllegalArgumentException.class, () -> numbered(1).split(0.5));
        assertTrue(ex.getMessage().contains("1 samples"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> numbered(4).splitAt(0));
        assertThrows(IllegalArgumentException.class, () -> numbered(4).splitAt(4));
    }

    @Test
    void shuffledIsAPermutationFixedBySeed() {
        Dataset d = numbered(50);
        int[] a = ids(d.shuffled(3)), b = ids(d.shuffled(3)), c = ids(d.shuffled(4));
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertArrayEquals(Permutations.identity(50), sorted);
        // rows stay aligned with their targets
        Dataset s = d.shuffled(3);
        float[] x = s.x().toFloatArray();
        for (int i = 0; i < 50; i++) assertEquals(a[i], x[2 * i]);
    }

    @Test
    void sliceAndEmpty() {
        Dataset d = numbered(5).slice(1, 3);
        assertArrayEquals(new int[] {1, 2}, ids(d));
        Dataset empty = numbered(5).slice(2, 2);
        assertTrue(empty.isEmpty());
        assertEquals(Shape.of(0, 2), empty.xShape());
        assertThrows(IndexOutOfBoundsException.class, () -> numbered(5).slice(3, 6));
    }
}
