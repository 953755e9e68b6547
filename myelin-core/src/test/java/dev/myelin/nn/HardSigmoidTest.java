package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The two hard sigmoids: Keras 3's {@code relu6(x + 3) / 6} and Keras 1/2's {@code clip(0.2·x + 0.5, 0, 1)},
 * against their definitions (bit for bit in float32, as Keras's float32 operations compute them), and
 * their derivatives (the slope inside, 0 outside) by float64 finite differences.
 */
class HardSigmoidTest {
    private static final double[] GRID = {-7, -3.5, -3, -2.6, -2.5, -2.4, -1, -0.25, 0, 0.3, 1, 2.4, 2.5, 2.6, 3, 3.5, 9};

    @Test
    void keras3AndLegacyDefinitionsOnAGrid() {
        Tensor x = Tensor.of(GRID, GRID.length);
        double[] keras3 = Activation.HARD_SIGMOID.apply(x).toDoubleArray();
        double[] legacy = Activation.LEGACY_HARD_SIGMOID.apply(x).toDoubleArray();
        for (int i = 0; i < GRID.length; i++) {
            double v = GRID[i];
            assertEquals(v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5, keras3[i], 1e-15, "hard_sigmoid(" + v + ")");
            assertEquals(v <= -2.5 ? 0 : v >= 2.5 ? 1 : 0.2 * v + 0.5, legacy[i], 1e-15, "legacy_hard_sigmoid(" + v + ")");
        }
        // the two differ inside (-3, 3) except at 0: the import must not mix them up
        assertEquals(0.5 + 1.0 / 6, keras3[10], 1e-15);
        assertEquals(0.7, legacy[10], 1e-15);
    }

    @Test
    void float32IsBitForBitKerassOperations() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 4099;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextDouble(-5, 5);
        v[0] = -3f;
        v[1] = 3f;
        v[2] = -2.5f;
        v[3] = 2.5f;
        float[] keras3 = Activation.HARD_SIGMOID.apply(Tensor.of(v, n)).toFloatArray();
        float[] legacy = Activation.LEGACY_HARD_SIGMOID.apply(Tensor.of(v, n)).toFloatArray();
        float[] expected3 = new float[n];
        float[] expectedLegacy = new float[n];
        for (int i = 0; i < n; i++) {
            expected3[i] = Math.min(Math.max(v[i] + 3f, 0f), 6f) / 6f;                 // tf.nn.relu6(x + 3) / 6
            expectedLegacy[i] = Math.min(Math.max(v[i] * 0.2f + 0.5f, 0f), 1f);        // tf.clip_by_value(x * 0.2 + 0.5, 0, 1)
        }
        assertArrayEquals(expected3, keras3);
        assertArrayEquals(expectedLegacy, legacy);
    }

    @Test
    void derivativeIsTheSlopeInsideAndZeroOutside() {
        double[] points = {-6, -3.4, -2.9, -2.7, -2.2, -1.1, 0.4, 1.7, 2.2, 2.7, 2.9, 3.3, 8};
        for (Activation a : new Activation[] {Activation.HARD_SIGMOID, Activation.LEGACY_HARD_SIGMOID}) {
            double edge = a == Activation.HARD_SIGMOID ? 3 : 2.5;
            double slope = a == Activation.HARD_SIGMOID ? 1.0 / 6 : 0.2;
            Tensor x = Tensor.of(points, points.length).requiresGrad(true);
            a.apply(x).sum().backward();
            double[] g = x.grad().toDoubleArray();
            for (int i = 0; i < points.length; i++) {
                assertEquals(Math.abs(points[i]) < edge ? slope : 0, g[i], 1e-15, a.kerasName() + "'(" + points[i] + ")");
            }
            GradCheck.check(t -> a.apply(t[0]), Tensor.of(points, points.length));
            GradCheck.check(t -> a.apply(t[0]).mul(t[0]), Tensor.of(new double[] {-2.2, -1.3, 0.6, 1.9, 2.2, -0.4}, 2, 3));
        }
    }

    @Test
    void kerasNamesAndTheMessageSayWhichIsWhich() {
        assertEquals(Activation.HARD_SIGMOID, Activation.of("hard_sigmoid"));
        assertEquals(Activation.LEGACY_HARD_SIGMOID, Activation.of("legacy_hard_sigmoid"));
        assertEquals("hard_sigmoid", Activation.HARD_SIGMOID.kerasName());
        var e = assertThrows(IllegalArgumentException.class, () -> Activation.of("hard_swish"));
        assertTrue(e.getMessage().contains("hard_sigmoid (Keras 3's relu6(x + 3) / 6)")
                && e.getMessage().contains("legacy_hard_sigmoid (Keras 1/2's clip(0.2·x + 0.5, 0, 1))"), e.getMessage());
    }
}
