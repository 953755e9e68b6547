package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.nn.Activation;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Conv2DTransposeTest {

    /**
     * The transposed convolution written out from Keras's definition, independent of the conv kernels:
     * every input pixel (i, j) scatters x[b, i, j, c] · k[a, q, f, c] to output pixel
     * (i·s + a − top, j·s + q − left), with Keras's output size (VALID: in·s + max(k − s, 0), SAME: in·s)
     * and TensorFlow's SAME offset top = max(k − s, 0) / 2 (the padding of the convolution it transposes).
     */
    static double[] naiveTransposed(Tensor x, Tensor k, int s, boolean same, int[] outShape) {
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        int kh = k.dim(0), kw = k.dim(1), f = k.dim(2);
        int oh = same ? h * s : h * s + Math.max(kh - s, 0);
        int ow = same ? w * s : w * s + Math.max(kw - s, 0);
        int top = same ? Math.max(kh - s, 0) / 2 : 0;
        int left = same ? Math.max(kw - s, 0) / 2 : 0;
        outShape[0] = n; outShape[1] = oh; outShape[2] = ow; outShape[3] = f;
        double[] out = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int a = 0; a < kh; a++)
                        for (int q = 0; q < kw; q++) {
                            int y = i * s + a - top, z = j * s + q - left;
                            if (y < 0 || y >= oh || z < 0 || z >= ow) continue;
                            for (int o = 0; o < f; o++)
                                for (int ch = 0; ch < c; ch++)
                                    out[((b * oh + y) * ow + z) * f + o] += x.get(b, i, j, ch) * k.get(a, q, o, ch);
                        }
        return out;
    }

    @ParameterizedTest(name = "kernel {0}, stride {1}, same={2}")
    @CsvSource({"3,1,false", "3,1,true", "3,2,false", "3,2,true", "4,2,true", "4,2,false", "5,2,true", "2,3,false", "2,3,true", "1,1,true"})
    void matchesTheKerasDefinition(int kernel, int stride, boolean same) {
        Tensor x = filled(i -> Math.sin(0.37 * i) * 2, 2, 4, 5, 3);
        Tensor k = filled(i -> Math.cos(0.91 * i + 0.2), kernel, kernel, 2, 3);
        int[] shape = new int[4];
        double[] expected = naiveTransposed(x, k, stride, same, shape);
        ConvOptions o = ConvOptions.defaults().strides(stride).padding(same ? Padding.SAME : Padding.VALID);
        Tensor y = x.conv2dTranspose(k, o);
        assertEquals(Shape.of(shape), y.shape());
        TensorAssert.assertAllClose(y.toDoubleArray(), expected, 1e-12, 1e-12);
        // float32 (the CPU kernels' path) agrees with the float64 reference path
        Tensor y32 = x.to(DType.FLOAT32).conv2dTranspose(k.to(DType.FLOAT32), o);
        TensorAssert.assertAllClose(y32.toDoubleArray(), expected, 1e-4, 1e-4);
    }

    /** The transposed convolution is the adjoint of conv2d: ⟨conv2d(v, k), x⟩ = ⟨v, conv2dTranspose(x, k)⟩ for all v. */
    @ParameterizedTest(name = "kernel {0}, stride {1}, same={2}")
    @CsvSource({"3,1,false", "3,2,true", "4,2,true", "4,2,false", "2,3,true"})
    void isTheGradientOfAConvolution(int kernel, int stride, boolean same) {
        ConvOptions o = ConvOptions.defaults().strides(stride).padding(same ? Padding.SAME : Padding.VALID);
        Tensor x = filled(i -> Math.sin(0.37 * i) * 2, 2, 3, 4, 3);
        Tensor k = filled(i -> Math.cos(0.91 * i + 0.2), kernel, kernel, 2, 3);
        Tensor y = x.conv2dTranspose(k, o);
        // the input gradient of conv2d(v, k) · x summed, at any v of y's shape, is conv2dTranspose(x, k)
        Tensor v = filled(i -> Math.sin(1.3 * i + 0.5), y.shape().toArray()).requiresGrad(true);
        Tensor conv = v.conv2d(k, o);
        assertEquals(x.shape(), conv.shape(), "conv2d maps the transposed output back to the input's shape");
        conv.mul(x).sum().backward();
        TensorAssert.assertAllClose(v.grad(), y, 1e-12, 1e-12);
    }

    /** Hand-set 2×2 kernel, stride 2, VALID: each input pixel stamps its own 2×2 block (no overlap). */
    @Test
    void handSetWeightsStrideTwo() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 2, 2, 1);
        Tensor k = Tensor.of(new double[] {1, 10, 100, 1000}, 2, 2, 1, 1);
        Tensor y = x.conv2dTranspose(k, ConvOptions.defaults().strides(2));
        assertEquals(Shape.of(1, 4, 4, 1), y.shape());
        assertArrayEquals(new double[] {
                1, 10, 2, 20,
                100, 1000, 200, 2000,
                3, 30, 4, 40,
                300, 3000, 400, 4000}, y.toDoubleArray(), 0);
    }

    /** Hand-set 3×3 kernel of ones, stride 1: VALID is a "full" scatter (4×4 from 2×2), SAME crops its centre. */
    @Test
    void handSetWeightsStrideOne() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 2, 2, 1);
        Tensor k = Tensor.full(DType.FLOAT64, Shape.of(3, 3, 1, 1), 1.0);
        Tensor valid = x.conv2dTranspose(k, ConvOptions.defaults());
        assertArrayEquals(new double[] {
                1, 3, 3, 2,
                4, 10, 10, 6,
                4, 10, 10, 6,
                3, 7, 7, 4}, valid.toDoubleArray(), 0);
        Tensor same = x.conv2dTranspose(k, ConvOptions.defaults().padding(Padding.SAME));
        assertArrayEquals(new double[] {10, 10, 10, 10}, same.toDoubleArray(), 0);
    }

    /**
     * Hand-set 3×3 kernel of ones, stride 2, SAME: 2×2 → 4×4; the convolution it transposes pads
     * max(3 − 2, 0) = 1 row, all at the bottom, so input row i covers output rows 2i..2i+2 (cropped to 4).
     */
    @Test
    void handSetWeightsStrideTwoSame() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 2, 2, 1);
        Tensor k = Tensor.full(DType.FLOAT64, Shape.of(3, 3, 1, 1), 1.0);
        Tensor y = x.conv2dTranspose(k, ConvOptions.defaults().strides(2).padding(Padding.SAME));
        assertArrayEquals(new double[] {
                1, 1, 3, 2,
                1, 1, 3, 2,
                4, 4, 10, 6,
                3, 3, 7, 4}, y.toDoubleArray(), 0);
    }

    @ParameterizedTest(name = "kernel {0}, stride {1}, same={2}")
    @CsvSource({"3,1,false", "3,2,true", "4,2,false", "2,3,true"})
    void gradientCheckInputAndKernel(int kernel, int stride, boolean same) {
        ConvOptions o = ConvOptions.defaults().strides(stride).padding(same ? Padding.SAME : Padding.VALID);
        Tensor x = filled(i -> Math.sin(0.37 * i) * 2, 2, 3, 3, 2);
        Tensor k = filled(i -> Math.cos(0.91 * i + 0.2), kernel, kernel, 3, 2);
        GradCheck.check(in -> in[0].conv2dTranspose(in[1], o), x, k);
    }

    @Test
    void layerContract() {
        LayerTestHarness.of(() -> new Conv2DTranspose(3, 3, Activation.TANH).strides(2).padding(Padding.SAME))
                .inputShape(3, 3, 2).expectOutputShape(6, 6, 3).expectWeights(2, 0).expectParams(3 * 3 * 3 * 2 + 3).run();
        LayerTestHarness.of(() -> new Conv2DTranspose(2, 4).strides(2).useBias(false))
                .inputShape(2, 3, 2).expectOutputShape(6, 8, 2).expectWeights(1, 0).expectParams(4 * 4 * 2 * 2).run();
    }

    @Test
    void kerasKernelLayoutAndShapes() {
        Conv2DTranspose t = built(new Conv2DTranspose(64, 4).strides(2).padding(Padding.SAME), 7, 7, 128);
        assertEquals(Shape.of(4, 4, 64, 128), t.kernel().value().shape());
        assertEquals(Shape.of(14, 14, 64), t.outputShape(Shape.of(7, 7, 128)));
        assertEquals(131_136, t.countParams());
        assertEquals(Shape.of(17, 17, 1), new Conv2DTranspose(1, 5).strides(3).outputShape(Shape.of(5, 5, 2)));
    }

    @Test
    void badArgumentsAndShapes() {
        assertMessage(() -> new Conv2DTranspose(0, 3), "filters", "0");
        assertMessage(() -> new Conv2DTranspose(2, 0), "kernelSize");
        assertMessage(() -> new Conv2DTranspose(2, 3).strides(0), "strides");
        assertMessage(() -> new Conv2DTranspose(2, 3).outputShape(Shape.of(4, 4)), "Conv2DTranspose", "[4, 4]");
        Conv2DTranspose t = built(new Conv2DTranspose(2, 3), 4, 4, 3);
        assertMessage(() -> t.call(Tensor.zeros(1, 4, 4, 2), false), t.name(), "[1, 4, 4, 2]");
    }
}
