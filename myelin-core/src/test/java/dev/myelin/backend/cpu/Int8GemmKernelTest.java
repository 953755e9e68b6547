package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.backend.Int8Gemm;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Vector API int8 product against the scalar reference: awkward sizes, extreme values, 1 and 2 threads. */
class Int8GemmKernelTest {
    private final Int8Gemm kernel = new Int8GemmKernel();

    private static byte[] random(SplittableRandom r, int size) {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) out[i] = (byte) r.nextInt(-128, 128);
        return out;
    }

    private static int[] multiply(Int8Gemm g, byte[] a, byte[] b, int m, int k, int n) {
        int[] c = new int[m * n];
        java.util.Arrays.fill(c, 12345); // written, never read
        g.multiply(a, b, c, m, k, n);
        return c;
    }

    @Test
    void matchesTheReferenceOnAwkwardSizes() {
        SplittableRandom r = new SplittableRandom(14);
        int[] ms = {1, 3, 4, 5, 9, 33, 70};
        int[] ks = {0, 1, 7, 17, 100, 301};
        int[] ns = {1, 7, 8, 15, 16, 17, 31, 33, 130};
        for (int m : ms) {
            for (int k : ks) {
                for (int n : ns) {
                    byte[] a = random(r, m * k), b = random(r, k * n);
                    assertArrayEquals(multiply(Int8Gemm.REFERENCE, a, b, m, k, n), multiply(kernel, a, b, m, k, n), "m=" + m + " k=" + k + " n=" + n);
                }
            }
        }
    }

    @Test
    void depthsBeyondOneExactFloatChunkMatchTheReference() {
        // the kernel sums in float32 chunks of 2^10 products (exact); these depths cross one, two and several chunk borders
        SplittableRandom r = new SplittableRandom(15);
        for (int[] size : new int[][] {{9, 1025, 70}, {1, 2048, 33}, {5, 3000, 16}, {33, 5408, 17}}) {
            int m = size[0], k = size[1], n = size[2];
            byte[] a = random(r, m * k), b = random(r, k * n);
            assertArrayEquals(multiply(Int8Gemm.REFERENCE, a, b, m, k, n), multiply(kernel, a, b, m, k, n), "m=" + m + " k=" + k + " n=" + n);
        }
        // every product at its largest, 2^14: a chunk's sum is exactly 2^24
        int k = 3 * Int8GemmKernel.KC + 5, n = 40;
        byte[] a = new byte[4 * k], b = new byte[k * n];
        java.util.Arrays.fill(a, (byte) -128);
        java.util.Arrays.fill(b, (byte) -128);
        for (int v : multiply(kernel, a, b, 4, k, n)) assertEquals(16384 * k, v);
    }

    @Test
    void extremeValuesAtTheLargestDepthDoNotOverflow() {
        int k = Int8Gemm.MAX_DEPTH, n = 17;
        byte[] a = new byte[k], b = new byte[k * n];
        java.util.Arrays.fill(a, (byte) -128);
        java.util.Arrays.fill(b, (byte) -128);
        int[] c = multiply(kernel, a, b, 1, k, n);
        for (int v : c) assertEquals(16384L * k, v);
        assertThrows(IllegalArgumentException.class, () -> kernel.multiply(new byte[k + 1], new byte[k + 1], new int[1], 1, k + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> kernel.multiply(new byte[5], new byte[6], new int[1], 1, 6, 1));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        SplittableRandom r = new SplittableRandom(7);
        int m = 333, k = 289, n = 37;
        byte[] a = random(r, m * k), b = random(r, k * n);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            int[] one = multiply(kernel, a, b, m, k, n);
            Parallel.setThreads(2);
            int[] two = multiply(kernel, a, b, m, k, n);
            assertArrayEquals(one, two);
            assertArrayEquals(multiply(Int8Gemm.REFERENCE, a, b, m, k, n), two);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void theCpuBackendOffersIt() {
        assertEquals(Int8GemmKernel.class, new CpuBackend().int8Gemm().getClass());
    }
}
