package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** GELU's tanh approximation: values from PyTorch 1.13, its Activation name, float32 on the CPU backend. */
class GeluApproximateTest {
    private static final double[] X = {-3, -2, -0.5, 0, 0.5, 2, 3};
    // torch.nn.functional.gelu(x, approximate='tanh') in float64
    private static final double[] TORCH = {-0.00363739208177299, -0.0454023059122249, -0.154285990174856, 0, 0.345714009825144,
            1.95459769408777, 2.99636260791823};

    @Test
    void matchesPyTorchTanhGelu() {
        TensorAssert.assertAllClose(Tensor.of(X, X.length).geluTanh().toDoubleArray(), TORCH, 1e-13, 1e-15);
        TensorAssert.assertAllClose(Tensor.of(X, X.length).to(DType.FLOAT32).geluTanh().toDoubleArray(), TORCH, 1e-6, 1e-7);
        // odd sizes through the CPU kernel's vector body and tail: every element as the scalar definition
        double[] many = new double[37];
        for (int i = 0; i < many.length; i++) many[i] = -4 + i * 0.23;
        double[] got = Tensor.of(many, many.length).to(DType.FLOAT32).geluTanh().toDoubleArray();
        double[] exact = Tensor.of(many, many.length).geluTanh().toDoubleArray();
        TensorAssert.assertAllClose(got, exact, 1e-6, 1e-6);
    }

    @Test
    void activationNameIsKerasHubs() {
        assertEquals("gelu_approximate", Activation.GELU_APPROXIMATE.kerasName());
        assertEquals(Activation.GELU_APPROXIMATE, Activation.of("gelu_approximate"));
        assertEquals(Activation.GELU, Activation.of("gelu"), "Keras's \"gelu\" is the exact form");
        Tensor x = Tensor.of(X, X.length);
        TensorAssert.assertAllClose(Activation.GELU_APPROXIMATE.apply(x).toDoubleArray(), TORCH, 1e-13, 1e-15);
    }
}
