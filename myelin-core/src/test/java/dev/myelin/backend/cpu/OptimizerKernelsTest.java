package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.View;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused kernels against the reference's definitions (Adam's scalar one; the others composed from the
 * reference's primitives), on awkward sizes and offsets, 1 and 2 threads.
 */
class OptimizerKernelsTest {
    private static View view(float[] data, int offset, int n) {
        return new View(new FloatStorage(data), new int[] {n}, new int[] {1}, offset);
    }

    @Test
    void adamMatchesTheReference() {
        SplittableRandom rng = new SplittableRandom(7);
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {0, 1, 15, 16, 17, 33, 129, 40_000}) {
                    int off = n % 3;
                    float[][] a = new float[4][n + off], b = new float[4][];
                    for (float[] x : a) for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble(-1, 1);
                    for (int i = 0; i < a[3].length; i++) a[3][i] = Math.abs(a[3][i]); // v >= 0
                    for (int k = 0; k < 4; k++) b[k] = a[k].clone();
                    for (int step = 0; step < 3; step++) {
                        new CpuBackend().adamUpdate(view(a[0], off, n), view(a[1], off, n), view(a[2], off, n), view(a[3], off, n), 1e-3, 0.9, 0.999, 1e-7);
                        new ReferenceBackend().adamUpdate(view(b[0], off, n), view(b[1], off, n), view(b[2], off, n), view(b[3], off, n), 1e-3, 0.9, 0.999, 1e-7);
                    }
                    for (int k : new int[] {0, 2, 3}) {
                        for (int i = 0; i < n + off; i++) {
                            float x = a[k][i], y = b[k][i];
                            assertTrue(Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y)),
                                    "n=" + n + " threads=" + threads + " array " + k + " index " + i + ": " + x + " vs " + y);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** SGD, RMSprop and Adagrad in each variant, bit for bit, at offsets and over several parallel chunks. */
    @Test
    void sgdRmspropAndAdagradGiveTheReferenceBits() {
        SplittableRandom rng = new SplittableRandom(8);
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {0, 1, 15, 17, 129, 40_000}) {
                    for (int variant = 0; variant < 4; variant++) {
                        boolean first = (variant & 1) != 0, second = (variant & 2) != 0;
                        int off = (n + variant) % 3;
                        float[][] a = new float[5][n + off], b = new float[5][];
                        for (float[] x : a) for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble(-1, 1);
                        for (int i = 0; i < a[2].length; i++) a[2][i] = Math.abs(a[2][i]); // v, acc >= 0
                        for (int k = 0; k < 5; k++) b[k] = a[k].clone();
                        CpuBackend cpu = new CpuBackend();
                        ReferenceBackend ref = new ReferenceBackend();
                        for (int step = 0; step < 3; step++) {
                            cpu.sgdUpdate(view(a[0], off, n), view(a[1], off, n), first ? view(a[4], off, n) : null, 0.05, 0.9, second);
                            ref.sgdUpdate(view(b[0], off, n), view(b[1], off, n), first ? view(b[4], off, n) : null, 0.05, 0.9, second);
                            cpu.rmspropUpdate(view(a[0], off, n), view(a[1], off, n), view(a[2], off, n), first ? view(a[3], off, n) : null,
                                    second ? view(a[4], off, n) : null, 1e-3, 0.9, 0.9, 1e-7);
                            ref.rmspropUpdate(view(b[0], off, n), view(b[1], off, n), view(b[2], off, n), first ? view(b[3], off, n) : null,
                                    second ? view(b[4], off, n) : null, 1e-3, 0.9, 0.9, 1e-7);
                            cpu.adagradUpdate(view(a[0], off, n), view(a[1], off, n), view(a[2], off, n), 0.01, 1e-7);
                            ref.adagradUpdate(view(b[0], off, n), view(b[1], off, n), view(b[2], off, n), 0.01, 1e-7);
                        }
                        for (int k = 0; k < 5; k++) {
                            for (int i = 0; i < n + off; i++) {
                                assertEquals(Float.floatToIntBits(b[k][i]), Float.floatToIntBits(a[k][i]),
                                        "n=" + n + " variant " + variant + " threads=" + threads + " array " + k + " index " + i + ": " + a[k][i] + " vs " + b[k][i]);
                            }
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
