package dev.myelin.autograd;

import static dev.myelin.testing.TensorAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The autograd mechanism: accumulation, scopes, graph lifetime and its error messages. */
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, 2, 3);
        x.mul(x).sum().backward();          // d/dx x² = 2x
        assertValues(x.grad(), new double[] {2, 4, 6}, 0);
        x.mul(3.0).sum().backward();        // + 3
        assertValues(x.grad(), new double[] {5, 7, 9}, 0);
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void tensorUsedTwiceGetsBothContributions() {
        Tensor x = leaf(2);
        Tensor y = x.mul(x).add(x.exp()); // dy/dx = 2x + eˣ
        y.backward();
        assertValues(x.grad(), new double[] {4 + Math.exp(2)}, 1e-6);
    }

    @Test
    void broadcastGradientIsReducedToInputShape() {
        Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor x = Tensor.ones(4, 3);
        x.mul(w).sum().backward();
        assertValues(w.grad(), new double[] {4, 4, 4}, 0);
    }

    @Test
    void explicitUpstreamGradient() {
        Tensor x = leaf(1, 2);
        x.mul(2.0).backward(Tensor.of(new float[] {10, 100}, 2));
        assertValues(x.grad(), new double[] {20, 200}, 0);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = leaf(1, 2);
        Tensor y;
        try (var scope = NoGrad.scope()) {
            y = x.mul(2.0);
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(3);
        Tensor y = x.mul(x.detach()); // only the first factor is differentiated
        y.backward();
        assertValues(x.grad(), new double[] {3}, 0);
    }

    @Test
    void backwardOnNonScalarNeedsAGradient() {
        Tensor x = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.mul(2.0).backward());
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[2]"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).backward(Tensor.ones(3)));
        assertTrue(e2.getMessage().contains("[3]") && e2.getMessage().contains("[2]"), e2.getMessage());
    }

    @Test
    void graphIsFreedAfterBackward() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void inPlaceChangeOfASavedTensorIsDetected() {
        Tensor x = leaf(1, 2);
        Tensor a = Tensor.of(new float[] {3, 4}, 2);
        Tensor y = x.mul(a).sum(); // mul saves a
        a.addInPlace(Tensor.ones(2));
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("in-place") && e.getMessage().contains("mul"), e.getMessage());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradNeedsNoGrad() {
        Tensor w = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.addInPlace(Tensor.ones(2)));
        assertTrue(e.getMessage().contains("NoGrad"), e.getMessage());
        try (var scope = NoGrad.scope()) {
            w.subInPlace(Tensor.ones(2).mul(0.5)); // an SGD-style update
        }
        assertValues(w, new double[] {0.5, 1.5}, 0);
    }

    @Test
    void requiresGradOnlyOnLeaves() {
        Tensor y = leaf(1).mul(2.0);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
    }

    @Test
    void gradientFlowsThroughViews() {
        Tensor x = Tensor.arange(6).reshape(2, 3).requiresGrad(true);
        x.transpose(0, 1).slice(0, 1, 3).mul(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        assertValues(x.grad(), new double[] {0, 1, 3, 0, 2, 4}, 0);
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor x = leaf(1);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.add(1.0);
        y.backward();
        assertValues(x.grad(), new double[] {1}, 0);
    }
}
