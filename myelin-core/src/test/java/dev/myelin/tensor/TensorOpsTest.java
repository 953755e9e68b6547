package dev.myelin.tensor;

import static dev.myelin.testing.TensorAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forward values of tensor operations against hand-computed results. */
class TensorOpsTest {
    private static final double TOL = 1e-6;

    private static Tensor t(float[] v, int... shape) {
        return Tensor.of(v, shape);
    }

    @Test
    void creation() {
        assertValues(Tensor.arange(4), new double[] {0, 1, 2, 3}, 0);
        assertValues(Tensor.arange(1, 2, 0.25), new double[] {1, 1.25, 1.5, 1.75}, 0);
        assertValues(Tensor.linspace(0, 1, 5), new double[] {0, 0.25, 0.5, 0.75, 1}, TOL);
        assertValues(Tensor.eye(2), new double[] {1, 0, 0, 1}, 0);
        assertValues(Tensor.full(DType.FLOAT64, Shape.of(2), 7), new double[] {7, 7}, 0);
        assertEquals(DType.FLOAT64, Tensor.full(DType.FLOAT64, Shape.of(2), 7).dtype());
        assertValues(Tensor.oneHot(t(new float[] {2, 0}, 2), 3), new double[] {0, 0, 1, 1, 0, 0}, 0);
        assertEquals(3.5, Tensor.scalar(3.5).item());
    }

    @Test
    void arithmeticBroadcasts() {
        Tensor a = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor row = t(new float[] {10, 20, 30}, 3);
        Tensor col = t(new float[] {100, 200}, 2, 1);
        assertValues(a.add(row), new double[] {11, 22, 33, 14, 25, 36}, 0);
        assertValues(a.sub(col), new double[] {-99, -98, -97, -196, -195, -194}, 0);
        assertValues(a.mul(row).div(10.0), new double[] {1, 4, 9, 4, 10, 18}, TOL);
        assertValues(a.pow(2.0), new double[] {1, 4, 9, 16, 25, 36}, TOL);
        assertValues(a.maximum(t(new float[] {3}, 1)), new double[] {3, 3, 3, 4, 5, 6}, 0);
        assertValues(a.minimum(row.div(10.0)), new double[] {1, 2, 3, 1, 2, 3}, 0);
        assertEquals(Shape.of(2, 2, 3), a.add(t(new float[] {0, 0}, 2, 1, 1)).shape());
    }

    @Test
    void unaryFunctions() {
        Tensor x = t(new float[] {-2, -0.5f, 0, 0.5f, 2}, 5);
        assertValues(x.relu(), new double[] {0, 0, 0, 0.5, 2}, 0);
        assertValues(x.leakyRelu(0.1), new double[] {-0.2, -0.05, 0, 0.5, 2}, TOL);
        assertValues(x.elu(1.0), new double[] {Math.expm1(-2), Math.expm1(-0.5), 0, 0.5, 2}, TOL);
        assertValues(x.sigmoid(), new double[] {0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708}, TOL);
        assertValues(x.tanh(), new double[] {-0.96402758, -0.46211716, 0, 0.46211716, 0.96402758}, TOL);
        assertValues(x.softplus(), new double[] {0.12692801, 0.47407698, 0.69314718, 0.97407698, 2.12692801}, TOL);
        // GELU(x) = x·Φ(x); Φ(0.5) = 0.69146246, Φ(2) = 0.97724987
        assertValues(x.gelu(), new double[] {-2 * (1 - 0.97724987), -0.5 * (1 - 0.69146246), 0, 0.5 * 0.69146246, 2 * 0.97724987}, TOL);
        assertValues(x.abs(), new double[] {2, 0.5, 0, 0.5, 2}, 0);
        assertValues(x.sign(), new double[] {-1, -1, 0, 1, 1}, 0);
        assertValues(x.clamp(-1, 1), new double[] {-1, -0.5, 0, 0.5, 1}, 0);
        assertValues(x.exp(), new double[] {Math.exp(-2), Math.exp(-0.5), 1, Math.exp(0.5), Math.exp(2)}, TOL);
        Tensor p = t(new float[] {0.25f, 1, 4}, 3);
        assertValues(p.log(), new double[] {Math.log(0.25), 0, Math.log(4)}, TOL);
        assertValues(p.sqrt(), new double[] {0.5, 1, 2}, TOL);
        assertValues(p.rsqrt(), new double[] {2, 1, 0.5}, TOL);
        assertValues(p.reciprocal(), new double[] {4, 1, 0.25}, TOL);
        assertValues(p.log1p(), new double[] {Math.log(1.25), Math.log(2), Math.log(5)}, TOL);
    }

