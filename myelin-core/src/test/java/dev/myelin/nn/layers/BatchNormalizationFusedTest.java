package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.rng;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The layer's fused operation (one op and one gradient rule per call) against the composed formulas it
 * replaced, kept here as the reference and run in float64 on the same float32 values: outputs, the
 * gradients of x, gamma and beta, and the moving statistics, in training and inference, on shapes with
 * channel counts that are and are not multiples of the vector length; and bit-identical with 1 and 2 threads.
 */
class BatchNormalizationFusedTest {
    private static final double MOMENTUM = 0.9;
    private static final double EPSILON = 1e-3;

    /**
     * BatchNormalization.forward before the fused operation (issue #13): eight element-wise tensor
     * operations whose gradient autograd composes, then Keras's moving-average update outside the graph.
     */
    private static Tensor composedForward(Tensor x, int a, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVariance,
                                          boolean training) {
        int[] reduce = new int[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) if (i != a) reduce[j++] = i;
        int[] paramDims = new int[x.rank() - a];
        Arrays.fill(paramDims, 1);
        paramDims[0] = x.dim(a);
        Tensor centered;
        Tensor variance;
        if (training) {
            Tensor mean = x.mean(reduce, true);
            centered = x.sub(mean);
            variance = centered.square().mean(reduce, true);
            try (var noGrad = NoGrad.scope()) {
                updateMoving(movingMean, mean);
                updateMoving(movingVariance, variance);
            }
        } else {
            centered = x.sub(movingMean.reshape(paramDims));
            variance = movingVariance.reshape(paramDims);
        }
        Tensor y = centered.mul(variance.add(EPSILON).rsqrt());
        if (gamma != null) y = y.mul(gamma.reshape(paramDims));
        if (beta != null) y = y.add(beta.reshape(paramDims));
        return y;
    }

    private static void updateMoving(Tensor m, Tensor batchStatistic) {
        Tensor batch = batchStatistic.detach().reshape(m.shape());
        m.assign(m.mul(MOMENTUM).add(batch.mul(1.0 - MOMENTUM)));
    }

    private static float[] uniform(RandomGenerator r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(lo, hi);
        return v;
    }

