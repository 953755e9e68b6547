package dev.myelin.nn.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Regularizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class RegularizersTest {
    private static final double[] W = {1, -2, 3, -0.5};

    private static Tensor w() {
        return Tensor.of(W, 2, 2).requiresGrad(true);
    }

    @Test
    void kerasFormulasAndGradients() {
        // sum(|w|) = 6.5, sum(w²) = 14.25
        Tensor w = w();
        Tensor l2 = new L2(0.01).penalty(w);
        assertEquals(0.1425, l2.item(), 1e-15);
        l2.backward();
        TensorAssert.assertValues(w.grad(), new double[] {0.02, -0.04, 0.06, -0.01}, 1e-15);

        Tensor w1 = w();
        Tensor l1 = new L1(0.1).penalty(w1);
        assertEquals(0.65, l1.item(), 1e-15);
        l1.backward();
        TensorAssert.assertValues(w1.grad(), new double[] {0.1, -0.1, 0.1, -0.1}, 1e-15);

        assertEquals(0.1 * 6.5 + 0.2 * 14.25, new L1L2(0.1, 0.2).penalty(w()).item(), 1e-14);
        assertEquals(0.0, new L1L2().penalty(w()).item());
    }

    @Test
    void kerasDefaults() {
        assertEquals(0.01, new L1().l1());
        assertEquals(0.01, new L2().l2());
        assertEquals(0.0, new L1L2().l1());
        assertEquals(0.0, new L1L2().l2());
        Regularizer r = Regularizers.of("l2");
        assertEquals(new L2(0.01), r);
        assertEquals(new L1(0.01), Regularizers.of("L1"));
        assertEquals(new L1L2(0, 0), Regularizers.of("l1_l2"));
    }

    private static void assertMessage(Runnable r, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new L2(-0.1), "l2", "-0.1");
        assertMessage(() -> new L1(Double.NaN), "l1", "NaN");
        assertMessage(() -> new L1L2(0.1, Double.POSITIVE_INFINITY), "l2", "Infinity");
        assertMessage(() -> Regularizers.of("l3"), "l3", "l1_l2");
    }
}
