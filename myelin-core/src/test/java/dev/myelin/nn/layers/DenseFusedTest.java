package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.built;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.nn.Activation;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#dense} (issue #13: Dense's product, bias and activation as one operation) against the composed
 * {@code matmul(kernel).add(bias)} then {@code relu()} / {@code tanh()} it replaces: outputs and the gradients of x,
 * kernel and bias bit for bit, on float32 and the CPU backend, with widths that are and are not multiples of the
 * vector length, inputs of rank 2 to 4, products large enough to run in several tasks, and 1 vs 2 threads.
 */
class DenseFusedTest {
    private static final UnaryOp[] ACTIVATIONS = {null, UnaryOp.RELU, UnaryOp.TANH};

    /** {x dims..., units}: the last input dimension is {@code in}. */
    private static final int[][] SHAPES = {{5, 7, 13}, {2, 9, 33, 37}, {3, 4, 5, 17, 3}, {1, 1, 1}, {300, 130, 70}, {4, 64, 100, 129}, {64, 512, 1}, {3, 19, 37, 1}};

    @Test
    void matchesTheComposedOpsBitForBitWithOneAndTwoThreads() {
        int saved = Parallel.threads();
        try {
            SplittableRandom rnd = new SplittableRandom(13);
            for (int[] shape : SHAPES) {
                int[] xDims = Arrays.copyOf(shape, shape.length - 1);
                int in = xDims[xDims.length - 1], units = shape[shape.length - 1];
                int rows = Arrays.stream(xDims).reduce(1, (p, q) -> p * q) / in;
                float[] xd = random(rnd, rows * in), kd = random(rnd, in * units), bd = random(rnd, units), gd = random(rnd, rows * units);
                for (UnaryOp act : ACTIVATIONS) {
                    for (boolean bias : new boolean[] {true, false}) {
                        String what = Arrays.toString(shape) + " " + act + (bias ? " bias" : " no bias");
                        float[][][] byThreads = new float[2][][];
                        for (int threads = 1; threads <= 2; threads++) {
                            Parallel.setThreads(threads);
                            float[][] composed = run(xd, xDims, kd, bd, gd, in, units, act, bias, false);
                            float[][] fused = run(xd, xDims, kd, bd, gd, in, units, act, bias, true);
                            for (int i = 0; i < composed.length; i++) {
                                assertArrayEquals(composed[i], fused[i], "output/dx/dkernel/dbias " + i + ", " + what + ", " + threads + " threads");
                            }
                            byThreads[threads - 1] = fused;
                        }
                        for (int i = 0; i < byThreads[0].length; i++) assertArrayEquals(byThreads[0][i], byThreads[1][i], "1 vs 2 threads, " + what);
                        if (act == UnaryOp.RELU && rows * units > 10) {
                            long zeros = 0;
                            for (float v : byThreads[0][0]) if (v == 0f) zeros++;
                            assertTrue(zeros > 0 && zeros < rows * units, "the rectifier cut some outputs, not all: " + what);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** A broadcast upstream gradient (a loss's {@code sum()} scaled) gives the composed ops' gradients too, bit for bit. */
    @Test
    void broadcastGradientGivesTheComposedGradients() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] dims : new int[][] {{37, 19, 23}, {128, 64, 130}}) {
            int rows = dims[0], in = dims[1], units = dims[2];
            float[] xd = random(rnd, rows * in), kd = random(rnd, in * units), bd = random(rnd, units);
            float[][][] both = new float[2][][];
            for (int f = 0; f < 2; f++) {
                Tensor x = Tensor.of(xd, rows, in).requiresGrad(true);
                Tensor k = Tensor.of(kd, in, units).requiresGrad(true);
                Tensor b = Tensor.of(bd, units).requiresGrad(true);
                Tensor y = f == 1 ? x.dense(k, b, null) : x.matmul(k).add(b);
                y.sum().mul(0.37).backward(); // dy is 0.37 broadcast: its sums are not exact, so their order shows
                both[f] = new float[][] {x.grad().toFloatArray(), k.grad().toFloatArray(), b.grad().toFloatArray()};
            }
            for (int i = 0; i < 3; i++) assertArrayEquals(both[0][i], both[1][i], "dx/dkernel/dbias " + i + " " + Arrays.toString(dims));
        }
    }

    /** The output and the gradients of x, kernel and bias (when there is one) for the upstream gradient g. */
    private static float[][] run(float[] xd, int[] xDims, float[] kd, float[] bd, float[] gd, int in, int units, UnaryOp act,
                                 boolean withBias, boolean fused) {
        Tensor x = Tensor.of(xd, xDims).requiresGrad(true);
        Tensor k = Tensor.of(kd, in, units).requiresGrad(true);
        Tensor b = withBias ? Tensor.of(bd, units).requiresGrad(true) : null;
        Tensor y;
        if (fused) {
            y = x.dense(k, b, act);
        } else {
            y = x.matmul(k);
            if (b != null) y = y.add(b);
            if (act != null) y = act == UnaryOp.RELU ? y.relu() : y.tanh();
        }
        y.backward(Tensor.of(gd, y.shape().toArray()));
        return withBias
                ? new float[][] {y.toFloatArray(), x.grad().toFloatArray(), k.grad().toFloatArray(), b.grad().toFloatArray()}
                : new float[][] {y.toFloatArray(), x.grad().toFloatArray(), k.grad().toFloatArray()};
    }

    @Test
    void onlyTheNeededGradientsAreComputed() {
        Tensor x = Tensor.of(new float[] {1, -2, 3, 4, 5, -6}, 2, 3);
        Tensor k = Tensor.of(new float[] {1, 2, -3, 4, 5, 6}, 3, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {0.5f, -0.5f}, 2);
        x.dense(k, b, UnaryOp.RELU).sum().backward();
        assertNull(x.grad(), "x does not require a gradient");
        // x·k + b = [[22.5, 11.5], [-40.5, -8.5]]: only row 0 passes the rectifier, so dk[i][j] = x[0][i]
        assertArrayEquals(new float[] {1, 1, -2, -2, 3, 3}, k.grad().toFloatArray());
    }

    @Test
    void fallsBackToTheComposedOpsWhereItCannotFuse() {
        SplittableRandom rnd = new SplittableRandom(3);
        Tensor k = Tensor.of(random(rnd, 12), 4, 3), b = Tensor.of(random(rnd, 3), 3);
        // a vector input, and a transposed (strided) one: matmul's own handling, the same values
        Tensor v = Tensor.of(random(rnd, 4), 4);
        assertArrayEquals(v.matmul(k).add(b).tanh().toFloatArray(), v.dense(k, b, UnaryOp.TANH).toFloatArray());
        Tensor t = Tensor.of(random(rnd, 20), 4, 5).transpose(0, 1);
        assertArrayEquals(t.matmul(k).add(b).relu().toFloatArray(), t.dense(k, b, UnaryOp.RELU).toFloatArray());
        assertEquals(5, t.dense(k, null, null).dim(0));
    }

    @Test
    void badOperandsAreNamed() {
        Tensor x = Tensor.zeros(2, 4), k = Tensor.zeros(4, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.dense(Tensor.zeros(5, 3), null, null)).getMessage().contains("kernel [in, units]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.dense(k, Tensor.zeros(4), null)).getMessage().contains("bias must be [units] = [3]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.dense(k, null, UnaryOp.GELU)).getMessage().contains("RELU or TANH"));
    }

    /** The layer's forward pass (the fused op for linear with bias, relu and tanh) against its composed definition. */
    @Test
    void denseLayerGivesTheComposedValuesAndGradients() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (Activation a : new Activation[] {Activation.LINEAR, Activation.RELU, Activation.TANH, Activation.SIGMOID}) {
            for (boolean bias : new boolean[] {true, false}) {
                Dense layer = built(new Dense(19, a).useBias(bias), 6, 23);
                float[] xd = random(rnd, 3 * 6 * 23), gd = random(rnd, 3 * 6 * 19);
                float[][] results = new float[2][];
                for (int fused = 0; fused < 2; fused++) {
                    layer.kernel().value().zeroGrad();
                    if (bias) layer.bias().value().zeroGrad();
                    Tensor x = Tensor.of(xd, 3, 6, 23).requiresGrad(true);
                    Tensor y = fused == 1 ? layer.call(x, true) : a.apply(layer.preActivation(x));
                    y.backward(Tensor.of(gd, 3, 6, 19));
                    float[] out = concat(y.toFloatArray(), x.grad().toFloatArray(), layer.kernel().value().grad().toFloatArray(),
                            bias ? layer.bias().value().grad().toFloatArray() : new float[0]);
                    results[fused] = out;
                }
                assertArrayEquals(results[0], results[1], a + (bias ? " with bias" : " without bias"));
            }
        }
    }

    private static float[] concat(float[]... parts) {
        float[] out = new float[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int pos = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