    @Test
    void stableAtExtremes() {
        Tensor big = t(new float[] {-1000, 1000}, 2);
        assertValues(big.sigmoid(), new double[] {0, 1}, 0);
        assertValues(big.softplus(), new double[] {0, 1000}, TOL);
        assertValues(big.softmax(-1), new double[] {0, 1}, 0);
        assertValues(big.logSoftmax(-1), new double[] {-2000, 0}, TOL);
        assertValues(big.logSumExp(new int[] {0}, false), new double[] {1000}, TOL);
    }

    @Test
    void comparisonsAndWhere() {
        Tensor a = t(new float[] {1, 2, 3}, 3);
        Tensor b = t(new float[] {3, 2, 1}, 3);
        assertValues(a.lt(b), new double[] {1, 0, 0}, 0);
        assertValues(a.le(b), new double[] {1, 1, 0}, 0);
        assertValues(a.eq(b), new double[] {0, 1, 0}, 0);
        assertValues(a.ne(b), new double[] {1, 0, 1}, 0);
        assertValues(a.gt(b), new double[] {0, 0, 1}, 0);
        assertValues(a.ge(b), new double[] {0, 1, 1}, 0);
        assertValues(Tensor.where(a.gt(b), a, b.neg()), new double[] {-3, -2, 3}, 0);
    }

