package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.backend.Backends;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.losses.Loss;
import dev.myelin.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tensor.sparseSoftmaxCrossEntropy: bit for bit the log-softmax, pick, mean and negation it fuses (value and
 * gradient, float32, odd class counts, rank 3, batch 1 and 3, both sides of the loss's gather threshold),
 * the CPU backend's fused kernel against the reference backend, the same on 1 and 2 threads, a float64 finite-difference gradient check, and its argument checks.
 */
class SparseSoftmaxCrossEntropyTest {
    private static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    private static int[] classes(long seed, int n, int c) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] k = new int[n];
        for (int i = 0; i < n; i++) k[i] = r.nextInt(c);
        return k;
    }

    /** The composed path the fused operation replaces: log-softmax, gather, mean, negation. */
    private static Tensor composed(Tensor x, int[] k) {
        int c = x.shape().dim(-1);
        int[] flat = new int[k.length];
        for (int i = 0; i < k.length; i++) flat[i] = i * c + k[i];
        return x.logSoftmax(-1).reshape(x.size()).indexSelect(0, flat).mean().neg();
    }

    /** {loss, gradient} of f at float32 logits of the given shape. */
    private static float[][] lossAndGradient(float[] data, int[] shape, int[] k, boolean fused) {
        Tensor x = Tensor.of(data, shape).requiresGrad(true);
        Tensor loss = fused ? x.sparseSoftmaxCrossEntropy(k) : composed(x, k);
        loss.backward();
        return new float[][] {loss.toFloatArray(), x.grad().toFloatArray()};
    }

    @Test
    void equalsTheComposedPathBitForBit() {
        int[][] shapes = {{1, 10}, {3, 7}, {128, 10}, {5, 1000}, {3, 4, 13}, {2, 513}, {17, 1}};
        for (int[] shape : shapes) {
            int c = shape[shape.length - 1], n = Shape.of(shape).size() / c;
            float[] data = random(c * 31L + n, n * c, 3);
            int[] k = classes(n, n, c);
            float[][] fused = lossAndGradient(data, shape, k, true), reference = lossAndGradient(data, shape, k, false);
            String at = Shape.of(shape).toString();
            assertArrayEquals(reference[0], fused[0], "loss at " + at);
            assertArrayEquals(reference[1], fused[1], "gradient at " + at);
        }
    }

    @Test
    void theFusedKernelEqualsTheComposedPathAcrossBlocksAndStrides() {
        // rows longer than a block of 1,024 (several exp blocks per row), many short rows (blocks that cross rows,
        // more blocks than one task), and a transposed (non-contiguous) input
        int[][] shapes = {{3, 2500}, {1000, 9}, {7, 1031}, {2, 3, 1}};
        for (int[] shape : shapes) {
            int c = shape[shape.length - 1], n = Shape.of(shape).size() / c;
            float[] data = random(c * 17L + n, n * c, 5);
            int[] k = classes(n + 1, n, c);
            float[][] fused = lossAndGradient(data, shape, k, true), reference = lossAndGradient(data, shape, k, false);
            String at = Shape.of(shape).toString();
            assertArrayEquals(reference[0], fused[0], "loss at " + at);
            assertArrayEquals(reference[1], fused[1], "gradient at " + at);
        }
        float[] data = random(3, 11 * 6, 2);
        int[] k = classes(4, 6, 11);
        Tensor leaf = Tensor.of(data, 11, 6).requiresGrad(true);
        Tensor loss = leaf.transpose(0, 1).sparseSoftmaxCrossEntropy(k);
        loss.backward();
        Tensor copy = Tensor.of(Tensor.of(data, 11, 6).transpose(0, 1).contiguous().toFloatArray(), 6, 11);
        float[][] reference = lossAndGradient(copy.toFloatArray(), new int[] {6, 11}, k, false);
        assertArrayEquals(reference[0], loss.toFloatArray(), "loss of a transposed input");
        assertArrayEquals(reference[1], leaf.grad().transpose(0, 1).contiguous().toFloatArray(), "gradient of a transposed input");
    }

    @Test
    void theFusedKernelAgreesWithTheReferenceBackend() {
        for (int[] shape : new int[][] {{13, 10}, {5, 1000}, {4, 1500}, {9, 3}}) {
            int c = shape[1], n = shape[0];
            float[] data = random(c + 5L * n, n * c, 4);
            int[] k = classes(c, n, c);
            float[][] cpu = lossAndGradient(data, shape, k, true), ref;
            try (var scope = Backends.use(new ReferenceBackend())) {
                ref = lossAndGradient(data, shape, k, true);
            }
            String at = Shape.of(shape).toString();
            assertEquals(ref[0][0], cpu[0][0], 1e-6 * Math.max(1, Math.abs(ref[0][0])), "loss at " + at);
            for (int i = 0; i < cpu[1].length; i++) assertEquals(ref[1][i], cpu[1][i], 2e-7, "gradient " + i + " at " + at);
        }
    }

    @Test
    void theLossOfASoftmaxReadsItsRowStatisticsWithTheComposedBits() {
        // the softmax's kept (max, lse): rows longer than one block, rows shorter than a vector, 1 and 2 threads
        int before = Parallel.threads();
        try {
            for (int[] shape : new int[][] {{3, 2500}, {300, 9}, {2, 3, 7}}) {
                int c = shape[shape.length - 1], n = Shape.of(shape).size() / c;
                float[] data = random(c + 3L * n, n * c, 4), labels = new float[n];
                int[] k = classes(c, n, c);
                for (int i = 0; i < n; i++) labels[i] = k[i];
                float[][] reference = lossAndGradient(data, shape, k, false);
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    Tensor x = Tensor.of(data, shape).requiresGrad(true);
                    int[] labelShape = java.util.Arrays.copyOf(shape, shape.length - 1);
                    Tensor loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(Tensor.of(labels, labelShape), x.softmax(-1));
                    loss.backward();
                    String at = Shape.of(shape) + " on " + threads + " threads";
                    assertArrayEquals(reference[0], loss.toFloatArray(), "loss at " + at);
                    assertArrayEquals(reference[1], x.grad().toFloatArray(), "gradient at " + at);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void theSparseCategoricalLossOnASoftmaxIsTheComposedPath() {
        float[] data = random(5, 6 * 11, 2);
        int[] k = classes(6, 6, 11);
        float[] labels = new float[6];
        for (int i = 0; i < 6; i++) labels[i] = k[i];
        Tensor x = Tensor.of(data, 6, 11).requiresGrad(true);
        Tensor loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(Tensor.of(labels, 6), x.softmax(-1));
        loss.backward();
        float[][] reference = lossAndGradient(data, new int[] {6, 11}, k, false);
        assertArrayEquals(reference[0], loss.toFloatArray());
        assertArrayEquals(reference[1], x.grad().toFloatArray());
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            for (int[] shape : new int[][] {{256, 1000}, {3000, 9}}) {
                float[] data = random(9, shape[0] * shape[1], 4);
                int[] k = classes(10, shape[0], shape[1]);
                Parallel.setThreads(1);
                float[][] one = lossAndGradient(data, shape, k, true);
                Parallel.setThreads(2);
                float[][] two = lossAndGradient(data, shape, k, true);
                assertArrayEquals(one[0], two[0]);
                assertArrayEquals(one[1], two[1]);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(11);
        double[] v = new double[3 * 2 * 5];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-3, 3);
        int[] k = {4, 0, 2, 2, 1, 3};
        GradCheck.check(t -> t[0].sparseSoftmaxCrossEntropy(k), Tensor.of(v, 3, 2, 5));
        // a loss scaled downstream: the incoming gradient is not 1
        GradCheck.check(t -> t[0].sparseSoftmaxCrossEntropy(k).mul(-2.5), Tensor.of(v, 6, 5));
    }

    @Test
    void rejectsBadClassIds() {
        Tensor x = Tensor.of(random(1, 6, 1), 2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.sparseSoftmaxCrossEntropy(new int[] {0, 3}));
        assertEquals("sparseSoftmaxCrossEntropy: class 3 at row 1 is out of range [0, 3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.sparseSoftmaxCrossEntropy(new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).sparseSoftmaxCrossEntropy(new int[] {0}));
    }
}
