package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.built64;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class PoolingTest {

    /** Direct loops; SAME windows skip padded positions (max ignores them, average divides by the valid count). */
    static double[] naivePool(Tensor x, int ph, int pw, int sh, int sw, boolean same, boolean max, int[] outShape) {
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        int oh = same ? (h + sh - 1) / sh : (h - ph) / sh + 1;
        int ow = same ? (w + sw - 1) / sw : (w - pw) / sw + 1;
        int top = same ? Math.max((oh - 1) * sh + ph - h, 0) / 2 : 0;
        int left = same ? Math.max((ow - 1) * sw + pw - w, 0) / 2 : 0;
        outShape[0] = n; outShape[1] = oh; outShape[2] = ow; outShape[3] = c;
        double[] out = new double[n * oh * ow * c];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int ch = 0; ch < c; ch++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int a = 0; a < ph; a++)
                            for (int q = 0; q < pw; q++) {
                                int y = i * sh + a - top, z = j * sw + q - left;
                                if (y < 0 || y >= h || z < 0 || z >= w) continue;
                                double v = x.get(b, y, z, ch);
                                acc = max ? Math.max(acc, v) : acc + v;
                                count++;
                            }
                        out[((b * oh + i) * ow + j) * c + ch] = max ? acc : acc / count;
                    }
        return out;
    }

    private static void check(Pooling2D layer, boolean max, int ph, int pw, int sh, int sw, boolean same, int... inShape) {
        built64(layer, inShape[1], inShape[2], inShape[3]);
        Tensor x = filled(i -> Math.cos(1.3 * i) * 3 + 0.01 * i, inShape);
        int[] outShape = new int[4];
        double[] expected = naivePool(x, ph, pw, sh, sw, same, max, outShape);
        Tensor y = layer.call(x, false);
        assertEquals(Shape.of(outShape), y.shape());
        TensorAssert.assertAllClose(y.toDoubleArray(), expected, 1e-12, 1e-12);
    }

    @Test
    void maxPoolingMatchesNaiveLoops() {
        check(new MaxPooling2D(), true, 2, 2, 2, 2, false, 2, 6, 7, 3);
        check(new MaxPooling2D(3).strides(2), true, 3, 3, 2, 2, false, 1, 7, 8, 2);
        check(new MaxPooling2D(3, 2).strides(2, 1).padding(Padding.SAME), true, 3, 2, 2, 1, true, 2, 5, 4, 2);
    }

    @Test
    void averagePoolingMatchesNaiveLoops() {
        check(new AveragePooling2D(), false, 2, 2, 2, 2, false, 2, 6, 7, 3);
        check(new AveragePooling2D(2).strides(1), false, 2, 2, 1, 1, false, 1, 4, 5, 2);
        check(new AveragePooling2D(3).strides(2).padding(Padding.SAME), false, 3, 3, 2, 2, true, 2, 6, 5, 1);
    }

    @Test
    void handComputedValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 4, 4, 1);
        TensorAssert.assertValues(built(new MaxPooling2D(2), 4, 4, 1).call(x, false), new double[] {6, 8, 14, 16}, 0);
        TensorAssert.assertValues(built(new AveragePooling2D(2), 4, 4, 1).call(x, false), new double[] {3.5, 5.5, 11.5, 13.5}, 1e-6);
        // SAME 3x3 stride 1 at the corner averages the 4 valid values only: (1 + 2 + 5 + 6) / 4
        Tensor avg = built(new AveragePooling2D(3).strides(1).padding(Padding.SAME), 4, 4, 1).call(x, false);
        assertEquals(3.5, avg.get(0, 0, 0, 0), 1e-6);
        assertEquals(6.0, avg.get(0, 1, 1, 0), 1e-6);
    }

    @Test
    void defaultsAndShapes() {
        MaxPooling2D p = new MaxPooling2D();
        assertEquals(2, p.options().poolH());
        assertEquals(2, p.options().strideW());
        assertEquals(Padding.VALID, p.options().padding());
        assertEquals(Shape.of(13, 13, 32), new MaxPooling2D(2).outputShape(Shape.of(26, 26, 32)));
        assertEquals(Shape.of(3, 3, 4), new MaxPooling2D(3).outputShape(Shape.of(10, 11, 4)));
        assertEquals(Shape.of(4, 4, 4), new MaxPooling2D(3).padding(Padding.SAME).outputShape(Shape.of(10, 11, 4)));
        assertEquals(Shape.of(9, 10, 4), new AveragePooling2D(2).strides(1).outputShape(Shape.of(10, 11, 4)));
    }

    @Test
    void globalPooling() {
        Tensor x = filled(i -> (i * 7) % 13 - 6, 2, 3, 2, 4);
        Tensor avg = built64(new GlobalAveragePooling2D(), 3, 2, 4).call(x, false);
        Tensor max = built64(new GlobalMaxPooling2D(), 3, 2, 4).call(x, false);
        assertEquals(Shape.of(2, 4), avg.shape());
        double[] eAvg = new double[8], eMax = new double[8];
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 4; c++) {
                double s = 0, m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) { s += x.get(b, i, j, c); m = Math.max(m, x.get(b, i, j, c)); }
                eAvg[b * 4 + c] = s / 6;
                eMax[b * 4 + c] = m;
            }
        TensorAssert.assertAllClose(avg.toDoubleArray(), eAvg, 1e-12, 1e-12);
        TensorAssert.assertAllClose(max.toDoubleArray(), eMax, 0, 0);
        Tensor kept = built64(new GlobalMaxPooling2D().keepDims(true), 3, 2, 4).call(x, false);
        assertEquals(Shape.of(2, 1, 1, 4), kept.shape());
        TensorAssert.assertAllClose(kept.toDoubleArray(), eMax, 0, 0);
        assertEquals(Shape.of(1, 1, 64), new GlobalAveragePooling2D().keepDims(true).outputShape(Shape.of(7, 7, 64)));
        assertEquals(Shape.of(64), new GlobalAveragePooling2D().outputShape(Shape.of(7, 7, 64)));
    }

    @Test
    void harness() {
        LayerTestHarness.of(MaxPooling2D::new).inputShape(4, 5, 2).expectOutputShape(2, 2, 2).expectWeights(0, 0).expectParams(0).run();
        LayerTestHarness.of(() -> new MaxPooling2D(3).strides(2).padding(Padding.SAME)).inputShape(5, 4, 2).expectOutputShape(3, 2, 2).run();
        LayerTestHarness.of(AveragePooling2D::new).inputShape(4, 5, 2).expectOutputShape(2, 2, 2).expectWeights(0, 0).run();
        LayerTestHarness.of(() -> new AveragePooling2D(2, 3).strides(1).padding(Padding.SAME)).inputShape(3, 4, 1).expectOutputShape(3, 4, 1).run();
        LayerTestHarness.of(GlobalAveragePooling2D::new).inputShape(3, 4, 2).expectOutputShape(2).expectWeights(0, 0).run();
        LayerTestHarness.of(() -> new GlobalMaxPooling2D().keepDims(true)).inputShape(3, 4, 2).expectOutputShape(1, 1, 2).expectWeights(0, 0).run();
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new MaxPooling2D(2).name("pool_a").outputShape(Shape.of(26, 26)),
                "pool_a", "MaxPooling2D", "[height, width, channels]", "[26, 26]");
        assertMessage(() -> new AveragePooling2D(3).outputShape(Shape.of(2, 5, 1)), "3x3", "VALID", "[2, 5, 1]");
        assertMessage(() -> new MaxPooling2D(0), "poolSize", "0");
        assertMessage(() -> new AveragePooling2D(2, -1), "poolSize", "-1");
        assertMessage(() -> new MaxPooling2D(2).strides(0), "strides", "0");
        assertMessage(() -> new MaxPooling2D(2).padding(null), "padding");
        assertMessage(() -> new GlobalAveragePooling2D().name("gap").outputShape(Shape.of(64)), "gap", "[height, width, channels]", "[64]");
        assertMessage(() -> new GlobalMaxPooling2D().outputShape(Shape.of(0, 3, 2)), "[0, 3, 2]");
    }
}
