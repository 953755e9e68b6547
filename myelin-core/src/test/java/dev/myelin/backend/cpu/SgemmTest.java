package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Sgemm against a float64 reference, on awkward shapes, layouts and all four transpose combinations. */
class SgemmTest {
    private static final float EPS = Math.ulp(1f);

    /** A problem: op(A) is m x k, op(B) is k x n, stored with padded leading dimensions and offsets. */
    record Case(boolean transA, boolean transB, int m, int n, int k, int aPad, int bPad, int cPad, int off,
                boolean accumulate) {
        @Override
        public String toString() {
            return (transA ? "At" : "A") + (transB ? "Bt" : "B") + " m=" + m + " n=" + n + " k=" + k
                    + (aPad + bPad + cPad > 0 ? " pad=" + aPad + "/" + bPad + "/" + cPad : "")
                    + (off > 0 ? " off=" + off : "") + (accumulate ? " acc" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[] sizes = {0, 1, 15, 16, 17, 31, 33, 63, 65, 129, 257};
        SplittableRandom r = new SplittableRandom(42);
        // Every m, n pair over the awkward sizes with a few k, cycling through transposes and layouts.
        int idx = 0;
        int[] ks = {1, 17, 65, 129};
        for (int m : sizes) {
            for (int n : sizes) {
                if (m * n > 129 * 257) continue; // keep the suite fast: the 257 x 257 case is covered below
                int k = ks[idx % ks.length];
                boolean tA = (idx & 1) != 0, tB = (idx & 2) != 0;
                boolean pad = idx % 3 == 0;
                out.add(Arguments.of(new Case(tA, tB, m, n, k, pad ? 3 : 0, pad ? 5 : 0, pad ? 7 : 0, pad ? 11 : 0,
                        idx % 5 == 0)));
                idx++;
            }
        }
        // Every transpose combination on a set of shapes hitting all panel and row-tail kinds.
        int[][] shapes = {{0, 5, 7}, {5, 0, 7}, {5, 7, 0}, {1, 1, 1}, {1, 1, 1000}, {2, 3, 4}, {7, 10, 33},
                {16, 16, 16}, {17, 17, 17}, {33, 112, 31}, {65, 255, 9}, {257, 257, 257}, {100, 50, 600},
                {13, 1100, 40}, {200, 70, 1030}, {3, 300, 700}, {520, 90, 20},
                // Few rows: B read in place (m <= 32), A·Bᵀ swapped into (B·op(A)ᵀ)ᵀ, on either side of the limits.
                {32, 1300, 130}, {31, 257, 1100}, {33, 300, 129}, {1, 256, 1025}, {17, 129, 5000}, {32, 255, 600},
                // One column (the matrix-vector path): a Dense layer of one unit and its kernel's gradient, row tails,
                // more than one K step, and enough work for several tasks.
                {64, 1, 512}, {512, 1, 64}, {71, 1, 1030}, {263, 1, 700}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean acc = r.nextBoolean();
                int pad = r.nextInt(3) * 4;
                out.add(Arguments.of(new Case((t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], pad, pad + 1, pad + 2,
                        r.nextInt(20), acc)));
            }
        }
        // Random non-square shapes.
        for (int i = 0; i < 24; i++) {
            out.add(Arguments.of(new Case(r.nextBoolean(), r.nextBoolean(), 1 + r.nextInt(300), 1 + r.nextInt(300),
                    1 + r.nextInt(600), r.nextInt(4), r.nextInt(4), r.nextInt(4), r.nextInt(9), r.nextBoolean())));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFloat64Reference(Case cs) {
        check(cs, new SplittableRandom(cs.hashCode()));
    }

    /**
     * Both tilings (16 and 32 vector registers) run on any CPU and give the same bits: each element of C is
     * the same FMA chain whatever the kernels' tile, so a result does not depend on the machine's register file.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothTilingsGiveTheSameBits(Case cs) {
        assertSameBitsForBothTilings(cs.transA, cs.transB, cs.m, cs.n, cs.k, cs.accumulate, new SplittableRandom(cs.hashCode()));
    }

    @Test
    void bothTilingsGiveTheSameBitsOnLargeProductsWithTwoThreads() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(2);
            SplittableRandom r = new SplittableRandom(11);
            // several K steps, packed transposed A (strips), rows not a multiple of 6 or 8, every panel kind
            int[][] shapes = {{300, 1100, 1100}, {301, 300, 1100}, {70, 1030, 520}, {3872, 64, 288}, {128, 128, 800}, {97, 200, 40}};
            for (int[] sh : shapes) {
                for (int t = 0; t < 4; t++) assertSameBitsForBothTilings((t & 1) != 0, (t & 2) != 0, sh[0], sh[1], sh[2], t == 1, r);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * The fused epilogue (bias per column, then relu; each alone) gives the bits of the product followed by a separate
     * pass, on every tiling, for every layout and path (few rows swapped, K split into super blocks, k = 0), and
     * leaves the padding between rows of C alone.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void epilogueGivesTheBitsOfASeparatePass(Case cs) {
        assertEpilogueMatches(cs.transA, cs.transB, cs.m, cs.n, cs.k, cs.cPad, new SplittableRandom(cs.hashCode()));
    }

    @Test
    void epilogueGivesTheBitsOfASeparatePassOnLargeProductsWithTwoThreads() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(2);
            SplittableRandom r = new SplittableRandom(12);
            // several tasks and K steps; 64 x 1024 x 2100 packs B in more than one super block along K
            int[][] shapes = {{301, 300, 1100}, {128, 256, 784}, {1100, 37, 65}, {64, 1024, 2100}, {31, 1300, 130}};
            for (int[] sh : shapes) {
                for (int t = 0; t < 4; t++) assertEpilogueMatches((t & 1) != 0, (t & 2) != 0, sh[0], sh[1], sh[2], 3, r);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static void assertEpilogueMatches(boolean tA, boolean tB, int m, int n, int k, int cPad, SplittableRandom r) {
        float[] a = random(r, m * k), b = random(r, k * n), bias = random(r, n + 2);
        int lda = Math.max(1, tA ? m : k), ldb = Math.max(1, tB ? k : n), ldc = Math.max(1, n + cPad);
        Sgemm.Tiling[] tilings = {Sgemm.Tiling.forRegisters(16), Sgemm.Tiling.forRegisters(32), Sgemm.Tiling.forMachine(16, 64 << 10)};
        for (Sgemm.Tiling tiling : tilings) {
            float[] product = random(r, m * ldc);
            float[] garbage = product.clone();
            Sgemm.sgemm(tA, tB, m, n, k, a, 0, lda, b, 0, ldb, product, 0, ldc, false, tiling);
            for (int mode = 0; mode < 3; mode++) {
                boolean withBias = mode != 1, relu = mode != 0;
                float[] expected = product.clone();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float v = expected[i * ldc + j] + (withBias ? bias[2 + j] : 0f);
                        expected[i * ldc + j] = relu && v <= 0f ? 0f : v;
                    }
                }
                float[] fused = garbage.clone();
                Sgemm.sgemm(tA, tB, m, n, k, a, 0, lda, b, 0, ldb, fused, 0, ldc, false, tiling,
                        Epilogue.of(withBias ? bias : null, 2, relu));
                assertArrayEquals(expected, fused, "bias=" + withBias + " relu=" + relu + " transA=" + tA + " transB=" + tB
                        + " " + m + "x" + n + "x" + k + " ldc=" + ldc + " " + tiling);
            }
        }
    }

    private static void assertSameBitsForBothTilings(boolean tA, boolean tB, int m, int n, int k, boolean acc, SplittableRandom r) {
        float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
        float[] narrow = c0.clone(), wide = c0.clone(), smallBlocks = c0.clone();
        int lda = Math.max(1, tA ? m : k), ldb = Math.max(1, tB ? k : n), ldc = Math.max(1, n);
        Sgemm.sgemm(tA, tB, m, n, k, a, 0, lda, b, 0, ldb, narrow, 0, ldc, acc, Sgemm.Tiling.forRegisters(16));
        Sgemm.sgemm(tA, tB, m, n, k, a, 0, lda, b, 0, ldb, wide, 0, ldc, acc, Sgemm.Tiling.forRegisters(32));
        Sgemm.sgemm(tA, tB, m, n, k, a, 0, lda, b, 0, ldb, smallBlocks, 0, ldc, acc, Sgemm.Tiling.forMachine(16, 64 << 10));
        assertArrayEquals(wide, narrow, "16 vs 32 registers, transA=" + tA + " transB=" + tB + " " + m + "x" + n + "x" + k);
        assertArrayEquals(wide, smallBlocks, "blocks for a 64 KB L2, transA=" + tA + " transB=" + tB + " " + m + "x" + n + "x" + k);
    }

    @Test
    void registersFollowTheInstructionSet() {
        assertEquals(16, Sgemm.registers("amd64", 256), "x86 with AVX2: ymm0-15");
        assertEquals(32, Sgemm.registers("amd64", 512), "AVX-512: zmm0-31");
        assertEquals(32, Sgemm.registers("aarch64", 128), "NEON: v0-31");
        assertEquals(16, Sgemm.Tiling.forRegisters(16).narrow() ? 16 : 32);
        assertEquals(0, Sgemm.Tiling.forRegisters(16).sh() % 6, "packed strips hold whole 6-row tiles");
        assertEquals(0, Sgemm.Tiling.forRegisters(16).sh() % Sgemm.L, "and whole vectors");
    }

    @Test
    void rowBlocksFollowTheLevel2Cache() {
        assertEquals(96, Sgemm.Tiling.forMachine(16, 512 << 10).mc(), "Zen 1/2: 512 KB");
        assertEquals(192, Sgemm.Tiling.forMachine(32, 1 << 20).mc(), "Zen 4: 1 MB");
        assertEquals(384, Sgemm.Tiling.forMachine(32, 2 << 20).mc(), "Xeon: 2 MB");
        assertEquals(Sgemm.MC, Sgemm.Tiling.forMachine(32, 0).mc(), "unknown: the default");
        // A row step holds whole vectors and whole 6-row tiles: 24 rows with 8-float vectors (AVX2), 48 with 16 (AVX-512).
        Sgemm.Tiling tiny = Sgemm.Tiling.forMachine(16, 64 << 10);
        assertEquals(Sgemm.L <= 8 ? 24 : 48, tiny.rowStep(), "row step for " + Sgemm.L + "-float vectors");
        assertEquals(2 * tiny.rowStep(), tiny.mc(), "tiny: two row steps at least");
        assertEquals(0, Sgemm.Tiling.forMachine(16, 3 << 20).mc() % 24, "a whole number of row steps");
    }

    @Test
    void cacheSizesParseLinuxsNotation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        assertEquals(512 << 10, CpuCaches.parseSize("512K"));
        assertEquals(2 << 20, CpuCaches.parseSize("2M"));
        assertEquals(4096, CpuCaches.parseSize("4096"));
        assertEquals(0, CpuCaches.parseSize(""));
        assertEquals(0, CpuCaches.parseSize("lots"));
        assertEquals(0, CpuCaches.parseSize("-5K"));
        String[][] entries = {{"1", "Data", "32K"}, {"1", "Instruction", "64K"}, {"2", "Unified", "1024K"}, {"3", "Unified", "32768K"}};
        for (int i = 0; i < entries.length; i++) {
            java.nio.file.Path d = java.nio.file.Files.createDirectories(dir.resolve("index" + i));
            java.nio.file.Files.writeString(d.resolve("level"), entries[i][0] + "\n");
            java.nio.file.Files.writeString(d.resolve("type"), entries[i][1] + "\n");
            java.nio.file.Files.writeString(d.resolve("size"), entries[i][2] + "\n");
        }
        assertEquals(1 << 20, CpuCaches.size(dir, 2));
        assertEquals(32 << 10, CpuCaches.size(dir, 1), "the data cache, not the instruction cache");
        assertEquals(0, CpuCaches.size(dir, 4));
        assertEquals(0, CpuCaches.size(dir.resolve("absent"), 2));
    }

    @Test
    void largeProductUsesBlockingAndThreads() {
        // Larger than one K step and one N block, so super blocks, packing and the pool are exercised.
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(2);
            check(new Case(false, false, 300, 1100, 1100, 0, 0, 0, 0, true), new SplittableRandom(1));
            check(new Case(true, true, 70, 1030, 520, 1, 2, 3, 4, false), new SplittableRandom(2));
            // Transposed A packed per (row block, K step): 301 rows (not a multiple of 6), 3 K steps of 367 (not of 8).
            check(new Case(true, false, 301, 300, 1100, 5, 0, 1, 3, true), new SplittableRandom(3));
            // and few rows against many columns (tasks of at least GROUP_COLS columns), A with a long leading dimension.
            check(new Case(true, false, 13, 1100, 700, 1000, 0, 1, 3, false), new SplittableRandom(4));
            // Few rows (one row block): each task packs its own panels of B per K step, plain and transposed B,
            // a padded last panel (n = 1100), 2 K steps.
            check(new Case(false, false, 150, 1100, 700, 3, 5, 2, 1, true), new SplittableRandom(5));
            check(new Case(false, true, 150, 1100, 700, 3, 5, 2, 1, false), new SplittableRandom(6));
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * Weight-gradient products Aᵀ·B (A stored K x M) give, bit for bit, the documented sum: per K step (K cut into
     * balanced steps of at most KC) an FMA chain over p from zero, added to C step after step. Whatever the task grid,
     * A packed or read in place, B packed once or per task, 1 or 2 threads, so a change of the blocking cannot change
     * a Dense layer's gradients. Shapes: many rows (row tasks sharing B), few rows (per-task B), a padded panel, a
     * short K (A in place), several K steps not a multiple of 8.
     */
    @Test
    void weightGradientsAreTheDocumentedFmaChainBitForBit() {
        int saved = Parallel.threads();
        SplittableRandom r = new SplittableRandom(13);
        int[][] shapes = {{512, 128, 1100}, {128, 384, 1030}, {130, 100, 600}, {400, 70, 1500}, {784, 128, 32},
                {128, 128, 520}, {13, 300, 700}, {512, 1, 64}, {263, 1, 1030},
                // B of 16K-32K floats read in place by many rows (the seed GAN's weight gradients; one with a padded panel)
                {512, 784, 32}, {784, 512, 64}, {100, 500, 40}};
        try {
            for (int[] sh : shapes) {
                int m = sh[0], n = sh[1], k = sh[2];
                float[] a = random(r, k * m), b = random(r, k * n), c0 = random(r, m * n);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] expect = fmaChain(m, n, k, a, b, c0, acc);
                    for (int threads = 1; threads <= 2; threads++) {
                        Parallel.setThreads(threads);
                        float[] c = c0.clone();
                        Sgemm.sgemm(true, false, m, n, k, a, 0, m, b, 0, n, c, 0, n, acc);
                        assertArrayEquals(expect, c, "At·B " + m + "x" + n + "x" + k + (acc ? " acc" : "") + ", " + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * A product of one column (the matrix-vector path) gives the bits the panel path gives that column when it is
     * the first of two: the same FMA chain per element, whatever the transposes, the strides of C, the tasks, the
     * threads. The panels' result is the reference because the padded panel computed n = 1 before the path existed.
     */
    @Test
    void oneColumnGivesTheBitsOfThePanelPath() {
        int saved = Parallel.threads();
        SplittableRandom r = new SplittableRandom(17);
        int[][] shapes = {{1, 1}, {7, 3}, {8, 512}, {17, 1}, {64, 512}, {32, 512}, {512, 64}, {100, 37}, {71, 1030},
                {263, 700}, {600, 1100}};
        try {
            for (int[] sh : shapes) {
                int m = sh[0], k = sh[1];
                for (int t = 0; t < 8; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0, acc = (t & 4) != 0;
                    int lda = (tA ? m : k) + t % 3, ldb2 = tB ? k + 1 : 2;
                    float[] a = random(r, (tA ? k : m) * lda);
                    // B of two columns; its first column alone is the one-column operand (stride ldb2 or 1)
                    float[] b2 = random(r, (tB ? 2 : k) * ldb2);
                    float[] c2 = random(r, m * 2);
                    float[] c1 = new float[m * 3];
                    for (int i = 0; i < m; i++) c1[i * 3] = c2[i * 2];
                    Parallel.setThreads(1);
                    float[] panels = c2.clone();
                    Sgemm.sgemm(tA, tB, m, 2, k, a, 0, lda, b2, 0, ldb2, panels, 0, 2, acc);
                    for (int threads = 1; threads <= 2; threads++) {
                        Parallel.setThreads(threads);
                        float[] col = c1.clone();
                        Sgemm.sgemm(tA, tB, m, 1, k, a, 0, lda, b2, 0, ldb2, col, 0, 3, acc);
                        for (int i = 0; i < m; i++) {
                            String at = (tA ? "At" : "A") + (tB ? "Bt" : "B") + " " + m + "x1x" + k + (acc ? " acc" : "")
                                    + ", " + threads + " threads, row " + i;
                            assertEquals(Float.floatToRawIntBits(panels[i * 2]), Float.floatToRawIntBits(col[i * 3]), at);
                            assertEquals(c1[i * 3 + 1], col[i * 3 + 1], at + ": C's next column written");
                            assertEquals(c1[i * 3 + 2], col[i * 3 + 2], at + ": C's next column written");
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** C (+)= Aᵀ·B summed as Sgemm documents it, in scalar float arithmetic (A stored k x m, B k x n). */
    private static float[] fmaChain(int m, int n, int k, float[] a, float[] b, float[] c0, boolean accumulate) {
        int steps = (k + Sgemm.KC - 1) / Sgemm.KC, kc = (k + steps - 1) / steps;
        float[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int p0 = 0; p0 < k; p0 += kc) {
                    float s = 0f;
                    for (int p = p0; p < Math.min(k, p0 + kc); p++) s = Math.fma(a[p * m + i], b[p * n + j], s);
                    c[i * n + j] = p0 == 0 && !accumulate ? s : c[i * n + j] + s;
                }
            }
        }
        return c;
    }

    @Test
    void bitIdenticalWithOneAndTwoThreads() {
        int saved = Parallel.threads();
        SplittableRandom r = new SplittableRandom(7);
        int[][] shapes = {{300, 300, 600}, {128, 128, 800}, {1000, 32, 9}, {32, 64, 784}, {100, 1100, 300},
                {32, 1300, 130}, {32, 130, 1300}, {17, 300, 1100},
                // few rows and one panel of B packed per task (A·Bᵀ swapped, a Dense input gradient at batch 32): the
                // rows split into one block per thread, each packing B again
                {32, 256, 512}, {256, 32, 512}, {250, 30, 520}};
        try {
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
                    float[] c1 = c0.clone(), c2 = c0.clone();
                    Parallel.setThreads(1);
                    Sgemm.sgemm(tA, tB, m, n, k, a, 0, tA ? m : k, b, 0, tB ? k : n, c1, 0, n, true);
                    Parallel.setThreads(2);
                    Sgemm.sgemm(tA, tB, m, n, k, a, 0, tA ? m : k, b, 0, tB ? k : n, c2, 0, n, true);
                    assertArrayEquals(c1, c2, "1 vs 2 threads, transA=" + tA + " transB=" + tB + " " + m + "x" + n + "x" + k);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * The 16-register paths: B packed even when small (k x n <= 32K floats) once m > 32, 4-vector panels packed as
     * two halves, transposed A packed per row block and K step (m not a multiple of 6), with padded leading dimensions and offsets, against float64, both tilings
     * giving the same bits, and 1 vs 2 threads the same bits.
     */
    @Test
    void smallPackedOperandsAndDeepLearningShapes() {
        int saved = Parallel.threads();
        SplittableRandom r = new SplittableRandom(13);
        int[][] shapes = {{100, 129, 17}, {129, 100, 129}, {300, 17, 100}, {1000, 5, 129}, {7, 5, 17}, {1, 129, 100},
                {17, 100, 1000}, {129, 7, 600}, {35, 33, 300}, {601, 128, 128}, {130, 512, 128}, {128, 128, 784},
                {101, 64, 1100},
                // transposed A, few rows and one column group, long K: the rows split into blocks that pack their own B
                {130, 128, 1100}, {100, 130, 1030}};
        try {
            for (int[] sh : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    int pad = t == 3 ? 0 : 3;
                    Parallel.setThreads(2);
                    check(new Case(tA, tB, sh[0], sh[1], sh[2], pad, pad + 1, pad + 2, t, t == 1), r);
                    assertSameBitsForBothTilings(tA, tB, sh[0], sh[1], sh[2], t == 2, r);
                    int m = sh[0], n = sh[1], k = sh[2];
                    float[] a = random(r, m * k), b = random(r, k * n);
                    float[] c1 = new float[m * n], c2 = new float[m * n];
                    Parallel.setThreads(1);
                    Sgemm.sgemm(tA, tB, m, n, k, a, 0, tA ? m : k, b, 0, tB ? k : n, c1, 0, n, false);
                    Parallel.setThreads(2);
                    Sgemm.sgemm(tA, tB, m, n, k, a, 0, tA ? m : k, b, 0, tB ? k : n, c2, 0, n, false);
                    assertArrayEquals(c1, c2, "1 vs 2 threads, transA=" + tA + " transB=" + tB + " " + m + "x" + n + "x" + k);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void zeroKOverwritesOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6, 7};
        Sgemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 1, 3, true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, c);
        Sgemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 1, 3, false);
        assertArrayEquals(new float[] {1, 0, 0, 4, 0, 0, 7}, c);
    }

    @Test
    void writesNothingOutsideC() {
        // C is a 5 x 20 window of a 9 x 40 array; everything else must stay untouched (masked tail stores).
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 4; t++) {
            float[] a = random(r, 5 * 30), b = random(r, 30 * 20);
            float[] c = new float[9 * 40];
            java.util.Arrays.fill(c, -7f);
            int cOff = 2 * 40 + 3;
            Sgemm.sgemm((t & 1) != 0, (t & 2) != 0, 5, 20, 30, a, 0, (t & 1) != 0 ? 5 : 30, b, 0, (t & 2) != 0 ? 30 : 20,
                    c, cOff, 40, false);
            for (int i = 0; i < c.length; i++) {
                int row = (i - cOff) / 40, col = (i - cOff) % 40;
                boolean inside = i >= cOff && row < 5 && col < 20;
                if (!inside) assertEquals(-7f, c[i], "element " + i + " outside C was written");
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        float[] x = new float[100];
        assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(false, false, -1, 2, 2, x, 0, 2, x, 0, 2, x, 0, 2, false));
        assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(false, false, 2, 2, 3, x, 0, 2, x, 0, 2, x, 0, 2, false));
        assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(false, false, 10, 10, 10, x, 1, 10, x, 0, 10, x, 0, 10, false));
    }

    static void check(Case cs, SplittableRandom r) {
        int m = cs.m, n = cs.n, k = cs.k;
        int aRows = cs.transA ? k : m, aCols = cs.transA ? m : k;
        int bRows = cs.transB ? n : k, bCols = cs.transB ? k : n;
        int lda = Math.max(1, aCols + cs.aPad), ldb = Math.max(1, bCols + cs.bPad), ldc = Math.max(1, n + cs.cPad);
        int off = cs.off;
        float[] a = random(r, off + aRows * lda), b = random(r, off + 2 + bRows * ldb), c = random(r, off + 1 + m * ldc);
        float[] c0 = c.clone();
        Sgemm.sgemm(cs.transA, cs.transB, m, n, k, a, off, lda, b, off + 2, ldb, c, off + 1, ldc, cs.accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double av = cs.transA ? a[off + p * lda + i] : a[off + i * lda + p];
                    double bv = cs.transB ? b[off + 2 + j * ldb + p] : b[off + 2 + p * ldb + j];
                    s += av * bv;
                    mag += Math.abs(av * bv);
                }
                int ci = off + 1 + i * ldc + j;
                double expect = cs.accumulate ? c0[ci] + s : s;
                double tol = 2 * Math.sqrt(k + 1) * EPS * (mag + Math.abs(c0[ci])) + 1e-30;
                if (Math.abs(c[ci] - expect) > tol) {
                    fail(cs + ": C(" + i + "," + j + ") = " + c[ci] + ", expected " + expect + " within " + tol);
                }
            }
        }
        // Padding between rows of C and the element before C are untouched.
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc && off + 1 + i * ldc + j < c.length; j++) {
                int ci = off + 1 + i * ldc + j;
                assertEquals(c0[ci], c[ci], cs + ": padding of C written at row " + i);
            }
        }
        if (off + 1 > 0) assertEquals(c0[off], c[off], cs + ": element before C written");
    }

    static float[] random(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
