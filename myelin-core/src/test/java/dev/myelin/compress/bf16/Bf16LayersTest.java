package dev.myelin.compress.bf16;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.io.Safetensors;
import dev.myelin.nn.Activation;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bf16 layers against the float32 layers' computation on the bf16-rounded kernel (equal up to the
 * summation order), and against the float32 kernel (the error of 8 significant bits), on awkward sizes.
 */
class Bf16LayersTest {
    private final SplittableRandom rng = new SplittableRandom(22);

    @Test
    void roundingIsToNearestEvenAndKeepsBf16Values() {
        Tensor t = Tensor.of(new float[] {1f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), Float.intBitsToFloat(0x3F808001), -0f}, 5);
        float[] r = Bf16KernelLayer.roundedToBf16(t).toFloatArray();
        // 0x3F808000 is halfway: to even (0x3F80); 0x3F818000 halfway: to even (0x3F82); just above half: up
        assertEquals(Float.intBitsToFloat(0x3F800000), r[1]);
        assertEquals(Float.intBitsToFloat(0x3F820000), r[2]);
        assertEquals(Float.intBitsToFloat(0x3F810000), r[3]);
        assertEquals(1f, r[0]);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(r[4]));
    }

    @Test
    void denseMatchesTheFloatProductOfTheRoundedKernel() {
        for (int[] dims : new int[][] {{5, 19}, {1, 1}, {2, 3, 33}, {9, 70}, {1, 300}}) {
            int in = dims[dims.length - 1], units = in == 1 ? 1 : 13;
            Bf16Dense layer = new Bf16Dense(units, Activation.LINEAR, true);
            layer.build(Shape.of(java.util.Arrays.copyOfRange(dims, 1, dims.length)), new SplittableRandom(1));
            Tensor kernel = Tensor.uniform(rng, -0.5, 0.5, in, units), bias = Tensor.uniform(rng, -1, 1, units);
            layer.setFloatWeights(kernel, bias);
            Tensor x = Tensor.uniform(rng, -2, 2, dims);
            Tensor y = layer.call(x, false);
            Tensor expected = x.matmul(Bf16KernelLayer.roundedToBf16(kernel)).add(bias);
            assertEquals(expected.shape(), y.shape());
            assertAllClose(y, expected, 1e-5, 1e-5);
            // and near the float32 layer: 8 significant bits, errors of random sign
            assertAllClose(y, x.matmul(kernel).add(bias), 0, 0.01 * Math.sqrt(in));
        }
    }

    @Test
    void conv2dMatchesTheFloatConvolutionOfTheRoundedKernel() {
        ConvOptions[] options = {
            ConvOptions.defaults(),
            ConvOptions.defaults().strides(2).padding(Padding.SAME),
            ConvOptions.defaults().padding(Padding.SAME).dilation(2),
            ConvOptions.defaults().strides(1, 3)
        };
        for (ConvOptions o : options) {
            Bf16Conv2D layer = new Bf16Conv2D(5, 3, 2, o, Activation.RELU, true);
            layer.build(Shape.of(7, 6, 3), new SplittableRandom(1));
            Tensor kernel = Tensor.uniform(rng, -0.5, 0.5, 3, 2, 3, 5), bias = Tensor.uniform(rng, -1, 1, 5);
            layer.setFloatWeights(kernel, bias);
            Tensor x = Tensor.uniform(rng, -1, 1.5, 2, 7, 6, 3);
            Tensor y = layer.call(x, false);
            Tensor expected = x.conv2d(Bf16KernelLayer.roundedToBf16(kernel), bias, o).relu();
            assertEquals(expected.shape(), y.shape(), o.toString());
            assertAllClose(y, expected, 1e-5, 1e-5);
        }
    }

    @Test
    void aKernelWrittenWithNonBf16ValuesIsRefused() {
        Bf16Dense layer = new Bf16Dense(3, Activation.LINEAR, false);
        assertThrows(IllegalStateException.class, () -> layer.setFloatWeights(Tensor.zeros(2, 3), null));
        layer.build(Shape.of(2), new SplittableRandom(1));
        assertThrows(IllegalArgumentException.class, () -> layer.setFloatWeights(Tensor.zeros(3, 3), null));
        assertThrows(IllegalArgumentException.class, () -> layer.setFloatWeights(Tensor.zeros(2, 3), Tensor.zeros(3)));
        layer.kernel().value().assign(Tensor.full(dev.myelin.backend.DType.FLOAT32, Shape.of(2, 3), 0.1));
        assertThrows(IllegalStateException.class, () -> layer.call(Tensor.zeros(1, 2), false));
        assertEquals(0, layer.trainableWeights().size());
        assertEquals(Safetensors.DType.BF16, layer.storedType("kernel"));
        assertEquals(null, layer.storedType("bias"));
    }
}
