package dev.myelin.compress.quant;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.nn.Activation;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The int8 layers against the float computation on the quantized values they stand for: the output must be
 * {@code dequantize(quantize(x)) ⊛ dequantize(kernel) + bias} up to float rounding, on awkward sizes.
 */
class QuantizedLayersTest {
    private final SplittableRandom rng = new SplittableRandom(21);

    /** x replaced by the values its int8 levels stand for. */
    private static Tensor fakeQuantized(Tensor x, ActivationQuantization q) {
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] = (float) q.dequantize(q.quantize(v[i]));
        return Tensor.of(v, x.shape().toArray());
    }

    private static Tensor dequantizedKernel(QuantizedKernelLayer layer) {
        float[] levels = layer.kernel().value().toFloatArray();
        float[] scales = layer.kernelScale().value().toFloatArray();
        byte[] q = new byte[levels.length];
        for (int i = 0; i < q.length; i++) q[i] = (byte) levels[i];
        return Tensor.of(ChannelQuantization.dequantize(q, scales), layer.kernel().value().shape().toArray());
    }

    @Test
    void denseMatchesTheFloatProductOfTheQuantizedValues() {
        for (int[] dims : new int[][] {{5, 19}, {1, 1}, {2, 3, 33}, {9, 70}}) {
            int in = dims[dims.length - 1], units = in == 1 ? 1 : 13;
            ActivationQuantization aq = ActivationQuantization.ofRange(-1, 2);
            QuantizedDense layer = new QuantizedDense(units, Activation.LINEAR, true, aq);
            int[] inputShape = java.util.Arrays.copyOfRange(dims, 1, dims.length);
            layer.build(Shape.of(inputShape), new SplittableRandom(1));
            Tensor kernel = Tensor.uniform(rng, -0.5, 0.5, in, units), bias = Tensor.uniform(rng, -1, 1, units);
            layer.setFloatWeights(kernel, bias);
            Tensor x = Tensor.uniform(rng, -1.2, 2.2, dims); // a little outside the range: saturates
            Tensor y = layer.call(x, false);
            Tensor expected = fakeQuantized(x, aq).matmul(dequantizedKernel(layer)).add(bias);
            assertEquals(expected.shape(), y.shape());
            assertAllClose(y, expected, 1e-4, 1e-4);
            // and near the float layer: the error of 8 bits
            Tensor floatY = x.clamp(-1, 2).matmul(kernel).add(bias);
            assertAllClose(y, floatY, 0, 0.05 * Math.sqrt(in));
        }
    }

    @Test
    void conv2dMatchesTheFloatConvolutionOfTheQuantizedValues() {
        ConvOptions[] options = {
            ConvOptions.defaults(),
            ConvOptions.defaults().strides(2).padding(Padding.SAME),
            ConvOptions.defaults().padding(Padding.SAME).dilation(2),
            ConvOptions.defaults().strides(1, 3)
        };
        for (ConvOptions o : options) {
            ActivationQuantization aq = ActivationQuantization.ofRange(0, 1.5);
            QuantizedConv2D layer = new QuantizedConv2D(5, 3, 2, o, Activation.RELU, true, aq);
            layer.build(Shape.of(7, 6, 3), new SplittableRandom(1));
            Tensor kernel = Tensor.uniform(rng, -0.5, 0.5, 3, 2, 3, 5), bias = Tensor.uniform(rng, -1, 1, 5);
            layer.setFloatWeights(kernel, bias);
            Tensor x = Tensor.uniform(rng, 0, 1.5, 2, 7, 6, 3);
            Tensor y = layer.call(x, false);
            Tensor expected = fakeQuantized(x, aq).conv2d(dequantizedKernel(layer), bias, o).relu();
            assertEquals(expected.shape(), y.shape(), o.toString());
            assertAllClose(y, expected, 1e-4, 1e-4);
        }
    }

    @Test
    void weightsMustBeBuiltAndOfTheKernelShape() {
        QuantizedDense layer = new QuantizedDense(3, Activation.LINEAR, false, new ActivationQuantization(0.1, 0));
        assertThrows(IllegalStateException.class, () -> layer.setFloatWeights(Tensor.zeros(2, 3), null));
        layer.build(Shape.of(2), new SplittableRandom(1));
        assertThrows(IllegalArgumentException.class, () -> layer.setFloatWeights(Tensor.zeros(3, 3), null));
        assertThrows(IllegalArgumentException.class, () -> layer.setFloatWeights(Tensor.zeros(2, 3), Tensor.zeros(3)));
        assertEquals(0, layer.trainableWeights().size());
        assertEquals(dev.myelin.io.Safetensors.DType.I8, layer.storedType("kernel"));
    }
}
