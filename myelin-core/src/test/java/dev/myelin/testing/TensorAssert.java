package dev.myelin.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/** Assertions on tensors that report the worst element. */
public final class TensorAssert {
    private TensorAssert() {}

    /** |actual − expected| <= atol + rtol·|expected| element-wise, shapes equal; NaN matches NaN. */
    public static void assertAllClose(Tensor actual, Tensor expected, double rtol, double atol) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        assertAllClose(actual.toDoubleArray(), expected.toDoubleArray(), rtol, atol);
    }

    public static void assertAllClose(float[] actual, float[] expected, double rtol, double atol) {
        double[] a = new double[actual.length], e = new double[expected.length];
        for (int i = 0; i < a.length; i++) a[i] = actual[i];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertAllClose(a, e, rtol, atol);
    }

    public static void assertAllClose(double[] actual, double[] expected, double rtol, double atol) {
        assertEquals(expected.length, actual.length, "length");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i], e = expected[i];
            if (Double.isNaN(a) && Double.isNaN(e)) continue;
            if (a == e) continue; // also equal infinities
            double excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
            if (Double.isNaN(excess) || excess > worstExcess || (worst < 0 && excess > 0)) {
                worst = i;
                worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
            }
        }
        if (worst >= 0) {
            fail("not close at index " + worst + ": actual " + actual[worst] + ", expected " + expected[worst]
                    + " (rtol " + rtol + ", atol " + atol + "); actual " + preview(actual) + ", expected " + preview(expected));
        }
    }

    /** Compares with values given as a flat array in row-major order. */
    public static void assertValues(Tensor actual, double[] expected, double tol) {
        assertAllClose(actual.toDoubleArray(), expected, tol, tol);
    }

    private static String preview(double[] v) {
        return v.length <= 12 ? Arrays.toString(v) : Arrays.toString(Arrays.copyOf(v, 12)) + "...";
    }
}
