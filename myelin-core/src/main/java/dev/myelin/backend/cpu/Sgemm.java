package dev.myelin.backend.cpu;

import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision general matrix multiply on the CPU: {@code C = op(A) · op(B)} or {@code C += op(A) · op(B)}.
 *
 * <p>Results do not depend on the number of threads: every element of C is summed in the same order
 * whatever {@link Parallel#threads()} is.
 */
public final class Sgemm {
    /*
     * Implementation overview (for maintainers).
     *
     * Shape of the computation. The species is the CPU's widest, L lanes (L = 16 with AVX-512; the
     * figures below are for that case). C is cut into column panels of W = 64, 32 or 16 floats (4, 2 or 1
     * vectors): as many 64-wide panels as fit, then a 32 and a 16 for the remainder, then one zero-padded
     * 16-wide panel for the last < 16 columns. Each panel is swept by a register-blocked micro-kernel that
     * keeps a tile of C in accumulators: 4 rows x 64 columns for 64-wide panels (16 accumulators, kernel
     * k4x4 = 4 rows x 4 vectors), 8 x 32 or 8 x 16 for the narrow ones. Per step p of K the kernel loads one row of the
     * B panel (W floats) and broadcasts one element of op(A) per row, then does one FMA per accumulator, so
     * loads stay well below the one 512-bit FMA per cycle Zen 4 sustains (the kernels alone reach about
     * 112 GFLOPS, the machine's peak, at KC = 512). Rows left over at the bottom go to 4-, 2- and 1-row
     * variants. Kernels only write their tile; when it must be added to C (accumulate, or any K step after
     * the first) or is the padded panel, they write to a per-thread scratch tile that addTile adds or
     * copies with masked stores. Keep the kernels that plain: see the note above them.
     *
     * Register file. Those tiles need 32 vector registers (AVX-512, NEON). x86 CPUs with AVX2 only have 16
     * (ymm0-15), where the 4 x 4 and 8 x 2 tiles spill accumulators to the stack on every step: the Tiling
     * then sweeps 4- and 2-vector panels with a 6 x 2 kernel (15 registers), a 4-vector panel as two
     * halves. Measured on a 2-core AMD EPYC (family 23, AVX2 + FMA, 8 lanes), A·B GFLOPS 1 / 2 threads,
     * before -> after, next to NumPy's OpenBLAS 0.3.21 (Zen kernels) in the same session:
     *   512³        22.5 -> 32.1 / 45.1 -> 59.4    OpenBLAS 32.5 / 58.3
     *   1024³       22.7 -> 30.7 / 46.3 -> 60.5    OpenBLAS 34.4 / 65.5
     *   2048³       22.9 -> 31.1 / 46.2 -> 60.2    OpenBLAS 37.1 / 72.3
     *   128x128x800 23.1 -> 32.0 / 45.3 -> 54.9    OpenBLAS 33.0 / 54.8
     * A K step of 256 instead of 512 (B half-panel in L1) measured no faster there, so KC is the same for
     * both tilings and so are the results, bit for bit.
     * Bounds checks. C2 removes an array's range check from a loop only when the index is the counter times a
     * constant plus an invariant; with the strides as arguments the 6 x 2 loop kept 8 compare-and-branch per 12
     * FMAs. With 16 registers B is therefore packed whenever more than IN_PLACE_ROWS rows use it, a 4-vector
     * panel as its two 2-vector halves (row stride 2L), and k6x2Any sends those strides to a copy of k6x2 where
     * they are constants. Same session, same machine, 1 thread: 1024³ A·B 29.1 -> 33.4, A·Bᵀ 29.8 -> 33.9;
     * 4096x128x128 A·B 30.0 -> 32.3 GFLOPS.
     *
     * Operands. op(A) is read in place: the kernel takes element (r, p) at a[ai + r*rs + p*cs], so
     * transA only swaps the strides (rs = lda, cs = 1, or rs = 1, cs = lda). The exception is a transposed
     * A feeding many columns (the weight gradient Xᵀ·dY of every Dense layer): in place each K step would touch
     * another page for a few floats, with a variable stride the kernels keep their bounds checks. Each task
     * therefore copies its row block for one K step (mc x KC floats) into a per-thread buffer, row-major with a
     * padded row stride, right before its kernels sweep the panels with it (Block.packRows), the way BLIS and
     * GotoBLAS pack A per (row block, K step): it is read back from L2, and k6x2Packed runs on it. Whole A
     * packed up front (6-row strips, 6 floats per K step) was read back cold and made the 6 x 2 kernel slower;
     * measured on the 2-core AMD EPYC (Zen 2), Aᵀ·B GFLOPS 1 / 2 threads before -> after: 1024³ 29.7 -> 39.7 /
     * 52.4 -> 65.1, 4096x128x512 23.1 -> 36.5 / 39.8 -> 61.7, 128x512x512 30.1 -> 37.9 / 52.8 -> 66.2. Tasks
     * that pack A keep at least GROUP_COLS columns, so the copy (about 15 flops' time per float) serves 2 x
     * GROUP_COLS flops or more. (Packing a non-transposed A the same way measured no faster: within 2%.)
     * An A block of mc x KC floats (384 KB with 1 MB of L2: mc is sized from the L2,
     * see Tiling) stays in L2 while the panels of B go by, and a 4- or 8-row strip (at most 16 KB) stays in L1 for one kernel call. B is packed: each panel's KC x W block is copied
     * row after row into a buffer (W floats per row), which turns op(B), transposed or not, into one
     * contiguous stream the kernel reads with unit stride; a packed 4x64 micro-panel (128 KB) lives in L2
     * and is reused by every row strip of the A block. When B is not transposed and is either small or
     * used by few rows of A (m <= IN_PLACE_ROWS: 32 x 128 x 5408 went from about 160 to 177 GFLOPS), packing
     * would cost more than it saves and full panels are read in place (row stride ldb); only the padded
     * last panel is still copied. A transposed B with few rows of A is not packed either: the product runs
     * as Cᵀ = B·op(A)ᵀ, B then being the in-place left operand (see swapped; 32 x 5408 x 128 A·Bᵀ went
     * from about 47 to 85 GFLOPS on 1 thread).
     *
     * Few rows. When all rows fit one block of at most 2 mc (m = 128: a Dense layer's batch), the tasks split
     * only the panels, so no two share a panel of B, and each packs its own panels per K step into a per-thread
     * buffer right before sweeping all rows with them (Block.localB), instead of all of B packed first (a pass
     * over memory the cores waited for) and read back cold. Same machine, 1 / 2 threads before -> after,
     * 128x1024x1024: A·B 29.9 -> 36.7 / 60.0 -> 65.8, A·Bᵀ 31.9 -> 34.9 / 57.1 -> 62.4 GFLOPS.
     *
     * Blocking. K is cut into KC-sized steps (balanced, at most 512), the N range into blocks of at most
     * NC = 1024 columns, and one K x NC "super block" of B (at most PACK_LIMIT floats) is packed at a
     * time, in parallel, into a buffer owned by the calling thread. Then the C block is cut into tasks of
     * (rows of A, group of panels), each running: for each KC step, for each panel of its group, for each
     * row strip: kernel. The first KC step overwrites C (unless accumulate); the others add to it.
     * Tasks are about TASK_WORK flops each (at most MAX_TASKS), claimed dynamically, so 2 threads end
     * within a small task of each other.
     *
     * Determinism. Each C element is the FMA chain over one KC step from zero, added to C step after step,
     * in the same order whatever the task grid, the thread that runs a task, or the kernel variant (all
     * variants do the same per-element operations). The task grid depends only on the shape anyway.
     *
     * Small products. Below SMALL_WORK flops the same code runs as one task on the calling thread, with
     * B read in place when not transposed: no pool hand-off, no packing. A small A·Bᵀ with few rows also
     * runs as one task (see oneTask).
     *
     * One column. A product with n = 1 (a Dense layer of one unit, its kernel's gradient) skips the panels, which
     * would zero-pad it to L columns (L times the FMAs) and copy B: see gemv. It computes each element as the same
     * FMA chain, so its results are those of the panel path bit for bit. Measured (AMD EPYC Zen 4, 2 threads, us per
     * call, bench gemm --quick, two interleaved rounds in one lock hold, before -> after): 64x1x512 A·B 16-19 -> 6.1,
     * 32x1x512 A·B 7.5-8.4 -> 3.0, 512x1x64 Aᵀ·B 25-38 -> 1.9-2.1 (the GAN's discriminator output and its gradient).
     */

    /** The widest species of this CPU: 512-bit (16 lanes) with AVX-512, 256-bit with AVX2, 128-bit on NEON. */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes of S; panel widths are 4L, 2L and L. */
    static final int L = S.length();
    static final int W4 = 4 * L, W2 = 2 * L;

    /** Maximum K step: a 4 x KC strip of A (8 KB) fits in L1, the KC x 64 B micro-panel in L2. */
    static final int KC = 512;
    /** Rows of A per block by default: MC x KC floats (384 KB) stay in a 1 MB L2 while the panels go by. */
    static final int MC = 192;
    /** Maximum columns of C per packed super block. */
    static final int NC = 1024;
    /** Maximum floats of packed B per super block (8 MB): it lives in L3 and is shared by all threads. */
    static final int PACK_LIMIT = 1 << 21;
    /** Products below this many flops (2mnk) run as one task on the calling thread. */
    static final long SMALL_WORK = 1L << 18;
    /** Wished-for flops per task: enough to hide the cost of claiming it. */
    static final long TASK_WORK = 1L << 20;
    /** Upper bound on tasks per super block: enough for an even load on few cores. */
    static final int MAX_TASKS = 32;

    /**
     * Fewest rows of A per task when tasks split the rows of a transposed A read in place (too few columns to pack it,
     * see packA), with B packed up front: each task reads its panels of B, K x 64 floats, whole, from L3, so thin row
     * blocks multiply that traffic. The weight gradient of a Dense layer 512 wide feeding 128 over 4096 tokens
     * (Hᵀ·dY, 512x128x4096): 32 tasks of 32 rows ran at 115-120 GFLOPS, 16 tasks of 64 rows 116-126, 8 tasks of 128
     * rows 155-170 (AMD EPYC Zen 4, 2 threads, one lock hold). Only the task grid changes: results are the same bits.
     */
    static final int IN_PLACE_A_ROWS = 128;

    /** Fewest columns of C per task when each task packs its rows of A (see Block.packRows). */
    static final int GROUP_COLS = 256;

    /**
     * Fewest rows of A per task when tasks that pack their own panels of B (Block.localB) split the rows: each block
     * packs every panel again, a copy that 64 rows of FMAs per packed float keep small.
     */
    static final int LOCAL_MIN_ROWS = 64;

    /**
     * Deepest K at which a small B (at most 32K floats) is read in place by many rows of A: its panel (K rows of 4L
     * floats, strided) then takes at most half of the level-1 data cache (32 KB if unknown): K = 64 with AVX-512 and
     * 32 KB. Deeper, B is packed. Which kernel reads B changes no sum.
     */
    static final int IN_PLACE_K = (int) Math.max(8, (CpuCaches.L1 > 0 ? CpuCaches.L1 : 32 << 10) / 2 / (4L * W4));

    /** Rows of A up to which a non-transposed B is read in place (each packed element would serve few rows). */
    static final int IN_PLACE_ROWS = 32;

    /** Rows of A up to which A·Bᵀ runs as (B·op(A)ᵀ)ᵀ, see {@link #swapped}. */
    static final int SWAP_ROWS = 32;
    /** Columns of C per task of the transposing copy of {@link #swapped}. */
    private static final int TB = 256;
    private static final ThreadLocal<float[]> TRANSPOSED = new ThreadLocal<>();
    private static final ThreadLocal<float[]> PACK = new ThreadLocal<>();
    private static final ThreadLocal<float[]> PACK_A = new ThreadLocal<>();
    private static final ThreadLocal<float[]> PACK_B = new ThreadLocal<>();
    /**
     * Vector registers of this CPU for the species S: 16 on x86 below AVX-512 (AVX2's ymm0-15), 32 with
     * AVX-512 and on AArch64. The micro-kernels' tiles are chosen to fit them (see {@link Tiling}).
     */
    static final int REGISTERS = registers(System.getProperty("os.arch", ""), S.vectorBitSize());
    /** The tiling this JVM runs with. */
    static final Tiling TILING = Tiling.forRegisters(REGISTERS);
    /** Per-thread result tile of the micro-kernels that add to C or cover the padded last panel. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[8 * W4]);

    private Sgemm() {}

    static int registers(String arch, int vectorBits) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386");
        return x86 && vectorBits < 512 ? 16 : 32;
    }

    /**
     * How the micro-kernels tile C, from the number of vector registers. With 32 registers the widest
     * kernel keeps 4 rows x 4 vectors (16 accumulators, 4 B vectors and a broadcast: 21 registers). With 16
     * (AVX2) that tile spills on every step (measured: 2048³ at 0.59x OpenBLAS on a 2-core AMD EPYC with
     * AVX2), so the wide panels are swept by a 6 x 2 kernel twice, left half then right half, and the 2-vector
     * panels by the same 6 x 2 (12 accumulators + 2 + 1 = 15 registers, the tile of BLIS's Haswell kernel).
     * Every tiling computes each element of C as the same FMA chain, so results do not depend on it.
     *
     * @param narrow 16 registers: 6-row kernels on 4- and 2-vector panels
     * @param sh rows per strip of packed A: a whole number of vectors and of the row kernels' tiles
     * @param rowStep rows of A per task are a multiple of this (row kernels never cross a packed strip)
     */
    record Tiling(boolean narrow, int sh, int rowStep, int kc, int mc) {
        static Tiling forRegisters(int registers) {
            return forMachine(registers, CpuCaches.L2);
        }

        /**
         * The tiling for {@code registers} vector registers and a level-2 cache of {@code l2Bytes} per core (0:
         * unknown). The A block (mc x KC floats) takes 3/8 of L2, leaving the rest to the B micro-panels and C:
         * 192 rows with Zen 4's 1 MB, 96 with Zen 1's 512 KB (measured 3-5% faster there than 192 at 1024³ and
         * 2048³). Rows change only which kernel computes an element, never its sum, so results stay the same.
         */
        static Tiling forMachine(int registers, long l2Bytes) {
            boolean narrow = registers < 32;
            int step = narrow ? lcm(Math.max(L, 8), 6) : 8;
            int sh = narrow ? step : Math.max(L, 8);
            int mc = MC;
            if (l2Bytes > 0) mc = (int) Math.max(2L * step, Math.min(4L * MC, l2Bytes * 3 / 8 / (4L * KC) / step * step));
            return new Tiling(narrow, sh, step, KC, mc);
        }

        /** Rows of A the widest row kernel takes at once (6 with 16 registers, else 8: two of the 4-row kernel). */
        int stripRows() {
            return narrow ? 6 : 8;
        }

        private static int lcm(int a, int b) {
            int g = a, h = b;
            while (h != 0) { int t = g % h; g = h; h = t; }
            return a / g * b;
        }
    }

    /**
     * Computes {@code C[m,n] (+)= op(A)[m,k] · op(B)[k,n]}, row-major.
     *
     * <p>Element (i, p) of op(A) is {@code a[aOff + i*lda + p]} when {@code transA} is false and
     * {@code a[aOff + p*lda + i]} when it is true; likewise op(B)(p, j) is {@code b[bOff + p*ldb + j]} or
     * {@code b[bOff + j*ldb + p]}. C(i, j) is {@code c[cOff + i*ldc + j]}.
     *
     * @param accumulate add to C instead of overwriting it
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, TILING, null);
    }

    /**
     * {@code C = epilogue(op(A) · op(B))}: {@link #sgemm} overwriting C, with {@code epilogue} (null: none) applied to
     * each block of C as soon as its last K step is done, while the block is still in cache, instead of in a pass
     * over the whole of C afterwards. The products are those of {@link #sgemm} bit for bit (same tiling and tasks).
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, Epilogue epilogue) {
        sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false, TILING, epilogue);
    }

    /** {@link #sgemm} with a given tiling (tests run every tiling on any CPU). */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate, Tiling tiling) {
        sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, tiling, null);
    }

    /** {@link #sgemm} with a given tiling and an epilogue (null: none; only with {@code accumulate} false). */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate, Tiling tiling, Epilogue epilogue) {
        if (accumulate && epilogue != null) throw new IllegalArgumentException("sgemm: an epilogue needs accumulate false");
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            if (epilogue != null) epilogue.apply(c, cOff, m, n, ldc, 0);
            return;
        }
        if (n == 1) {
            gemv(transA, transB, m, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, tiling.kc());
            if (epilogue != null) epilogue.apply(c, cOff, m, 1, ldc, 0);
            return;
        }
        long work = 2L * m * n * k;
        if (transB && m <= SWAP_ROWS && n >= 4 * W4 && work >= SMALL_WORK) {
            swapped(transA, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, tiling, epilogue);
            return;
        }
        int kSteps = (k + tiling.kc() - 1) / tiling.kc();
        int kc = (k + kSteps - 1) / kSteps;
        // B in place: not transposed, and either small (cache-resident) or reused by few rows of A.
        // Small is up to 32K floats (128 KB: it stays in L2 while the row tasks sweep it): the weight gradient Xᵀ·dY of a
        // Dense layer at batch 32 or 64 (512x784x32, 784x512x64 in the seed GAN) then skips the up-front pack, which ran
        // on the calling thread (below 32K floats) or as a parallel region of its own, before the tasks. Measured (AMD
        // EPYC Zen 4, 2 threads, us per call, two interleaved rounds in one lock hold, 16K -> 32K): 512x784x32
        // 151-194 -> 143-144, 784x512x64 264-297 -> 273-274. Which kernel reads B changes no sum.
        // With 16 registers a packed B is always worth it beyond few rows: the kernels that read it with a constant
        // stride (see k6x2Packed) run faster than the packing costs even for a small B used by many rows.
        // Small, but not where a panel's K rows would crowd L1 read in place: kc rows of 4L floats, ldb apart, map to
        // a fraction of L1's sets (ldb = 128 floats: half), so each kernel call read them from L2 again. The output
        // projection of a Transformer encoder, 4096x128x128, ran at 159 GFLOPS with B in place against 205 for its
        // input gradient (B packed), AMD EPYC Zen 4, 2 threads; the Dense weight gradients above have K = 32 and 64.
        boolean bInPlace = !transB && (work < SMALL_WORK || m <= IN_PLACE_ROWS
                || !tiling.narrow() && (n <= W4 || (long) k * n <= 1 << 15 && k <= IN_PLACE_K));
        // One task on the calling thread for small products, and for small ones whose B must be transposed
        // by few rows of A: split over rows, both cores would read the whole packed B, which cost more than
        // the second core saved (32x64x784 A·Bᵀ: 66 GFLOPS on 1 thread, about 50 on 2).
        boolean oneTask = work < SMALL_WORK || (transB && m <= 64 && work < 1L << 23);
        int nc = Math.min(n, NC);
        // K rows per super block: a multiple of kc so that the K steps are the same for every shape split.
        // Transposed A feeding enough columns: packed per (row block, K step) into a per-thread buffer right before the
        // kernels use it (see Block.packRows), so that they read it with constant strides from L2, not in place one page
        // per K step apart. The pack costs about as much as 15 flops per float, against 2n flops of use.
        boolean packA = transA && work >= SMALL_WORK && n >= 4 * W4 && m >= 6;
        int ks = Math.max(kc, Math.min(k, PACK_LIMIT / roundUp(nc, W4) / kc * kc));
        for (int j0 = 0; j0 < n; j0 += nc) {
            int ncb = Math.min(nc, n - j0);
            for (int p0 = 0; p0 < k; p0 += ks) {
                int ksb = Math.min(ks, k - p0);
                Block blk = new Block(transA, transB, m, ncb, ksb, kc, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                        j0, p0, accumulate || p0 > 0, bInPlace, packA, oneTask, tiling,
                        p0 + ksb == k ? epilogue : null);
                blk.run();
            }
        }
    }

    /**
     * {@code C (+)= op(A)·Bᵀ} with few rows of A as {@code Cᵀ = B·op(A)ᵀ}: B is then read in place as the
     * left operand instead of being transposed into the pack buffer (n x k floats, each used by only m rows),
     * and only op(A) (k x m, small) is packed. Cᵀ goes to a per-thread buffer and is transposed into C.
     * Every element is the same FMA chain as on the direct path; with more than one K step the partial
     * sums are added to C once, at the end, instead of step by step: still independent of the threads.
     */
    private static void swapped(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate, Tiling tiling,
                                Epilogue epilogue) {
        float[] t = TRANSPOSED.get();
        if (t == null || t.length < n * m) {
            t = new float[Math.max(n * m, 1024)];
            TRANSPOSED.set(t);
        }
        float[] ct = t;
        sgemm(false, !transA, n, m, k, b, bOff, ldb, a, aOff, lda, ct, 0, m, false, tiling);
        // C[i, j] (+)= ct[j*m + i], in blocks of TB columns of C per task.
        int blocks = (n + TB - 1) / TB;
        IntConsumer body = q -> {
            int j0 = q * TB, j1 = Math.min(n, j0 + TB);
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                if (accumulate) {
                    for (int j = j0; j < j1; j++) c[ci + j] += ct[j * m + i];
                } else {
                    for (int j = j0; j < j1; j++) c[ci + j] = ct[j * m + i];
                }
                if (epilogue != null) epilogue.apply(c, ci + j0, 1, j1 - j0, ldc, j0);
            }
        };
        if ((long) m * n < 1 << 15) {
            for (int q = 0; q < blocks; q++) body.accept(q);
        } else {
            Parallel.forRange(blocks, body);
        }
    }

    /**
     * {@code C[m,1] (+)= op(A)[m,k] · op(B)[k,1]}: a matrix-vector product (a Dense layer of one unit: its output,
     * its kernel's gradient Xᵀ·dY). On the panel path it would take a zero-padded panel of L columns, L times the
     * work, and a packed copy of B. Here each element is the FMA chain the panel kernels compute, bit for bit (per K
     * step of kc from zero, added to C step after step, see the overview), so results do not change with the path
     * either. With A transposed (stored k x m) the elements of C are consecutive in a row of A: L of them per vector,
     * 4L per sweep of K. Otherwise each element reads a row of A, and 8 rows are chained at once in scalar FMAs (a
     * vector across rows would need a gather per step). Row blocks go to the threads above GEMV_WORK; an element's
     * chain never depends on the block it is in.
     */
    private static void gemv(boolean transA, boolean transB, int m, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate, int kcMax) {
        int kSteps = (k + kcMax - 1) / kcMax;
        int kc = (k + kSteps - 1) / kSteps;
        // op(B)(p, 0) is b[bOff + p] (B transposed) or b[bOff + p*ldb]: a strided column is copied first, so that the
        // kernels index b with the loop counter plus an invariant, as they index A (then C2 drops the range checks)
        float[] x = b;
        int xOff = bOff;
        if (!transB && ldb != 1) {
            x = new float[k];
            for (int p = 0; p < k; p++) x[p] = b[bOff + p * ldb];
            xOff = 0;
        }
        float[] bv = x;
        int bvOff = xOff;
        int rows = transA ? W4 : 8;
        int blocks = (m + rows - 1) / rows;
        int per = (long) m * k < GEMV_WORK ? blocks : Math.max(1, (int) (GEMV_WORK / ((long) rows * k)));
        int tasks = (blocks + per - 1) / per;
        IntConsumer body = t -> {
            int i0 = t * per * rows, i1 = Math.min(m, i0 + per * rows);
            for (int p0 = 0; p0 < k; p0 += kc) {
                int kh = Math.min(kc, k - p0);
                boolean add = accumulate || p0 > 0;
                if (transA) gemvColumns(i0, i1, p0, kh, a, aOff, lda, bv, bvOff, c, cOff, ldc, add);
                else gemvRows(i0, i1, p0, kh, a, aOff, lda, bv, bvOff, c, cOff, ldc, add);
            }
        };
        if (tasks == 1) body.accept(0);
        else Parallel.forRange(tasks, body);
    }

    /** Multiply-adds per task of {@link #gemv} (one task below): a few tens of microseconds of work. */
    static final long GEMV_WORK = 1L << 17;

    /**
     * Rows [i0, i1) of C (+)= Aᵀ·x over K rows [p0, p0 + kh), A stored k x m: C(i) is the chain over p of
     * a[aOff + p*lda + i] * x[xOff + p], which for consecutive i is one vector of A's row p times a broadcast.
     */
    private static void gemvColumns(int i0, int i1, int p0, int kh, float[] a, int aOff, int lda, float[] x, int xOff,
                                    float[] c, int cOff, int ldc, boolean add) {
        int i = i0, x0 = xOff + p0;
        for (; i + W4 <= i1; i += W4) {
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
            for (int p = 0, ao = aOff + p0 * lda + i; p < kh; p++, ao += lda) {
                FloatVector v = FloatVector.broadcast(S, x[x0 + p]);
                c0 = v.fma(FloatVector.fromArray(S, a, ao), c0);
                c1 = v.fma(FloatVector.fromArray(S, a, ao + L), c1);
                c2 = v.fma(FloatVector.fromArray(S, a, ao + 2 * L), c2);
                c3 = v.fma(FloatVector.fromArray(S, a, ao + 3 * L), c3);
            }
            storeColumn(c0, i, c, cOff, ldc, add, L);
            storeColumn(c1, i + L, c, cOff, ldc, add, L);
            storeColumn(c2, i + 2 * L, c, cOff, ldc, add, L);
            storeColumn(c3, i + 3 * L, c, cOff, ldc, add, L);
        }
        for (; i < i1; i += L) {
            int lanes = Math.min(L, i1 - i);
            VectorMask<Float> mask = S.indexInRange(0, lanes);
            FloatVector c0 = FloatVector.zero(S);
            for (int p = 0, ao = aOff + p0 * lda + i; p < kh; p++, ao += lda) {
                c0 = FloatVector.broadcast(S, x[x0 + p]).fma(FloatVector.fromArray(S, a, ao, mask), c0);
            }
            storeColumn(c0, i, c, cOff, ldc, add, lanes);
        }
    }

    /** C(i + r) = (add ? C(i + r) + : ) lane r of v, r < lanes; C is one column, ldc apart. */
    private static void storeColumn(FloatVector v, int i, float[] c, int cOff, int ldc, boolean add, int lanes) {
        if (ldc == 1) {
            VectorMask<Float> mask = S.indexInRange(0, lanes);
            if (add) v = v.add(FloatVector.fromArray(S, c, cOff + i, mask));
            v.intoArray(c, cOff + i, mask);
            return;
        }
        for (int r = 0, q = cOff + i * ldc; r < lanes; r++, q += ldc) {
            float s = v.lane(r);
            c[q] = add ? c[q] + s : s;
        }
    }

    /**
     * Rows [i0, i1) of C (+)= A·x over K columns [p0, p0 + kh), A stored m x k: C(i) is the chain over p of
     * a[aOff + i*lda + p] * x[xOff + p], 8 rows at a time (8 independent chains hide the FMA latency). Each row has
     * its own base, so that every index is the loop counter plus an invariant.
     */
    private static void gemvRows(int i0, int i1, int p0, int kh, float[] a, int aOff, int lda, float[] x, int xOff,
                                 float[] c, int cOff, int ldc, boolean add) {
        int i = i0, x0 = xOff + p0;
        for (; i + 8 <= i1; i += 8) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            int r0 = aOff + i * lda + p0, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda,
                    r6 = r5 + lda, r7 = r6 + lda;
            for (int p = 0; p < kh; p++) {
                float v = x[x0 + p];
                s0 = Math.fma(a[r0 + p], v, s0);
                s1 = Math.fma(a[r1 + p], v, s1);
                s2 = Math.fma(a[r2 + p], v, s2);
                s3 = Math.fma(a[r3 + p], v, s3);
                s4 = Math.fma(a[r4 + p], v, s4);
                s5 = Math.fma(a[r5 + p], v, s5);
                s6 = Math.fma(a[r6 + p], v, s6);
                s7 = Math.fma(a[r7 + p], v, s7);
            }
            int q = cOff + i * ldc;
            c[q] = add ? c[q] + s0 : s0; q += ldc;
            c[q] = add ? c[q] + s1 : s1; q += ldc;
            c[q] = add ? c[q] + s2 : s2; q += ldc;
            c[q] = add ? c[q] + s3 : s3; q += ldc;
            c[q] = add ? c[q] + s4 : s4; q += ldc;
            c[q] = add ? c[q] + s5 : s5; q += ldc;
            c[q] = add ? c[q] + s6 : s6; q += ldc;
            c[q] = add ? c[q] + s7 : s7;
        }
        for (; i < i1; i++) {
            float s = 0f;
            int r0 = aOff + i * lda + p0;
            for (int p = 0; p < kh; p++) s = Math.fma(a[r0 + p], x[x0 + p], s);
            int q = cOff + i * ldc;
            c[q] = add ? c[q] + s : s;
        }
    }

    private static int roundUp(int x, int step) {
        return (x + step - 1) / step * step;
    }

    private static void checkArgs(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (aOff < 0 || bOff < 0 || cOff < 0) {
            throw new IllegalArgumentException("sgemm: offsets must be >= 0, got aOff=" + aOff + " bOff=" + bOff + " cOff=" + cOff);
        }
        int aCols = transA ? m : k, aRows = transA ? k : m;
        int bCols = transB ? k : n, bRows = transB ? n : k;
        if (lda < Math.max(1, aCols) || ldb < Math.max(1, bCols) || ldc < Math.max(1, n)) {
            throw new IllegalArgumentException("sgemm: leading dimensions too small: lda=" + lda + " (needs >= " + aCols
                    + "), ldb=" + ldb + " (needs >= " + bCols + "), ldc=" + ldc + " (needs >= " + n + ")");
        }
        if (m == 0 || n == 0) return;
        checkSpan("A", a, aOff, aRows, aCols, lda);
        checkSpan("B", b, bOff, bRows, bCols, ldb);
        checkSpan("C", c, cOff, m, n, ldc);
    }

    private static void checkSpan(String name, float[] x, int off, int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) return;
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " needs " + end + " floats (offset " + off + ", "
                    + rows + " x " + cols + ", leading dimension " + ld + "), array has " + x.length);
        }
    }

    /** One super block: columns [j0, j0+n) of C against rows [p0, p0+k) of op(B). */
    private static final class Block {
        final boolean transA, transB, add, bInPlace, packA;
        /** Applied to each finished tile of C (see strip): set on the super block holding the last K rows only. */
        final Epilogue epilogue;
        final int m, n, k, kc, j0, p0;
        final float[] a, b, c;
        final int aOff, lda, bOff, ldb, cOff, ldc;
        final int rs, cs; // strides of op(A): element (i, p) at a[aOff + i*rs + p*cs]
        final boolean narrow;
        final int sh; // rows per packed strip of A
        final int mc; // rows of A per block
        // Panels: nWide of width 4L, then optionally one of 2L, one of L, and a padded one of L (the last).
        final int nWide, panels, tailCols;
        final boolean hasHalf, hasOne, hasPad;
        final int paddedN; // sum of panel widths
        // Task grid.
        final int rowsPerTask, mTasks, panelsPerTask, nTasks;
        /**
         * B packed by each task, per (K step, panel), into a per-thread buffer right before use (the tasks then
         * share no panel): the copy runs next to the kernels instead of all of B first, and the panel is read back
         * from L1/L2 rather than from memory.
         */
        final boolean localB;
        float[] pack;

        Block(boolean transA, boolean transB, int m, int n, int k, int kc, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, int j0, int p0, boolean add,
              boolean bInPlace, boolean packA, boolean small, Tiling tiling, Epilogue epilogue) {
            this.transA = transA; this.transB = transB; this.m = m; this.n = n; this.k = k; this.kc = kc;
            this.a = a; this.aOff = aOff; this.lda = lda; this.b = b; this.bOff = bOff; this.ldb = ldb;
            this.c = c; this.cOff = cOff; this.ldc = ldc; this.j0 = j0; this.p0 = p0; this.add = add;
            this.bInPlace = bInPlace;
            this.epilogue = epilogue;
            this.packA = packA;
            this.narrow = tiling.narrow();
            this.sh = tiling.sh();
            this.mc = tiling.mc();
            int step = tiling.rowStep();
            rs = transA ? 1 : lda;
            cs = transA ? lda : 1;
            nWide = n / W4;
            int rem = n - W4 * nWide;
            hasHalf = rem >= W2;
            rem -= hasHalf ? W2 : 0;
            hasOne = rem >= L;
            rem -= hasOne ? L : 0;
            hasPad = rem > 0;
            tailCols = rem;
            panels = nWide + (hasHalf ? 1 : 0) + (hasOne ? 1 : 0) + (hasPad ? 1 : 0);
            paddedN = W4 * nWide + (hasHalf ? W2 : 0) + (hasOne ? L : 0) + (hasPad ? L : 0);

            // Task grid: rows of A in MC blocks, then panel groups, then thinner row blocks, until there are
            // about `desired` tasks; or fewer, taller row blocks when MC blocks would be too many.
            long work = 2L * m * n * k;
            int desired = small ? 1 : (int) Math.max(1, Math.min(MAX_TASKS, work / TASK_WORK));
            int rows = Math.min(mc, roundUp(m, step));
            // Few rows (one block of at most 2 mc): one row block, so that each panel of B serves one task only and
            // that task packs it itself, per K step, right before its kernels read it (see localB).
            localB = !bInPlace && !small && roundUp(m, step) <= 2 * mc;
            if (localB) rows = roundUp(m, step);
            int mt = (m + rows - 1) / rows;
            int ppt = panels;
            if (mt > desired) {
                rows = roundUp((m + desired - 1) / desired, step);
                mt = (m + rows - 1) / rows;
            } else if (mt < desired) {
                // With A packed per task, a group of panels under GROUP_COLS columns would pay the pack for too few flops.
                int maxGroups = packA ? Math.max(1, panels * W4 / GROUP_COLS) : panels;
                int groups = Math.min(maxGroups, (desired + mt - 1) / mt);
                ppt = (panels + groups - 1) / groups;
                groups = (panels + ppt - 1) / ppt;
                if (mt * groups < desired && !localB) {
                    int wantM = (desired + groups - 1) / groups;
                    // A transposed and read in place (not packed): tall row blocks, see IN_PLACE_A_ROWS, but never
                    // so tall that the tasks fall below the threads (64 rows would otherwise become one task). Only
                    // the task grid depends on the thread count, never an element's sum order.
                    int fewest = step;
                    if (transA && !packA) {
                        int perGroup = Math.max(1, (Math.min(desired, Parallel.threads()) + groups - 1) / groups);
                        fewest = Math.max(step, Math.min(roundUp(IN_PLACE_A_ROWS, step), roundUp((m + perGroup - 1) / perGroup, step)));
                    }
                    rows = Math.max(fewest, roundUp((m + wantM - 1) / wantM, step));
                    mt = (m + rows - 1) / rows;
                } else if (mt * groups == 1 && desired > 1 && (packA || localB)) {
                    // A transposed with few rows and columns but a long K (the weight gradient Xᵀ·dY of a Dense layer fed
                    // 4096 tokens, 128 x 128 x 4096): the column groups leave one task, so the rows are split too, each
                    // block packing its own panels of B; at least LOCAL_MIN_ROWS rows, so the repeated pack stays small.
                    // Measured (2-core AMD EPYC, 2 threads, GFLOPS): 128x128x4096 29 -> 50, 128x384x4096 29-31 -> 56.
                    // Not where there are two column groups already: 128x512x4096 went 58 -> 54 with the rows split as well.
                    // A·Bᵀ with few rows run swapped (the input gradient dY·Wᵀ of a Dense layer 256 wide fed 512 at
                    // batch 32 is 256 x 32 x 512 here, B packed by transposing): one row block per thread, not more, as
                    // each block transposes the whole of B again (a third of a 64-row block's time). Measured (AMD EPYC
                    // Zen 4, 2 threads, 32x256x512 A·Bᵀ, three noisy lock holds): one task 89-97 us, one block per thread
                    // 68-86 us; 64-row blocks 68-71 us on 2 threads but 89 -> 118 us on 1 thread.
                    int wantM = (desired + groups - 1) / groups;
                    if (!packA) wantM = Math.max(1, Math.min(wantM, Parallel.threads() / groups));
                    rows = Math.max(roundUp(LOCAL_MIN_ROWS, step), roundUp((m + wantM - 1) / wantM, step));
                    mt = (m + rows - 1) / rows;
                }
            }
            rowsPerTask = rows;
            mTasks = mt;
            panelsPerTask = ppt;
            nTasks = (panels + ppt - 1) / ppt;
        }

        int panelStart(int q) {
            if (q < nWide) return W4 * q;
            int s = W4 * nWide;
            int t = q - nWide;
            if (hasHalf) { if (t == 0) return s; s += W2; t--; }
            if (hasOne) { if (t == 0) return s; s += L; }
            return s;
        }

        int panelWidth(int q) {
            if (q < nWide) return W4;
            int t = q - nWide;
            if (hasHalf) { if (t == 0) return W2; }
            return L;
        }

        boolean panelPacked(int q) {
            return !bInPlace || (hasPad && q == panels - 1);
        }

        /** Offset in the pack buffer of panel q at K step s (height kh). */
        int packOffset(int s, int q, int kh) {
            return s * kc * paddedN + panelStart(q) * kh;
        }

        void run() {
            int steps = (k + kc - 1) / kc;
            if (!localB && (!bInPlace || hasPad)) pack = buffer(PACK, (long) k * paddedN);
            if (bInPlace && hasPad) {
                for (int s = 0; s < steps; s++) packPanel(s, panels - 1);
            }
            int bTasks = bInPlace || localB ? 0 : steps * panels;
            long packed = bTasks == 0 ? 0 : (long) k * paddedN;
            if (bTasks > 0) {
                IntConsumer packer = t -> packPanel(t / panels, t % panels);
                if (mTasks * nTasks == 1 || packed < 1 << 15) {
                    for (int t = 0; t < bTasks; t++) packer.accept(t);
                } else {
                    Parallel.forRange(bTasks, packer);
                }
            }
            int tasks = mTasks * nTasks;
            if (tasks == 1) {
                compute(0);
            } else {
                Parallel.forRange(tasks, this::compute);
            }
        }

        private static float[] buffer(ThreadLocal<float[]> holder, long need) {
            float[] buf = holder.get();
            if (buf == null || buf.length < need) {
                buf = new float[(int) Math.max(need, 1024)];
                holder.set(buf);
            }
            return buf;
        }

        /**
         * Floats per packed row of a panel of width w: w, or with 16 registers at most 2L, a 4-vector panel being
         * packed as its two 2-vector halves one after the other (the kernels sweep it half by half anyway, and a
         * constant row stride lets C2 drop the bounds checks of k6x2Packed).
         */
        int packWidth(int w) {
            return narrow ? Math.min(w, W2) : w;
        }

        /**
         * Floats from one row of a packed block of A to the next: kh and one cache line more, so that the rows written
         * in turn for each K step do not all fall into the same L1 set (512 floats is 2 KB).
         */
        static int aRowStride(int kh) {
            return kh + 16;
        }

        /**
         * Copies rows [i0, i1) of the transposed A, K steps [ps, ps + kh), into {@code dst} row-major: element (i, p)
         * of op(A) goes to {@code dst[(i-i0)*aRowStride(kh) + p]}. The kernels then read the block as they read a
         * non-transposed A in place (unit stride along K, k6x2Packed with 16 registers). Done per (row block, K step)
         * right before the kernels use it, so the block (at most mc x KC floats) is still in L2 for every panel of the
         * task (as BLIS and GotoBLAS do), instead of the whole A packed up front and read back from memory. The
         * source is read 8 K steps at a time: 8 lines of A are used up across 16 rows while they are in L1.
         */
        void packRows(int i0, int i1, int ps, int kh, float[] dst) {
            int rows = i1 - i0, stride = aRowStride(kh);
            int src = aOff + (p0 + ps) * lda + i0;
            int p = 0;
            for (; p + 8 <= kh; p += 8) {
                int x = src + p * lda;
                for (int r = 0, y = p; r < rows; r++, x++, y += stride) {
                    dst[y] = a[x];
                    dst[y + 1] = a[x + lda];
                    dst[y + 2] = a[x + 2 * lda];
                    dst[y + 3] = a[x + 3 * lda];
                    dst[y + 4] = a[x + 4 * lda];
                    dst[y + 5] = a[x + 5 * lda];
                    dst[y + 6] = a[x + 6 * lda];
                    dst[y + 7] = a[x + 7 * lda];
                }
            }
            for (; p < kh; p++) {
                int x = src + p * lda;
                for (int r = 0, y = p; r < rows; r++, x++, y += stride) dst[y] = a[x];
            }
        }

        /** Copies panel q of K step s into the pack buffer: its sub-panels of packWidth, kh rows each, zero-padded. */
        void packPanel(int s, int q) {
            packPanel(s, q, pack, packOffset(s, q, Math.min(kc, k - s * kc)));
        }

        /** Panel q of K step s into dst[d0..]. */
        void packPanel(int s, int q, float[] dst, int d0) {
            int ps = s * kc, kh = Math.min(kc, k - ps);
            int pw = panelWidth(q), ws = packWidth(pw);
            for (int h = 0; h < pw; h += ws) {
                int start = panelStart(q) + h;
                packSubPanel(ps, kh, ws, j0 + start, Math.min(ws, n - start), dst, d0 + h * kh);
            }
        }

        /** kh rows of op(B) from K row ps, columns [col, col + cols), into pack[d..] with w floats per row. */
        void packSubPanel(int ps, int kh, int w, int col, int cols, float[] dst, int d) {
            if (!transB) {
                int src = bOff + (p0 + ps) * ldb + col;
                if (cols == w) {
                    for (int p = 0; p < kh; p++, src += ldb, d += w) {
                        for (int v = 0; v < w; v += L) FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                    }
                } else {
                    VectorMask<Float> mask = S.indexInRange(0, cols);
                    for (int p = 0; p < kh; p++, src += ldb, d += w) {
                        FloatVector.fromArray(S, b, src, mask).intoArray(dst, d); // w == L here
                    }
                }
            } else {
                // op(B)(p, j) = b[bOff + j*ldb + p]: a transposing copy in 16 x 16 blocks, so that the source
                // rows (one page apart for large ldb) stay few and in L1 while their lines are used up.
                int src = bOff + col * ldb + p0 + ps;
                for (int jb = 0; jb < w; jb += 16) {
                    int jn = Math.min(16, cols - jb);
                    for (int pb = 0; pb < kh; pb += 16) {
                        int pn = Math.min(16, kh - pb);
                        for (int j = 0; j < jn; j++) {
                            int x = src + (jb + j) * ldb + pb, y = d + pb * w + jb + j;
                            for (int p = 0; p < pn; p++) dst[y + p * w] = b[x + p];
                        }
                        for (int j = Math.max(jn, 0); j < Math.min(16, w - jb); j++) {
                            int y = d + pb * w + jb + j;
                            for (int p = 0; p < pn; p++) dst[y + p * w] = 0f;
                        }
                    }
                }
            }
        }

        /** Task t: rows [i0, i1) of the block against panels [q0, q1), all K steps. */
        void compute(int t) {
            int mi = t / nTasks, ni = t % nTasks;
            int i0 = mi * rowsPerTask, i1 = Math.min(m, i0 + rowsPerTask);
            int q0 = ni * panelsPerTask, q1 = Math.min(panels, q0 + panelsPerTask);
            float[] tile = TILE.get();
            int block = localB ? i1 - i0 : mc;
            for (int ib = i0; ib < i1; ib += block) {
                computeRows(ib, Math.min(i1, ib + block), q0, q1, tile);
            }
        }

        void computeRows(int i0, int i1, int q0, int q1, float[] tile) {
            float[] ap = packA ? buffer(PACK_A, (long) (i1 - i0) * aRowStride(kc)) : null;
            float[] bp = localB ? buffer(PACK_B, (long) kc * W4) : null;
            for (int ps = 0; ps < k; ps += kc) {
                int kh = Math.min(kc, k - ps);
                boolean addStep = add || ps > 0;
                int s = ps / kc;
                if (packA) packRows(i0, i1, ps, kh, ap);
                for (int q = q0; q < q1; q++) {
                    int w = panelWidth(q), start = panelStart(q);
                    float[] bArr;
                    int bi, bs, half; // half: offset of the right half of a 4-vector panel
                    if (localB) {
                        packPanel(s, q, bp, 0);
                        bArr = bp;
                        bi = 0;
                        bs = packWidth(w);
                        half = bs == w ? W2 : W2 * kh;
                    } else if (panelPacked(q)) {
                        bArr = pack;
                        bi = packOffset(s, q, kh);
                        bs = packWidth(w);
                        half = bs == w ? W2 : W2 * kh;
                    } else {
                        bArr = b;
                        bi = bOff + (p0 + ps) * ldb + j0 + start;
                        bs = ldb;
                        half = W2;
                    }
                    strip(i0, i1, w, Math.min(w, n - start), ps, kh, bArr, bi, bs, half, cOff + j0 + start, addStep, tile, ap);
                }
            }
        }

        /**
         * Rows [i0, i1) of one panel of width w (cols of them real) for one K step; op(A) from {@code ap} when packed
         * (by packRows for these rows and this step), else in place.
         */
        void strip(int i0, int i1, int w, int cols, int ps, int kh, float[] bArr, int bi, int bs, int half, int ci,
                   boolean add, float[] tile, float[] ap) {
            // op(A) in place: (i, p) at a[aOff + i*rs + (p0+p)*cs]; packed: row i - i0 of ap (see packRows).
            float[] a = packA ? ap : this.a;
            int rs = packA ? aRowStride(kh) : this.rs, cs = packA ? 1 : this.cs;
            int aBase = aOff + (p0 + ps) * this.cs;
            boolean viaTile = add || cols < w;
            // The epilogue on each tile as soon as its last K step is written, while it is in L1: applied per block of
            // C (at most mc rows of a panel group) it was a second pass over the block from L2 (1 ms of a Transformer
            // encoder layer's 47 ms pass at B32 x T128, 2 threads). Element by element the same operations.
            Epilogue finish = ps + kh == k ? epilogue : null;
            int col0 = ci - cOff; // the tile's first column in the whole of C (the bias is indexed by it)
            int full = w == L ? 8 : narrow ? 6 : w == W4 ? 4 : 8;
            for (int i = i0; i < i1; ) {
                int left = i1 - i;
                int r = left >= full ? full : left >= 4 ? 4 : left >= 2 ? 2 : 1;
                if (w == L && r == 2) r = 1; // no 2-row kernel for 1-vector panels: one row at a time
                int ai = !packA ? aBase + i * rs : (i - i0) * rs;
                int cij = ci + i * ldc;
                float[] d = viaTile ? tile : c;
                int di = viaTile ? 0 : cij, ldd = viaTile ? w : ldc;
                if (narrow && w == W4) {
                    // 16 registers: the 4-vector panel as two 2-vector halves (see Tiling), packed one after the other
                    for (int h = 0; h < 2; h++) {
                        int bh = bi + h * half, dh = di + h * W2;
                        switch (r) {
                            case 6 -> k6x2Any(kh, a, ai, rs, cs, bArr, bh, bs, d, dh, ldd);
                            case 4 -> k4x2(kh, a, ai, rs, cs, bArr, bh, bs, d, dh, ldd);
                            case 2 -> k2x2(kh, a, ai, rs, cs, bArr, bh, bs, d, dh, ldd);
                            default -> k1x2(kh, a, ai, rs, cs, bArr, bh, bs, d, dh, ldd);
                        }
                    }
                } else if (narrow && r == 6 && w == W2) {
                    k6x2Any(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                } else switch ((w / L) * 16 + r) {
                    case 4 * 16 + 4 -> k4x4(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 4 * 16 + 2 -> k2x4(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 4 * 16 + 1 -> k1x4(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 2 * 16 + 8 -> k8x2(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 2 * 16 + 6 -> k6x2(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 2 * 16 + 4 -> k4x2(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 2 * 16 + 2 -> k2x2(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 2 * 16 + 1 -> k1x2(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 1 * 16 + 8 -> k8x1(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    case 1 * 16 + 4 -> k4x1(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                    default -> k1x1(kh, a, ai, rs, cs, bArr, bi, bs, d, di, ldd);
                }
                if (viaTile) addTile(tile, r, w, cols, c, cij, ldc, add);
                if (finish != null) finish.apply(c, cij, r, cols, ldc, col0);
                i += r;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Micro-kernels, generated from one template. kRxV: R rows x V vectors over kc steps of K, written
    // (not added) to d[di + r*ldd + j]. op(A)(r, p) = a[ai + r*rs + p*cs]; B row p = b[bi + p*bs .. + V*L).
    // They stay this plain on purpose: no branch, no mask, no load of C. A second epilogue (C += ...)
    // made C2 exceed its inlining node budget (vectors then get boxed on every call), and loads of C
    // made C1 give up ("out of virtual registers"), which left the method stuck at tier 2, where the
    // Vector API runs about 40x slower. Adding to C and masking the last panel are done by addTile.
    // ---------------------------------------------------------------------------------------------------

    static void k4x4(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + ao]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + ao]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L); c02.intoArray(d, di + 2 * L); c03.intoArray(d, di + 3 * L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L); c12.intoArray(d, di + 2 * L); c13.intoArray(d, di + 3 * L);
        di += ldd; c20.intoArray(d, di); c21.intoArray(d, di + L); c22.intoArray(d, di + 2 * L); c23.intoArray(d, di + 3 * L);
        di += ldd; c30.intoArray(d, di); c31.intoArray(d, di + L); c32.intoArray(d, di + 2 * L); c33.intoArray(d, di + 3 * L);
    }

    static void k2x4(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        int a1 = ai + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L); c02.intoArray(d, di + 2 * L); c03.intoArray(d, di + 3 * L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L); c12.intoArray(d, di + 2 * L); c13.intoArray(d, di + 3 * L);
    }

    static void k1x4(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L); c02.intoArray(d, di + 2 * L); c03.intoArray(d, di + 3 * L);
    }

    static void k8x2(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00;
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs, a6 = a5 + rs, a7 = a6 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ao]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ao]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + ao]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + ao]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[a6 + ao]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[a7 + ao]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L);
        di += ldd; c20.intoArray(d, di); c21.intoArray(d, di + L);
        di += ldd; c30.intoArray(d, di); c31.intoArray(d, di + L);
        di += ldd; c40.intoArray(d, di); c41.intoArray(d, di + L);
        di += ldd; c50.intoArray(d, di); c51.intoArray(d, di + L);
        di += ldd; c60.intoArray(d, di); c61.intoArray(d, di + L);
        di += ldd; c70.intoArray(d, di); c71.intoArray(d, di + L);
    }

    static void k6x2(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ao]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ao]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + ao]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + ao]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L);
        di += ldd; c20.intoArray(d, di); c21.intoArray(d, di + L);
        di += ldd; c30.intoArray(d, di); c31.intoArray(d, di + L);
        di += ldd; c40.intoArray(d, di); c41.intoArray(d, di + L);
        di += ldd; c50.intoArray(d, di); c51.intoArray(d, di + L);
    }

    /**
     * The 6 x 2 kernel for these strides: a packed B (row stride 2L) with op(A) read row by row (cs = 1: in place
     * or packed by Block.packRows) goes to a copy of k6x2 whose strides are constants, so that
     * every index is the loop counter times a constant plus an invariant and C2 removes the bounds checks from
     * the loop (it cannot with a variable stride: 8 compare-and-branch per 12 FMAs, which made the loop issue-
     * bound on Zen 2). Same FMA chain per element as k6x2, so the same bits.
     */
    static void k6x2Any(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                        float[] d, int di, int ldd) {
        if (bs == W2 && cs == 1) {
            k6x2Packed(kc, a, ai, rs, b, bi, d, di, ldd);
        } else {
            k6x2(kc, a, ai, rs, cs, b, bi, bs, d, di, ldd);
        }
    }

    /** k6x2 with op(A)(r, p) = a[ai + r*rs + p] and B row p = b[bi + p*2L ..]. */
    static void k6x2Packed(int kc, float[] a, int ai, int rs, float[] b, int bi, float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * W2;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[ai + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L);
        di += ldd; c20.intoArray(d, di); c21.intoArray(d, di + L);
        di += ldd; c30.intoArray(d, di); c31.intoArray(d, di + L);
        di += ldd; c40.intoArray(d, di); c41.intoArray(d, di + L);
        di += ldd; c50.intoArray(d, di); c51.intoArray(d, di + L);
    }

    static void k4x2(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ao]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ao]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L);
        di += ldd; c20.intoArray(d, di); c21.intoArray(d, di + L);
        di += ldd; c30.intoArray(d, di); c31.intoArray(d, di + L);
    }

    static void k2x2(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        int a1 = ai + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L);
        di += ldd; c10.intoArray(d, di); c11.intoArray(d, di + L);
    }

    static void k1x2(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
        }
        c00.intoArray(d, di); c01.intoArray(d, di + L);
    }

    static void k8x1(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = c00;
        FloatVector c20 = c00;
        FloatVector c30 = c00;
        FloatVector c40 = c00;
        FloatVector c50 = c00;
        FloatVector c60 = c00;
        FloatVector c70 = c00;
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs, a6 = a5 + rs, a7 = a6 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            int ao = p * cs;
            c00 = FloatVector.broadcast(S, a[ai + ao]).fma(b0, c00);
            c10 = FloatVector.broadcast(S, a[a1 + ao]).fma(b0, c10);
            c20 = FloatVector.broadcast(S, a[a2 + ao]).fma(b0, c20);
            c30 = FloatVector.broadcast(S, a[a3 + ao]).fma(b0, c30);
            c40 = FloatVector.broadcast(S, a[a4 + ao]).fma(b0, c40);
            c50 = FloatVector.broadcast(S, a[a5 + ao]).fma(b0, c50);
            c60 = FloatVector.broadcast(S, a[a6 + ao]).fma(b0, c60);
            c70 = FloatVector.broadcast(S, a[a7 + ao]).fma(b0, c70);
        }
        c00.intoArray(d, di);
        di += ldd; c10.intoArray(d, di);
        di += ldd; c20.intoArray(d, di);
        di += ldd; c30.intoArray(d, di);
        di += ldd; c40.intoArray(d, di);
        di += ldd; c50.intoArray(d, di);
        di += ldd; c60.intoArray(d, di);
        di += ldd; c70.intoArray(d, di);
    }

    static void k4x1(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = c00;
        FloatVector c20 = c00;
        FloatVector c30 = c00;
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            int ao = p * cs;
            c00 = FloatVector.broadcast(S, a[ai + ao]).fma(b0, c00);
            c10 = FloatVector.broadcast(S, a[a1 + ao]).fma(b0, c10);
            c20 = FloatVector.broadcast(S, a[a2 + ao]).fma(b0, c20);
            c30 = FloatVector.broadcast(S, a[a3 + ao]).fma(b0, c30);
        }
        c00.intoArray(d, di);
        di += ldd; c10.intoArray(d, di);
        di += ldd; c20.intoArray(d, di);
        di += ldd; c30.intoArray(d, di);
    }

    static void k1x1(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] d, int di, int ldd) {
        FloatVector c00 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            int ao = p * cs;
            c00 = FloatVector.broadcast(S, a[ai + ao]).fma(b0, c00);
        }
        c00.intoArray(d, di);
    }

    /**
     * C[r, j] (+)= tile[r*w + j] for r < rows, j < cols: the epilogue of tiles that add to C or that
     * cover the padded last panel.
     */
    static void addTile(float[] tile, int rows, int w, int cols, float[] c, int ci, int ldc, boolean add) {
        for (int r = 0, t = 0; r < rows; r++, t += w, ci += ldc) {
            for (int v = 0; v < w; v += L) {
                FloatVector x = FloatVector.fromArray(S, tile, t + v);
                if (cols - v >= L) {
                    if (add) x = x.add(FloatVector.fromArray(S, c, ci + v));
                    x.intoArray(c, ci + v);
                } else {
                    VectorMask<Float> m = S.indexInRange(0, cols - v);
                    if (add) x = x.add(FloatVector.fromArray(S, c, ci + v, m));
                    x.intoArray(c, ci + v, m);
                }
            }
        }
    }
}