    @Test
    void reductions() {
        Tensor a = t(new float[] {1, 5, 3, 4, 2, 6}, 2, 3);
        assertEquals(21, a.sum().item());
        assertValues(a.sum(0), new double[] {5, 7, 9}, 0);
        assertValues(a.sum(1), new double[] {9, 12}, 0);
        assertEquals(Shape.of(2, 1), a.sum(new int[] {1}, true).shape());
        assertValues(a.mean(0), new double[] {2.5, 3.5, 4.5}, TOL);
        assertValues(a.max(1), new double[] {5, 6}, 0);
        assertValues(a.min(0), new double[] {1, 2, 3}, 0);
        assertValues(a.argmax(1), new double[] {1, 2}, 0);
        assertValues(a.argmin(0), new double[] {0, 1, 0}, 0);
        assertValues(a.variance(new int[] {1}, false), new double[] {8.0 / 3, 8.0 / 3}, TOL);
        assertValues(t(new float[] {7, 7, 1}, 3).argmax(0), new double[] {0}, 0); // first on ties
        double lse = Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3));
        assertValues(a.logSumExp(new int[] {1}, false), new double[] {lse, Math.log(Math.exp(4) + Math.exp(2) + Math.exp(6))}, TOL);
        double e1 = Math.exp(1 - lse), e5 = Math.exp(5 - lse), e3 = Math.exp(3 - lse);
        assertValues(a.softmax(-1).slice(0, 0, 1), new double[] {e1, e5, e3}, TOL);
        assertValues(a.logSoftmax(-1).slice(0, 0, 1), new double[] {1 - lse, 5 - lse, 3 - lse}, TOL);
        assertValues(a.softmax(0).sum(0), new double[] {1, 1, 1}, TOL);
    }

    @Test
    void matmul() {
        Tensor a = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = t(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertValues(a.matmul(b), new double[] {58, 64, 139, 154}, 0);
        assertValues(a.mT().matmul(a), new double[] {17, 22, 27, 22, 29, 36, 27, 36, 45}, 0);
        assertValues(a.matmul(t(new float[] {1, 0, -1}, 3)), new double[] {-2, -2}, 0);
        Tensor batch = Tensor.stack(List.of(a, a.mul(2.0)), 0); // [2, 2, 3]
        Tensor out = batch.matmul(b);                            // b broadcast over the batch
        assertEquals(Shape.of(2, 2, 2), out.shape());
        assertValues(out, new double[] {58, 64, 139, 154, 116, 128, 278, 308}, 0);
    }

    @Test
    void viewsShareStorage() {
        Tensor a = Tensor.arange(12).reshape(3, 4);
        Tensor tr = a.transpose(0, 1);
        assertFalse(tr.isContiguous());
        assertEquals(Shape.of(4, 3), tr.shape());
        assertValues(tr, new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, 0);
        assertValues(a.slice(1, 1, 4, 2), new double[] {1, 3, 5, 7, 9, 11}, 0);
        assertValues(a.slice(0, -1, 3), new double[] {8, 9, 10, 11}, 0);
        assertValues(t(new float[] {1, 2}, 2, 1).expand(2, 3), new double[] {1, 1, 1, 2, 2, 2}, 0);
        assertEquals(Shape.of(3, 1, 4), a.unsqueeze(1).shape());
        assertEquals(Shape.of(3, 4), a.unsqueeze(1).squeeze(1).shape());
        // a reshape of a transposed view copies; of a contiguous one it does not
        assertValues(tr.reshape(-1), new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, 0);
        Tensor flat = a.reshape(12);
        try (var s = dev.myelin.autograd.NoGrad.scope()) {
            flat.slice(0, 0, 1).fill(100);
        }
        assertEquals(100, a.get(0, 0));
        assertTrue(a.permute(1, 0).contiguous().isContiguous());
        // non-contiguous but viewable: splitting a transposed dimension
        Tensor v = Tensor.arange(24).reshape(2, 3, 4).permute(1, 0, 2); // [3, 2, 4]
        assertValues(v.reshape(3, 2, 2, 2).slice(0, 0, 1), new double[] {0, 1, 2, 3, 12, 13, 14, 15}, 0);
    }

    @Test
    void joiningAndIndexing() {
        Tensor a = t(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = t(new float[] {5, 6}, 2, 1);
        assertValues(Tensor.concat(List.of(a, b), 1), new double[] {1, 2, 5, 3, 4, 6}, 0);
        assertValues(Tensor.stack(List.of(a, a), 1), new double[] {1, 2, 1, 2, 3, 4, 3, 4}, 0);
        List<Tensor> parts = Tensor.arange(6).split(new int[] {2, 4}, 0);
        assertValues(parts.get(1), new double[] {2, 3, 4, 5}, 0);
        assertEquals(3, Tensor.arange(6).chunk(3, 0).size());
        Tensor table = Tensor.arange(6).reshape(3, 2);
        assertValues(table.indexSelect(0, new int[] {2, 2, 0}), new double[] {4, 5, 4, 5, 0, 1}, 0);
        Tensor ids = t(new float[] {1, 0, 2, 1}, 2, 2);
        assertEquals(Shape.of(2, 2, 2), table.take(0, ids).shape());
        assertValues(Tensor.zeros(3).indexAdd(0, new int[] {0, 2, 0}, t(new float[] {1, 2, 3}, 3)), new double[] {4, 0, 2}, 0);
        assertValues(a.pad(new int[][] {{1, 0}, {0, 1}}, -1), new double[] {-1, -1, -1, 1, 2, -1, 3, 4, -1}, 0);
    }

    @Test
    void convolutionAgainstHandComputed() {
        // 1 image 3x3x1, kernel 2x2x1x1 of ones: each output is a 2x2 window sum.
        Tensor x = Tensor.arange(9).reshape(1, 3, 3, 1);
        Tensor k = Tensor.ones(2, 2, 1, 1);
        assertValues(x.conv2d(k, ConvOptions.defaults()), new double[] {8, 12, 20, 24}, 0);
        // SAME padding, stride 1: extra padding at the bottom/right; output 3x3
        Tensor same = x.conv2d(k, ConvOptions.defaults().padding(Padding.SAME));
        assertValues(same, new double[] {8, 12, 7, 20, 24, 13, 13, 15, 8}, 0);
        // two filters, two channels: filter 0 picks channel 0, filter 1 sums both
        Tensor x2 = Tensor.of(new float[] {1, 10, 2, 20}, 1, 1, 2, 2);
        Tensor k2 = Tensor.of(new float[] {1, 1, 0, 1}, 1, 1, 2, 2);
        assertValues(x2.conv2d(k2, ConvOptions.defaults()), new double[] {1, 11, 2, 22}, 0);
        // pooling
        Tensor img = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 4, 4, 1);
        assertValues(img.maxPool2d(PoolOptions.of(2)), new double[] {6, 8, 14, 16}, 0);
        assertValues(img.avgPool2d(PoolOptions.of(2)), new double[] {3.5, 5.5, 11.5, 13.5}, TOL);
        // SAME average pooling of a 3x3 with 2x2 windows: border windows average only valid cells
        Tensor small = Tensor.arange(9).reshape(1, 3, 3, 1);
        assertValues(small.avgPool2d(PoolOptions.of(2).padding(Padding.SAME)), new double[] {2, 3.5, 6.5, 8}, TOL);
    }

    @Test
    void toStringIsReadable() {
        assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2], dtype=float32)",
                t(new float[] {1, 2, 3, 4}, 2, 2).toString());
        String big = Tensor.zeros(100, 100).toString();
        assertTrue(big.contains("...") && big.length() < 1000, big);
    }

    @Test
    void reluKeepsNaNAsPyTorchDoes() {
        // 40 elements: the vector loop and the scalar tail both see a NaN
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) x[i] = i % 3 - 1;
        x[5] = Float.NaN;
        x[39] = Float.NaN;
        float[] y = Tensor.of(x, 40).relu().toFloatArray();
        assertTrue(Float.isNaN(y[5]) && Float.isNaN(y[39]));
        assertEquals(0f, y[0]);
        assertEquals(1f, y[2]);
        assertTrue(Double.isNaN(Tensor.of(new double[] {Double.NaN}, 1).relu().item()));
    }

    @Test
    void reluGradientPassesWhereInputIsPositiveOrNaN() {
        // 40 elements: the vector loop and the scalar tail both see NaN, zero, negative and positive inputs
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) x[i] = i % 3 - 1;
        x[5] = Float.NaN;
        x[39] = Float.NaN;
        x[7] = -0f;
        Tensor leaf = Tensor.of(x, 40).requiresGrad(true);
        leaf.relu().mul(2.0).sum().backward();
        float[] g = leaf.grad().toFloatArray();
        for (int i = 0; i < 40; i++) {
            float want = Float.isNaN(x[i]) || x[i] > 0 ? 2f : 0f;
            assertEquals(want, g[i], "element " + i);
        }
        // g where x > 0 or NaN, else +0 (no NaN or -0 from g·0), broadcasting x over rows
        Tensor gr = Tensor.of(new float[] {-3f, Float.NaN, Float.POSITIVE_INFINITY, 4f}, 2, 2)
                .reluGrad(Tensor.of(new float[] {-1f, 1f}, 2));
        assertArrayEquals(new float[] {0f, Float.NaN, 0f, 4f}, gr.toFloatArray());
    }
}