    private static Tensor f64(float[] v, int... shape) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return Tensor.of(d, shape);
    }

    /** |got − want| ≤ tol · max(1, max |want|) element-wise. */
    private static void assertClose(String what, Tensor got, Tensor want, double tol) {
        assertNotNull(got, what + " missing");
        assertEquals(want.shape(), got.shape(), what + " shape");
        double[] g = got.toDoubleArray(), w = want.toDoubleArray();
        double scale = 1;
        for (double v : w) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < w.length; i++) {
            assertTrue(Math.abs(g[i] - w[i]) <= tol * scale, what + " element " + i + ": got " + g[i] + " want " + w[i] + " (scale " + scale + ")");
        }
    }

    /** What one float32 step of the layer produced: output, gradients of x, gamma, beta, moving mean and variance. */
    private static List<Tensor> runLayer(int[] shape, int axis, boolean center, boolean scale, boolean training, long seed) {
        RandomGenerator r = rng(seed);
        int a = axis < 0 ? axis + shape.length : axis;
        int features = shape[a];
        BatchNormalization bn = built(new BatchNormalization().axis(axis).center(center).scale(scale).momentum(MOMENTUM),
                Arrays.copyOfRange(shape, 1, shape.length));
        try (var s = NoGrad.scope()) {
            if (scale) bn.gamma().value().assign(Tensor.of(uniform(r, features, -2, 2), features));
            if (center) bn.beta().value().assign(Tensor.of(uniform(r, features, -1, 1), features));
            bn.movingMean().value().assign(Tensor.of(uniform(r, features, -1, 4), features));
            bn.movingVariance().value().assign(Tensor.of(uniform(r, features, 0.2, 3), features));
        }
        int size = 1;
        for (int d : shape) size *= d;
        float[] xv = new float[size];
        for (int i = 0; i < size; i++) xv[i] = (float) (3 + 2 * r.nextGaussian());   // off-centre: the mean matters
        Tensor x = Tensor.of(xv, shape).requiresGrad(true);
        Tensor y = bn.call(x, training);
        if (a == shape.length - 1) {
            // one fused operation, straight on x, gamma and beta
            assertEquals(training ? "batch_norm" : "batch_norm_inference", y.gradFn().op());
            assertEquals(1 + (scale ? 1 : 0) + (center ? 1 : 0), y.gradFn().inputs().length);
        }
        y.mul(Tensor.of(uniform(r, size, -1, 1), shape)).sum().backward();
        List<Tensor> out = new ArrayList<>(List.of(y, x.grad()));
        out.add(scale ? bn.gamma().grad() : null);
        out.add(center ? bn.beta().grad() : null);
        out.add(bn.movingMean().value());
        out.add(bn.movingVariance().value());
        return out;
    }

    /** The same step through the composed reference, in float64 from the same values. */
    private static List<Tensor> runComposed(int[] shape, int axis, boolean center, boolean scale, boolean training, long seed) {
        RandomGenerator r = rng(seed);
        int a = axis < 0 ? axis + shape.length : axis;
        int features = shape[a];
        Tensor gamma = scale ? f64(uniform(r, features, -2, 2), features).requiresGrad(true) : null;
        Tensor beta = center ? f64(uniform(r, features, -1, 1), features).requiresGrad(true) : null;
        Tensor movingMean = f64(uniform(r, features, -1, 4), features), movingVariance = f64(uniform(r, features, 0.2, 3), features);
        int size = 1;
        for (int d : shape) size *= d;
        float[] xv = new float[size];
        for (int i = 0; i < size; i++) xv[i] = (float) (3 + 2 * r.nextGaussian());
        Tensor x = f64(xv, shape).requiresGrad(true);
        Tensor y = composedForward(x, a, gamma, beta, movingMean, movingVariance, training);
        y.mul(f64(uniform(r, size, -1, 1), shape)).sum().backward();
        return Arrays.asList(y, x.grad(), gamma == null ? null : gamma.grad(), beta == null ? null : beta.grad(), movingMean, movingVariance);
    }

    private static final String[] NAMES = {"output", "x gradient", "gamma gradient", "beta gradient", "moving mean", "moving variance"};

    private static void compare(int[] shape, int axis, boolean center, boolean scale, boolean training) {
        long seed = Arrays.hashCode(shape) * 31L + axis;
        List<Tensor> got = runLayer(shape, axis, center, scale, training, seed), want = runComposed(shape, axis, center, scale, training, seed);
        for (int i = 0; i < NAMES.length; i++) {
            if (want.get(i) == null) continue;
            assertClose(Arrays.toString(shape) + " axis " + axis + (training ? " training " : " inference ") + NAMES[i], got.get(i), want.get(i), 2e-5);
        }
    }

    @Test
    void matchesTheComposedFormulasAfterConvolution() {
        compare(new int[] {32, 28, 28, 32}, -1, true, true, true);
        compare(new int[] {32, 28, 28, 32}, -1, true, true, false);
    }

    @Test
    void matchesTheComposedFormulasOnOtherShapes() {
        for (int[] shape : new int[][] {{7, 5}, {128, 512}, {3, 1}, {2100, 7}, {4, 3, 3, 13}}) {
            compare(shape, -1, true, true, true);
            compare(shape, -1, true, true, false);
        }
    }

    @Test
    void matchesTheComposedFormulasWithoutCenterOrScale() {
        for (boolean training : new boolean[] {true, false}) {
            compare(new int[] {7, 5}, -1, false, true, training);
            compare(new int[] {7, 5}, -1, true, false, training);
            compare(new int[] {40, 9}, -1, false, false, training);
        }
    }

    @Test
    void matchesTheComposedFormulasOnAnotherFeatureAxis() {
        for (boolean training : new boolean[] {true, false}) {
            compare(new int[] {4, 6, 5}, 1, true, true, training);
            compare(new int[] {3, 4, 5, 6}, 2, true, false, training);
            compare(new int[] {3, 4, 5, 6}, -3, false, true, training);
        }
    }

    /**
     * One float32 step of {@code call(x).relu()} (apart) or {@code callRelu(x)} (fused), frozen or not: the output, the
     * gradients of x, gamma and beta, the moving statistics. One channel has gamma 0 and beta 0, so that its normalized
     * values are exactly ±0, on the rectifier's edge.
     */
    private static List<float[]> runRelu(int[] shape, int axis, boolean center, boolean scale, boolean training, boolean frozen, boolean fused) {
        RandomGenerator r = rng(Arrays.hashCode(shape) + axis);
        int a = axis < 0 ? axis + shape.length : axis;
        int features = shape[a];
        BatchNormalization bn = built(new BatchNormalization().axis(axis).center(center).scale(scale).momentum(MOMENTUM),
                Arrays.copyOfRange(shape, 1, shape.length));
        try (var s = NoGrad.scope()) {
            float[] gamma = uniform(r, features, -2, 2), beta = uniform(r, features, -1, 1);
            gamma[0] = 0;
            beta[0] = 0;
            if (scale) bn.gamma().value().assign(Tensor.of(gamma, features));
            if (center) bn.beta().value().assign(Tensor.of(beta, features));
            bn.movingMean().value().assign(Tensor.of(uniform(r, features, -1, 4), features));
            bn.movingVariance().value().assign(Tensor.of(uniform(r, features, 0.2, 3), features));
        }
        bn.trainable(!frozen);
        int size = 1;
        for (int d : shape) size *= d;
        float[] xv = new float[size];
        for (int i = 0; i < size; i++) xv[i] = (float) (3 + 2 * r.nextGaussian());
        Tensor x = Tensor.of(xv, shape).requiresGrad(true);
        Tensor y = fused ? bn.callRelu(x, training) : bn.call(x, training).relu();
        if (fused && a == shape.length - 1) {
            assertEquals(training && !frozen ? "batch_norm_relu" : "batch_norm_inference_relu", y.gradFn().op());
        }
        y.mul(Tensor.of(uniform(r, size, -1, 1), shape)).sum().backward();
        List<float[]> out = new ArrayList<>(List.of(y.toFloatArray(), x.grad().toFloatArray()));
        if (scale && !frozen) out.add(bn.gamma().grad().toFloatArray());
        if (center && !frozen) out.add(bn.beta().grad().toFloatArray());
        out.add(bn.movingMean().value().toFloatArray());
        out.add(bn.movingVariance().value().toFloatArray());
        return out;
    }

    private static void compareRelu(int[] shape, int axis, boolean center, boolean scale, boolean training, boolean frozen) {
        List<float[]> apart = runRelu(shape, axis, center, scale, training, frozen, false);
        List<float[]> fused = runRelu(shape, axis, center, scale, training, frozen, true);
        String what = Arrays.toString(shape) + " axis " + axis + (training ? " training" : " inference") + (frozen ? " frozen" : "")
                + (center ? "" : " no center") + (scale ? "" : " no scale");
        assertEquals(apart.size(), fused.size());
        for (int i = 0; i < apart.size(); i++) assertArrayEquals(apart.get(i), fused.get(i), what + ": array " + i);
    }

    @Test
    void callReluIsCallThenReluBitForBit() {
        for (int[] shape : new int[][] {{32, 28, 28, 32}, {16, 7, 7, 128}, {7, 5}, {3, 1}, {2100, 7}, {4, 3, 3, 13}, {128, 512}}) {
            for (boolean training : new boolean[] {true, false}) compareRelu(shape, -1, true, true, training, false);
        }
        compareRelu(new int[] {64, 14, 14, 64}, -1, true, true, true, true);  // frozen: inference statistics, with a graph
        compareRelu(new int[] {7, 5}, -1, false, true, true, false);
        compareRelu(new int[] {7, 5}, -1, true, false, true, false);
        compareRelu(new int[] {40, 9}, -1, false, false, false, false);
        compareRelu(new int[] {4, 6, 5}, 1, true, true, true, false);
    }

    @Test
    void sameBitsForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            for (boolean training : new boolean[] {true, false}) {
                Parallel.setThreads(1);
                List<Tensor> one = runLayer(new int[] {32, 28, 28, 32}, -1, true, true, training, 5);
                Parallel.setThreads(2);
                List<Tensor> two = runLayer(new int[] {32, 28, 28, 32}, -1, true, true, training, 5);
                for (int i = 0; i < NAMES.length; i++) {
                    assertArrayEquals(one.get(i).toFloatArray(), two.get(i).toFloatArray(), NAMES[i] + (training ? " training" : " inference"));
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
