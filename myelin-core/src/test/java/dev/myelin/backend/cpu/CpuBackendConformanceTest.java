package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendConformanceTest;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuBackend} through the conformance suite every backend passes, plus what only a multithreaded
 * backend must show: results that do not depend on the number of threads.
 */
class CpuBackendConformanceTest extends BackendConformanceTest {
    private static final CpuBackend CPU = new CpuBackend();

    @Override
    protected Backend subject() {
        return CPU;
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> one = largeRuns();
            Parallel.setThreads(2);
            List<float[]> two = largeRuns();
            for (int i = 0; i < one.size(); i++) {
                float[] a = one.get(i), b = two.get(i);
                assertEquals(a.length, b.length);
                for (int j = 0; j < a.length; j++) {
                    if (Float.floatToRawIntBits(a[j]) != Float.floatToRawIntBits(b[j])) {
                        fail("run " + i + " differs at " + j + ": " + a[j] + " (1 thread) vs " + b[j] + " (2 threads)");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void softmaxOfShortRowsWithStatisticsIsTheRowByRowSoftmaxBitForBit() {
        // rows shorter than a vector (exponentials over many rows at once), one task and several, a tail of rows
        // that is not a whole vector; the kept (max, lse) are what the fused cross-entropy computes
        SplittableRandom rnd = new SplittableRandom(7);
        for (int[] shape : new int[][] {{128, 10}, {3001, 9}, {5, 3}, {1, 1}}) {
            View x = make(shape, Layout.CONTIGUOUS, rnd, false);
            View fused = make(shape, Layout.CONTIGUOUS, rnd, false), stats = make(new int[] {shape[0], 2}, Layout.CONTIGUOUS, rnd, false);
            View rowByRow = make(shape, Layout.CONTIGUOUS, rnd, false), picked = make(new int[] {shape[0]}, Layout.CONTIGUOUS, rnd, false);
            View lossStats = make(new int[] {shape[0], 2}, Layout.CONTIGUOUS, rnd, false);
            assertEquals(true, CPU.softmaxWithStatistics(x, fused, stats));
            CPU.softmax(x, rowByRow, false);
            assertEquals(true, CPU.sparseSoftmaxCrossEntropy(x, new int[shape[0]], picked, lossStats));
            String at = java.util.Arrays.toString(shape);
            assertArrayEquals(values(rowByRow), values(fused), "softmax at " + at);
            assertArrayEquals(values(lossStats), values(stats), "(max, lse) at " + at);
        }
    }

    private static List<float[]> largeRuns() {
        SplittableRandom rnd = new SplittableRandom(42);
        List<float[]> results = new ArrayList<>();
        View big = make(new int[] {1 << 20}, Layout.CONTIGUOUS, rnd, false);
        View rows = make(new int[] {512, 2000}, Layout.CONTIGUOUS, rnd, false);
        View tall = make(new int[] {21632, 32}, Layout.CONTIGUOUS, rnd, false);
        View wide = make(new int[] {128, 1024}, Layout.CONTIGUOUS, rnd, false);
        results.add(reduceWith(ReduceOp.SUM, big, new int[] {1}));
        results.add(reduceWith(ReduceOp.SUM, rows, new int[] {512, 1}));
        results.add(reduceWith(ReduceOp.SUM, rows, new int[] {1, 1}));
        results.add(reduceWith(ReduceOp.SUM, tall, new int[] {1, 32}));
        results.add(reduceWith(ReduceOp.MAX, tall, new int[] {1, 32}));
        results.add(reduceWith(ReduceOp.SUM, wide, new int[] {1, 1024}));
        results.add(reduceWith(ReduceOp.SUM, transpose(wide), new int[] {1, 128}));
        View images = make(new int[] {32, 14, 14, 64}, Layout.CONTIGUOUS, rnd, false);   // global average pooling's sums
        results.add(reduceWith(ReduceOp.SUM, images, new int[] {32, 1, 1, 64}));
        View oddImages = make(new int[] {40, 7, 7, 37}, Layout.CONTIGUOUS, rnd, false);
        results.add(reduceWith(ReduceOp.SUM, oddImages, new int[] {40, 1, 1, 37}));
        View sm = make(rows.shape(), Layout.CONTIGUOUS, rnd, false);
        CPU.softmax(rows, sm, false);
        results.add(((FloatStorage) sm.storage()).data());
        View ex = make(big.shape(), Layout.CONTIGUOUS, rnd, false);
        CPU.unary(UnaryOp.SIGMOID, 0, 0, big, ex);
        results.add(((FloatStorage) ex.storage()).data());
        // an embedding's gather and gradient: 6400 ids into 500 rows of 64 and 128, so most ids repeat
        int[] ids = new int[6400];
        for (int i = 0; i < ids.length; i++) ids[i] = rnd.nextInt(500);
        for (int width : new int[] {64, 128}) {
            View table = make(new int[] {500, width}, Layout.CONTIGUOUS, rnd, false);
            View picked = make(new int[] {ids.length, width}, Layout.CONTIGUOUS, rnd, false);
            CPU.indexSelect(table, 0, ids, picked);
            results.add(((FloatStorage) picked.storage()).data());
            CPU.indexAdd(picked, 0, ids, table);
            results.add(((FloatStorage) table.storage()).data());
        }
        return results;
    }

    private static float[] reduceWith(ReduceOp op, View x, int[] outShape) {
        View out = make(outShape, Layout.CONTIGUOUS, new SplittableRandom(1), false);
        CPU.reduce(op, x, out);
        return ((FloatStorage) out.storage()).data();
    }
}
