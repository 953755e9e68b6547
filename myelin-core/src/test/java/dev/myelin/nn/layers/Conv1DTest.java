package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.built64;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.backend.DType;
import dev.myelin.nn.Activation;
import dev.myelin.nn.init.Constant;
import dev.myelin.nn.layers.Conv1D.Padding1D;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class Conv1DTest {

    /**
     * Direct loops over Keras's definition, written out independently of the layer and of the 2-D op:
     * y[b, t, o] = bias[o] + Σ_{i,c} x[b, t·stride + i·dilation − left, c] · k[i, c, o], with
     * left = 0 (VALID), the TensorFlow SAME split (the odd position at the end), or the whole dilated
     * window minus one (CAUSAL).
     */
    static double[] naiveConv1d(Tensor x, Tensor k, double[] bias, int stride, int dilation, Padding1D padding, int[] outShape) {
        int n = x.dim(0), steps = x.dim(1), c = x.dim(2);
        int taps = k.dim(0), f = k.dim(2);
        int window = dilation * (taps - 1) + 1;
        int out;
        int left;
        switch (padding) {
            case VALID -> {
                out = (steps - window) / stride + 1;
                left = 0;
            }
            case SAME -> {
                out = (steps + stride - 1) / stride;
                left = Math.max((out - 1) * stride + window - steps, 0) / 2;
            }
            default -> {
                out = (steps + stride - 1) / stride;
                left = window - 1;
            }
        }
        outShape[0] = n;
        outShape[1] = out;
        outShape[2] = f;
        double[] y = new double[n * out * f];
        for (int b = 0; b < n; b++)
            for (int t = 0; t < out; t++)
                for (int o = 0; o < f; o++) {
                    double s = bias == null ? 0 : bias[o];
                    for (int i = 0; i < taps; i++) {
                        int p = t * stride + i * dilation - left;
                        if (p < 0 || p >= steps) continue;
                        for (int ch = 0; ch < c; ch++) s += x.get(b, p, ch) * k.get(i, ch, o);
                    }
                    y[(b * out + t) * f + o] = s;
                }
        return y;
    }

    private static void checkAgainstNaive(Conv1D conv, int[] inShape) {
        conv.dtype(DType.FLOAT64);
        built(conv, inShape[1], inShape[2]);
        Tensor k = conv.kernel().value();
        double[] bias = conv.bias() == null ? null : conv.bias().value().toDoubleArray();
        Tensor x = filled(i -> Math.sin(0.37 * i) * 2, inShape);
        int[] outShape = new int[3];
        double[] expected = naiveConv1d(x, k, bias, conv.strides(), conv.dilation(), conv.padding(), outShape);
        Tensor y = conv.call(x, false);
        assertEquals(Shape.of(outShape), y.shape(), conv.padding() + " stride " + conv.strides() + " dilation " + conv.dilation());
        assertEquals(Shape.of(outShape[1], outShape[2]), conv.outputShape(Shape.of(inShape[1], inShape[2])));
        TensorAssert.assertAllClose(y.toDoubleArray(), expected, 1e-12, 1e-12);
    }

    @Test
    void everyPaddingStrideAndDilationMatchesNaiveLoops() {
        for (Padding1D p : Padding1D.values()) {
            checkAgainstNaive(new Conv1D(3, 2).padding(p).biasInitializer(new Constant(0.25)), new int[] {2, 16, 3});
            checkAgainstNaive(new Conv1D(4, 3).padding(p).strides(2), new int[] {2, 9, 2});
            checkAgainstNaive(new Conv1D(2, 4).padding(p).strides(3).useBias(false), new int[] {1, 17, 5});
            checkAgainstNaive(new Conv1D(2, 3).padding(p).dilation(2), new int[] {3, 11, 1});
            checkAgainstNaive(new Conv1D(5, 2).padding(p).dilation(3), new int[] {1, 7, 4});
        }
    }

    @Test
    void matchesPyTorchConv1d() {
        // PyTorch 1.13: F.conv1d(F.pad(x, (2, 0)), w.permute(2, 1, 0), b, dilation=2), x = (i % 7) − 3 over [1, 3 (channels), 6 (steps)]
        // permuted from [1, 6, 3], w[i, c, o] = ((j·3) % 5 − 2) / 2 in row-major [2, 3, 2], b = [0.5, −1]
        Conv1D conv = built64(new Conv1D(2, 2).padding(Padding1D.CAUSAL).dilation(2), 6, 3);
        try (var s = dev.myelin.autograd.NoGrad.scope()) {
            conv.kernel().value().assign(filled(j -> ((j * 3) % 5 - 2) / 2.0, 2, 3, 2));
            conv.bias().value().assign(Tensor.of(new double[] {0.5, -1.0}, 2));
        }
        Tensor y = conv.call(filled(i -> (i % 7) - 3, 1, 6, 3), false);
        TensorAssert.assertAllClose(y, Tensor.of(new double[] {-2.0, 0.0, -0.5, 0.0, 5.0, -6.0, -1.5, -1.0, 6.0, -3.0, -0.5, -1.5}, 1, 6, 2),
                1e-12, 1e-12);
    }

    @Test
    void causalOutputDoesNotSeeTheFuture() {
        Conv1D conv = built64(new Conv1D(1, 3).padding(Padding1D.CAUSAL).dilation(2).kernelInitializer(new Constant(1)), 10, 1);
        Tensor x = filled(i -> i == 6 ? 1 : 0, 1, 10, 1);
        // an impulse at step 6 reaches steps 6, 8 (and 10, past the end) only
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 1, 0, 1, 0}, conv.call(x, false).toDoubleArray());
    }

    @Test
    void sequenceLengthMayChangeBetweenCalls() {
        Conv1D conv = built(new Conv1D(4, 3, Activation.RELU).padding(Padding1D.SAME), 8, 2);
        assertEquals(Shape.of(2, 13, 4), conv.call(Tensor.zeros(2, 13, 2), false).shape());
        assertMessage(() -> conv.call(Tensor.zeros(2, 8, 3), false), "[batch, steps, 2]", "[2, 8, 3]");
        Conv1D valid = built(new Conv1D(4, 3).dilation(2), 8, 2);
        assertMessage(() -> valid.call(Tensor.zeros(1, 4, 2), false), "at least 5 steps", "[1, 4, 2]");
    }

    @Test
    void kerasLayoutDefaultsAndParameterCount() {
        Conv1D c = built(new Conv1D(4, 2, Activation.SIGMOID), 16, 3);
        assertEquals(Shape.of(2, 3, 4), c.kernel().value().shape());
        assertEquals(Shape.of(4), c.bias().value().shape());
        assertEquals(28, c.countParams());
        assertEquals(Shape.of(15, 4), c.outputShape(Shape.of(16, 3)));
        assertEquals(1, c.strides());
        assertEquals(1, c.dilation());
        assertEquals(Padding1D.VALID, c.padding());
        Conv1D noBias = built(new Conv1D(4, 2).useBias(false), 16, 3);
        assertNull(noBias.bias());
    }

    @Test
    void harness() {
        LayerTestHarness.of(() -> new Conv1D(3, 2)).inputShape(7, 2).expectOutputShape(6, 3)
                .expectWeights(2, 0).expectParams(2 * 2 * 3 + 3).run();
        LayerTestHarness.of(() -> new Conv1D(2, 3, Activation.TANH).strides(2).padding(Padding1D.SAME)).inputShape(7, 3)
                .expectOutputShape(4, 2).expectWeights(2, 0).expectParams(3 * 3 * 2 + 2).run();
        LayerTestHarness.of(() -> new Conv1D(2, 2).dilation(3).padding(Padding1D.CAUSAL).useBias(false)).inputShape(6, 1)
                .expectOutputShape(6, 2).expectWeights(1, 0).expectParams(4).run();
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new Conv1D(4, 3).name("conv_a").outputShape(Shape.of(28, 28, 1)), "conv_a", "Conv1D", "[steps, channels]", "[28, 28, 1]");
        assertMessage(() -> new Conv1D(4, 5).outputShape(Shape.of(3, 1)), "at least 5 steps", "VALID", "[3, 1]");
        assertMessage(() -> new Conv1D(0, 3), "filters", "0");
        assertMessage(() -> new Conv1D(4, 0), "kernelSize", "0");
        assertMessage(() -> new Conv1D(4, 3).strides(0), "strides", "0");
        assertMessage(() -> new Conv1D(4, 3).dilation(-1), "dilation", "-1");
        assertMessage(() -> new Conv1D(4, 3).strides(2).dilation(2), "strides", "dilation");
        assertMessage(() -> new Conv1D(4, 3).padding(null), "padding");
    }
}
