package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.built64;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Activation;
import dev.myelin.nn.init.Constant;
import dev.myelin.nn.regularizers.L2;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class Conv2DTest {

    /**
     * Direct loops over the definition (TensorFlow's SAME rule written out, independent of {@link Padding}):
     * y[n,i,j,f] = b[f] + Σ x[n, i·sh + a·dh − top, j·sw + c·dw − left, ch] · k[a, c, ch, f].
     */
    static double[] naiveConv(Tensor x, Tensor k, double[] bias, int sh, int sw, int dh, int dw, boolean same, int[] outShape) {
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        int kh = k.dim(0), kw = k.dim(1), f = k.dim(3);
        int eh = dh * (kh - 1) + 1, ew = dw * (kw - 1) + 1;
        int oh = same ? (h + sh - 1) / sh : (h - eh) / sh + 1;
        int ow = same ? (w + sw - 1) / sw : (w - ew) / sw + 1;
        int top = same ? Math.max((oh - 1) * sh + eh - h, 0) / 2 : 0;
        int left = same ? Math.max((ow - 1) * sw + ew - w, 0) / 2 : 0;
        outShape[0] = n; outShape[1] = oh; outShape[2] = ow; outShape[3] = f;
        double[] out = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int o = 0; o < f; o++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int a = 0; a < kh; a++)
                            for (int q = 0; q < kw; q++) {
                                int y = i * sh + a * dh - top, z = j * sw + q * dw - left;
                                if (y < 0 || y >= h || z < 0 || z >= w) continue;
                                for (int ch = 0; ch < c; ch++) s += x.get(b, y, z, ch) * k.get(a, q, ch, o);
                            }
                        out[((b * oh + i) * ow + j) * f + o] = s;
                    }
        return out;
    }

    private static void checkAgainstNaive(Conv2D conv, int[] inShape, int sh, int sw, int dh, int dw, boolean same) {
        conv.dtype(DType.FLOAT64);
        built(conv, inShape[1], inShape[2], inShape[3]);
        Tensor k = conv.kernel().value();
        double[] bias = conv.bias() == null ? null : conv.bias().value().toDoubleArray();
        Tensor x = filled(i -> Math.sin(0.37 * i) * 2, inShape);
        int[] outShape = new int[4];
        double[] expected = naiveConv(x, k, bias, sh, sw, dh, dw, same, outShape);
        Tensor y = conv.call(x, false);
        assertEquals(Shape.of(outShape), y.shape());
        TensorAssert.assertAllClose(y.toDoubleArray(), expected, 1e-12, 1e-12);
    }

    @Test
    void validStride1MatchesNaiveLoops() {
        checkAgainstNaive(new Conv2D(3, 3).biasInitializer(new Constant(0.25)), new int[] {2, 6, 5, 2}, 1, 1, 1, 1, false);
    }

    @Test
    void sameStride2MatchesNaiveLoops() {
        checkAgainstNaive(new Conv2D(4, 3, 2).strides(2).padding(Padding.SAME), new int[] {2, 7, 6, 3}, 2, 2, 1, 1, true);
        checkAgainstNaive(new Conv2D(2, 4).strides(3, 2).padding(Padding.SAME), new int[] {1, 8, 5, 1}, 3, 2, 1, 1, true);
    }

    @Test
    void dilationMatchesNaiveLoops() {
        checkAgainstNaive(new Conv2D(2, 3).dilation(2), new int[] {2, 7, 8, 2}, 1, 1, 2, 2, false);
        checkAgainstNaive(new Conv2D(2, 2, 3).dilation(2, 1).padding(Padding.SAME), new int[] {1, 5, 5, 2}, 1, 1, 2, 1, true);
    }

    @Test
    void hwcKernelLayoutAndSamePaddingMatchPyTorch() {
        // PyTorch 1.13: F.conv2d on F.pad(x, (0, 1, 1, 1)) (TensorFlow's SAME for 5x4, k 3, stride 2), kernel permuted to [f, c, kh, kw]
        Conv2D conv = built64(new Conv2D(2, 3).strides(2).padding(Padding.SAME), 5, 4, 2);
        assertEquals(Shape.of(3, 3, 2, 2), conv.kernel().value().shape());
        try (var s = dev.myelin.autograd.NoGrad.scope()) {
            conv.kernel().value().assign(filled(j -> ((j * 3) % 5 - 2) / 2.0, 3, 3, 2, 2));
            conv.bias().value().assign(Tensor.of(new double[] {0.5, -1.0}, 2));
        }
        Tensor y = conv.call(filled(i -> (i % 7) - 3, 1, 5, 4, 2), false);
        TensorAssert.assertAllClose(y, Tensor.of(new double[] {-3.0, 3.0, -1.0, -8.0, 5.0, -5.0, -9.5, 18.0, 1.0, -9.0, 6.5, -4.5}, 1, 3, 2, 2), 1e-12, 1e-12);
    }

    @Test
    void dilationMatchesPyTorch() {
        Conv2D conv = built64(new Conv2D(1, 3).dilation(2).useBias(false), 6, 6, 1);
        try (var s = dev.myelin.autograd.NoGrad.scope()) {
            conv.kernel().value().assign(Tensor.of(new double[] {1, -1, 2, 0.5, 0, -2, 1, 1, -0.5}, 3, 3, 1, 1));
        }
        Tensor y = conv.call(filled(i -> ((i * 5) % 11) - 5, 1, 6, 6, 1), false);
        TensorAssert.assertAllClose(y, Tensor.of(new double[] {9.5, -8.0, 14.5, -19.5}, 1, 2, 2, 1), 1e-12, 1e-12);
    }

    @Test
    void activationAppliesAfterBias() {
        Conv2D conv = built(new Conv2D(2, 1, Activation.RELU).kernelInitializer(new Constant(1)).biasInitializer(new Constant(-1)), 2, 2, 1);
        Tensor x = Tensor.of(new float[] {0.5f, 1.5f, 3f, -2f}, 1, 2, 2, 1);
        TensorAssert.assertValues(conv.call(x, false), new double[] {0, 0, 0.5, 0.5, 2, 2, 0, 0}, 1e-6);
        TensorAssert.assertValues(conv.preActivation(x), new double[] {-0.5, -0.5, 0.5, 0.5, 2, 2, -3, -3}, 1e-6);
        assertEquals(Activation.RELU, conv.activation());
    }

    @Test
    void seedModelParameterCounts() {
        // the MNIST seed model: Conv2D(32, 3) on [28, 28, 1], MaxPooling2D(2), Conv2D(64, 3) on [13, 13, 32]
        Conv2D c1 = built(new Conv2D(32, 3, Activation.RELU), 28, 28, 1);
        assertEquals(320, c1.countParams());
        assertEquals(Shape.of(26, 26, 32), c1.outputShape(Shape.of(28, 28, 1)));
        Conv2D c2 = built(new Conv2D(64, 3, Activation.RELU), 13, 13, 32);
        assertEquals(18_496, c2.countParams());
        assertEquals(Shape.of(3, 3, 32, 64), c2.kernel().value().shape());
        assertEquals(Shape.of(64), c2.bias().value().shape());
        assertEquals(Shape.of(32, 32, 8), new Conv2D(8, 5).padding(Padding.SAME).outputShape(Shape.of(32, 32, 3)));
        assertEquals(Shape.of(16, 16, 8), new Conv2D(8, 5).padding(Padding.SAME).strides(2).outputShape(Shape.of(32, 32, 3)));
        assertEquals(Shape.of(9, 9, 8), new Conv2D(8, 3).dilation(3).outputShape(Shape.of(15, 15, 3)));
    }

    @Test
    void defaultsAreKeras() {
        Conv2D c = built(new Conv2D(16, 3), 10, 10, 4);
        assertEquals(1, c.options().strideH());
        assertEquals(Padding.VALID, c.options().padding());
        assertEquals(1, c.options().dilationH());
        assertEquals(Activation.LINEAR, c.activation());
        assertTrue(c.useBias());
        assertEquals(c.name() + "/kernel", c.kernel().name());
        for (double v : c.bias().value().toDoubleArray()) assertEquals(0.0, v);
        // glorot-uniform: limit sqrt(6 / (9·4 + 9·16))
        double limit = Math.sqrt(6.0 / (36 + 144));
        double max = 0;
        for (double v : c.kernel().value().toDoubleArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= limit && max > 0.9 * limit, "kernel max |w| " + max + " vs limit " + limit);
    }

    @Test
    void noBiasAndRegularizers() {
        Conv2D c = built(new Conv2D(4, 3).useBias(false).kernelRegularizer(new L2(0.1)), 5, 5, 2);
        assertNull(c.bias());
        assertEquals(1, c.weights().size());
        assertEquals(new L2(0.1), c.kernel().regularizer());
    }

    @Test
    void harness() {
        LayerTestHarness.of(() -> new Conv2D(3, 3)).inputShape(5, 5, 2).expectOutputShape(3, 3, 3)
                .expectWeights(2, 0).expectParams(3 * 3 * 2 * 3 + 3).run();
        LayerTestHarness.of(() -> new Conv2D(2, 3, 2, Activation.TANH).strides(2).padding(Padding.SAME)).inputShape(5, 4, 3)
                .expectOutputShape(3, 2, 2).expectWeights(2, 0).expectParams(3 * 2 * 3 * 2 + 2).run();
        LayerTestHarness.of(() -> new Conv2D(2, 2).dilation(2).useBias(false)).inputShape(6, 5, 1)
                .expectOutputShape(4, 3, 2).expectWeights(1, 0).expectParams(8).run();
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new Conv2D(32, 3).name("conv_a").outputShape(Shape.of(28, 28)),
                "conv_a", "Conv2D", "[height, width, channels]", "[28, 28]");
        assertMessage(() -> new Conv2D(8, 5).name("conv_b").outputShape(Shape.of(3, 4, 1)), "conv_b", "5x5", "VALID", "[3, 4, 1]");
        assertMessage(() -> new Conv2D(8, 3).dilation(3).outputShape(Shape.of(6, 6, 1)), "7x7", "dilated", "[6, 6, 1]");
        assertMessage(() -> new Conv2D(8, 3).build(Shape.of(2, 2, 1), LayerAsserts.rng(1)), "3x3", "[2, 2, 1]");
        assertMessage(() -> new Conv2D(0, 3), "filters", "0");
        assertMessage(() -> new Conv2D(4, 0), "kernelSize", "0");
        assertMessage(() -> new Conv2D(4, 3, -2), "kernelSize", "-2");
        assertMessage(() -> new Conv2D(4, 3).strides(0), "strides", "0");
        assertMessage(() -> new Conv2D(4, 3).dilation(-1), "dilation", "-1");
        assertMessage(() -> new Conv2D(4, 3).strides(2).dilation(2), "strides", "dilation", "(2, 2)");
        assertMessage(() -> new Conv2D(4, 3).dilation(2).strides(2), "strides", "dilation");
        assertMessage(() -> new Conv2D(4, 3).padding(null), "padding");
        Conv2D built = built(new Conv2D(4, 3), 5, 5, 2);
        assertMessage(() -> built.call(Tensor.zeros(1, 5, 5, 3), false), "[batch, 5, 5, 2]", "[1, 5, 5, 3]");
    }
    /**
     * The layer's fused conv2d + bias gives the values and gradients of conv2d followed by add, bit for bit
     * (float32, the CPU backend's fused path), and a first layer's data input gets no gradient computed.
     */
    @Test
    void fusedBiasMatchesConvThenAdd() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (dev.myelin.tensor.ConvOptions o : new dev.myelin.tensor.ConvOptions[] {dev.myelin.tensor.ConvOptions.defaults(),
                dev.myelin.tensor.ConvOptions.defaults().padding(Padding.SAME).strides(2),
                dev.myelin.tensor.ConvOptions.defaults().padding(Padding.SAME).dilation(2)}) {
            for (int[] sizes : new int[][] {{1, 32}, {3, 5}, {8, 17}}) {
                int c = sizes[0], f = sizes[1];
                float[] xd = new float[2 * 9 * 7 * c], kd = new float[3 * 3 * c * f], bd = new float[f], gd = new float[2 * 9 * 7 * f];
                for (float[] a : new float[][] {xd, kd, bd, gd}) for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
                // 0: conv2d then add, 1: conv2d with the bias fused; 2: then relu, 3: all three fused (conv2dRelu)
                Tensor[][] runs = new Tensor[4][];
                for (int fused = 0; fused < 4; fused++) {
                    Tensor x = Tensor.of(xd, 2, 9, 7, c).requiresGrad(true);
                    Tensor k = Tensor.of(kd, 3, 3, c, f).requiresGrad(true);
                    Tensor b = Tensor.of(bd, f).requiresGrad(true);
                    Tensor y = switch (fused) {
                        case 0 -> x.conv2d(k, o).add(b);
                        case 1 -> x.conv2d(k, b, o);
                        case 2 -> x.conv2d(k, o).add(b).relu();
                        default -> x.conv2dRelu(k, b, o);
                    };
                    Tensor g = Tensor.of(java.util.Arrays.copyOf(gd, y.size()), y.shape().toArray());
                    y.backward(g);
                    runs[fused] = new Tensor[] {y, x.grad(), k.grad(), b.grad()};
                }
                for (int pair = 0; pair < 4; pair += 2) {
                    for (int i = 0; i < 4; i++) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(runs[pair][i].toFloatArray(), runs[pair + 1][i].toFloatArray(),
                                (pair == 0 ? "bias" : "bias+relu") + " output/dx/dk/db " + i + " " + o + " c=" + c + " f=" + f);
                    }
                }
                float[] rectified = runs[2][0].toFloatArray();
                long zeros = 0;
                for (float v : rectified) if (v == 0f) zeros++;
                org.junit.jupiter.api.Assertions.assertTrue(zeros > 0 && zeros < rectified.length, "the rectifier cut some outputs, not all");
            }
        }
        Tensor x = Tensor.of(new float[2 * 5 * 5], 2, 5, 5, 1);
        Tensor k = Tensor.of(new float[9 * 4], 3, 3, 1, 4).requiresGrad(true);
        Tensor b = Tensor.of(new float[4], 4).requiresGrad(true);
        x.conv2d(k, b, dev.myelin.tensor.ConvOptions.defaults()).sum().backward();
        assertNull(x.grad());
        assertEquals(Shape.of(3, 3, 1, 4), k.grad().shape());
        assertEquals(Shape.of(4), b.grad().shape());
    }

    /**
     * A broadcast (stride-0) output gradient, such as {@code sum()} hands back: the fused conv2d + bias rule sums one
     * contiguous copy of it for the bias, and its gradients equal those of conv2d then add, with and without the
     * input's gradient (a first layer's). The gradient's values are multiples of 1/8, so every sum is exact in any order.
     */
    @Test
    void fusedBiasTakesABroadcastGradient() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (dev.myelin.tensor.ConvOptions o : new dev.myelin.tensor.ConvOptions[] {dev.myelin.tensor.ConvOptions.defaults(),
                dev.myelin.tensor.ConvOptions.defaults().padding(Padding.SAME).strides(2)}) {
            for (int[] sizes : new int[][] {{1, 32}, {3, 5}, {8, 17}}) {
                int c = sizes[0], f = sizes[1];
                float[] xd = new float[2 * 9 * 7 * c], kd = new float[3 * 3 * c * f], bd = new float[f], gd = new float[f];
                for (float[] a : new float[][] {xd, kd, bd}) for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
                for (int i = 0; i < f; i++) gd[i] = (i % 7 - 3) / 8f;
                for (boolean inputGrad : new boolean[] {true, false}) {
                    Tensor[][] runs = new Tensor[2][];
                    for (int fused = 0; fused < 2; fused++) {
                        Tensor x = Tensor.of(xd, 2, 9, 7, c).requiresGrad(inputGrad);
                        Tensor k = Tensor.of(kd, 3, 3, c, f).requiresGrad(true);
                        Tensor b = Tensor.of(bd, f).requiresGrad(true);
                        Tensor y = fused == 1 ? x.conv2d(k, b, o) : x.conv2d(k, o).add(b);
                        y.backward(Tensor.of(gd, f).expand(y.shape()));
                        runs[fused] = new Tensor[] {x.grad(), k.grad(), b.grad()};
                    }
                    assertEquals(inputGrad, runs[1][0] != null, "input gradient computed only when asked");
                    for (int i = inputGrad ? 0 : 1; i < 3; i++) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(runs[0][i].toFloatArray(), runs[1][i].toFloatArray(),
                                "dx/dk/db " + i + " " + o + " c=" + c + " f=" + f + " inputGrad=" + inputGrad);
                    }
                }
            }
        }
    }
}
