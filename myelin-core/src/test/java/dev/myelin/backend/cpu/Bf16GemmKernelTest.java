package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.backend.Bf16Gemm;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API float32 × bfloat16 product against the scalar reference (bit for bit: both sum in order with
 * one FMA per term) and against float64 sums of the widened weights (only the rounding of the sums differs):
 * awkward sizes, special values, 1 and 2 threads.
 */
class Bf16GemmKernelTest {
    private final Bf16Gemm kernel = new Bf16GemmKernel();

    private static float[] floats(SplittableRandom r, int size) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) out[i] = (float) r.nextDouble(-2, 2);
        return out;
    }

    private static short[] bf16(SplittableRandom r, int size) {
        short[] out = new short[size];
        for (int i = 0; i < size; i++) out[i] = (short) (Float.floatToRawIntBits((float) r.nextDouble(-1, 1)) >>> 16);
        return out;
    }

    private static float[] multiply(Bf16Gemm g, float[] a, short[] b, int m, int k, int n) {
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, 12345); // written, never read
        g.multiply(a, b, c, m, k, n);
        return c;
    }

    @Test
    void matchesTheReferenceBitForBitOnAwkwardSizes() {
        SplittableRandom r = new SplittableRandom(16);
        int[] ms = {1, 3, 4, 5, 9, 33, 70};
        int[] ks = {0, 1, 7, 17, 100, 301};
        int[] ns = {1, 7, 8, 15, 16, 17, 31, 33, 130};
        for (int m : ms) {
            for (int k : ks) {
                for (int n : ns) {
                    float[] a = floats(r, m * k);
                    short[] b = bf16(r, k * n);
                    assertArrayEquals(multiply(Bf16Gemm.REFERENCE, a, b, m, k, n), multiply(kernel, a, b, m, k, n), "m=" + m + " k=" + k + " n=" + n);
                }
            }
        }
    }

    @Test
    void equalsTheFloatProductOfTheWidenedWeightsUpToTheSummationOrder() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 6, k = 250, n = 37;
        float[] a = floats(r, m * k);
        short[] b = bf16(r, k * n);
        float[] c = multiply(kernel, a, b, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0, magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double term = (double) a[i * k + p] * Float.intBitsToFloat((b[p * n + j] & 0xFFFF) << 16);
                    exact += term;
                    magnitude += Math.abs(term);
                }
                // k float32 roundings of partial sums, each at most 2^-24 of the running magnitude
                assertEquals(exact, c[i * n + j], k * 0x1p-24 * magnitude, "i=" + i + " j=" + j);
            }
        }
    }

    @Test
    void widensEveryBitPatternExactly() {
        short[] b = {(short) 0x3F80, (short) 0xBF80, (short) 0x7F80, (short) 0xFF80, (short) 0x0001, (short) 0x8000, (short) 0x4049, 0,
            (short) 0x7F7F};
        float[] c = multiply(kernel, new float[] {1}, b, 1, 1, b.length);
        float[] expected = {1, -1, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x00010000), 0f, 3.140625f, 0,
            Float.intBitsToFloat(0x7F7F0000)};
        // the lane-converted path: 9 columns are one vector and a scalar tail (8 lanes) or two vectors (4 lanes)
        assertArrayEquals(expected, c);
        // -0 (0x8000) widens to -0f, and the sum from +0 makes it +0: fma(1, -0, +0) = +0, as the reference
        assertEquals(0f, multiply(Bf16Gemm.REFERENCE, new float[] {1}, new short[] {(short) 0x8000}, 1, 1, 1)[0]);
        assertEquals(-0f, Bf16Gemm.widen((short) 0x8000));
        assertThrows(IllegalArgumentException.class, () -> kernel.multiply(new float[5], new short[6], new float[1], 1, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> kernel.multiply(new float[1], new short[1], new float[1], -1, 1, 1));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        SplittableRandom r = new SplittableRandom(7);
        int before = Parallel.threads();
        try {
            for (int[] size : new int[][] {{333, 289, 37}, {1, 5408, 128}, {2, 300, 1000}}) {
                int m = size[0], k = size[1], n = size[2];
                float[] a = floats(r, m * k);
                short[] b = bf16(r, k * n);
                Parallel.setThreads(1);
                float[] one = multiply(kernel, a, b, m, k, n);
                Parallel.setThreads(2);
                float[] two = multiply(kernel, a, b, m, k, n);
                assertArrayEquals(one, two);
                assertArrayEquals(multiply(Bf16Gemm.REFERENCE, a, b, m, k, n), two);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void theCpuBackendOffersIt() {
        assertEquals(Bf16GemmKernel.class, new CpuBackend().bf16Gemm().getClass());
    }
}
