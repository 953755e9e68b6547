package dev.myelin.backend.cpu;

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
     * Shape of the computation. C is cut into column panels of W = 64, 32 or 16 floats (4, 2 or 1 vectors
     * of the 512-bit species): as many 64-wide panels as fit, then a 32 and a 16 for the remainder, then one
     * zero-padded 16-wide panel for the last < 16 columns (its stores are masked). Each panel is swept by a
     * register-blocked micro-kernel that keeps a tile of C in accumulators: 4 rows x 64 columns for 64-wide
     * panels (16 accumulators), 8 rows x 32 or 8 rows x 16 for the narrow ones. Per step p of K the kernel
     * loads one row of the B panel (W floats) and broadcasts one element of op(A) per row, then does one FMA
     * per accumulator, so loads stay well below the one 512-bit FMA per cycle Zen 4 sustains. Rows left over
     * at the bottom (fewer than 4 or 8) go to 4-, 2- and 1-row variants of the same kernel.
     *
     * Operands. op(A) is read in place, never packed: the kernel takes element (r, p) at
     * a[ai + r*rs + p*cs], so transA only swaps the strides (rs = lda, cs = 1, or rs = 1, cs = lda). An
     * A block of MC x KC floats (384 KB) stays in L2 while the panels of B go by, and a 4- or 8-row strip
     * (at most 16 KB) stays in L1 for one kernel call. B is packed: each panel's KC x W block is copied
     * row after row into a buffer (W floats per row), which turns op(B), transposed or not, into one
     * contiguous stream the kernel reads with unit stride; a packed 4x64 micro-panel (128 KB) lives in L2
     * and is reused by every row strip of the A block. When B is not transposed and is either small or
     * used by few rows of A, packing would cost more than it saves and full panels are read in place
     * (row stride ldb); only the padded last panel is still copied.
     *
     * Blocking. K is cut into KC-sized steps (balanced, at most 512), the N range into blocks of at most
     * NC = 1024 columns, and one K x NC "super block" of B (at most PACK_LIMIT floats) is packed at a
     * time, in parallel, into a buffer owned by the calling thread. Then the C block is cut into tasks of
     * (rows of A, group of panels), each running: for each KC step, for each panel of its group, for each
     * row strip: kernel. The first KC step overwrites C (unless accumulate); the others add to it.
     *
     * Determinism. Each C element is the FMA chain over one KC step, added to C step after step, in the
     * same order whatever the task grid, the thread that runs a task, or the kernel variant (all variants
     * do the same per-element operations). The task grid depends only on the shape anyway.
     *
     * Small products. Below SMALL_WORK flops the same code runs as one task on the calling thread, with
     * B read in place when not transposed: no pool hand-off, no packing.
     */

    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16; // lanes of S
    static {
        if (S.length() != L) throw new AssertionError("512-bit species expected");
    }

    /** Maximum K step: a 4 x KC strip of A (8 KB) fits in L1, the KC x 64 B micro-panel in L2. */
    static final int KC = 512;
    /** Rows of A per block: MC x KC floats (384 KB) stay in L2 while the panels go by. */
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
    static final int MAX_TASKS = 128;

    private static final ThreadLocal<float[]> PACK = new ThreadLocal<>();

    private Sgemm() {}

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
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        long work = 2L * m * n * k;
        int kSteps = (k + KC - 1) / KC;
        int kc = (k + kSteps - 1) / kSteps;
        // B in place: not transposed, and either small (cache-resident) or reused by few rows of A.
        boolean bInPlace = !transB && (work < SMALL_WORK || m <= 16 || (long) k * n <= 1 << 14);
        int nc = Math.min(n, NC);
        // K rows per super block: a multiple of kc so that the K steps are the same for every shape split.
        int ks = Math.max(kc, Math.min(k, PACK_LIMIT / roundUp(nc, 64) / kc * kc));
        for (int j0 = 0; j0 < n; j0 += nc) {
            int ncb = Math.min(nc, n - j0);
            for (int p0 = 0; p0 < k; p0 += ks) {
                int ksb = Math.min(ks, k - p0);
                Block blk = new Block(transA, transB, m, ncb, ksb, kc, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                        j0, p0, accumulate || p0 > 0, bInPlace, work < SMALL_WORK);
                blk.run();
            }
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
        final boolean transA, transB, add, bInPlace;
        final int m, n, k, kc, j0, p0;
        final float[] a, b, c;
        final int aOff, lda, bOff, ldb, cOff, ldc;
        final int rs, cs; // strides of op(A): element (i, p) at a[aOff + i*rs + p*cs]
        // Panels: n64 of width 64, then optionally one of 32, one of 16, and a padded 16 (pad of the last).
        final int n64, panels, tailCols;
        final boolean has32, has16, hasPad;
        final int paddedN; // sum of panel widths
        // Task grid.
        final int rowsPerTask, mTasks, panelsPerTask, nTasks;
        float[] pack;

        Block(boolean transA, boolean transB, int m, int n, int k, int kc, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, int j0, int p0, boolean add,
              boolean bInPlace, boolean small) {
            this.transA = transA; this.transB = transB; this.m = m; this.n = n; this.k = k; this.kc = kc;
            this.a = a; this.aOff = aOff; this.lda = lda; this.b = b; this.bOff = bOff; this.ldb = ldb;
            this.c = c; this.cOff = cOff; this.ldc = ldc; this.j0 = j0; this.p0 = p0; this.add = add;
            this.bInPlace = bInPlace;
            rs = transA ? 1 : lda;
            cs = transA ? lda : 1;
            n64 = n / 64;
            int rem = n - 64 * n64;
            has32 = rem >= 32;
            rem -= has32 ? 32 : 0;
            has16 = rem >= 16;
            rem -= has16 ? 16 : 0;
            hasPad = rem > 0;
            tailCols = rem;
            panels = n64 + (has32 ? 1 : 0) + (has16 ? 1 : 0) + (hasPad ? 1 : 0);
            paddedN = 64 * n64 + (has32 ? 32 : 0) + (has16 ? 16 : 0) + (hasPad ? 16 : 0);

            // Task grid: rows of A in MC blocks, then panel groups, then thinner row blocks, until there are
            // about `desired` tasks; or fewer, taller row blocks when MC blocks would be too many.
            long work = 2L * m * n * k;
            int desired = small ? 1 : (int) Math.max(1, Math.min(MAX_TASKS, work / TASK_WORK));
            int rows = Math.min(MC, roundUp(m, 8));
            int mt = (m + rows - 1) / rows;
            int ppt = panels;
            if (mt > desired) {
                rows = roundUp((m + desired - 1) / desired, 8);
                mt = (m + rows - 1) / rows;
            } else if (mt < desired) {
                int groups = Math.min(panels, (desired + mt - 1) / mt);
                ppt = (panels + groups - 1) / groups;
                groups = (panels + ppt - 1) / ppt;
                if (mt * groups < desired) {
                    int wantM = (desired + groups - 1) / groups;
                    rows = Math.max(8, roundUp((m + wantM - 1) / wantM, 8));
                    mt = (m + rows - 1) / rows;
                }
            }
            rowsPerTask = rows;
            mTasks = mt;
            panelsPerTask = ppt;
            nTasks = (panels + ppt - 1) / ppt;
        }

        int panelStart(int q) {
            if (q < n64) return 64 * q;
            int s = 64 * n64;
            int t = q - n64;
            if (has32) { if (t == 0) return s; s += 32; t--; }
            if (has16) { if (t == 0) return s; s += 16; }
            return s;
        }

        int panelWidth(int q) {
            if (q < n64) return 64;
            int t = q - n64;
            if (has32) { if (t == 0) return 32; t--; }
            if (has16 && t == 0) return 16;
            return 16;
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
            boolean anyPacked = !bInPlace || hasPad;
            if (anyPacked) {
                long need = (long) k * paddedN;
                float[] buf = PACK.get();
                if (buf == null || buf.length < need) {
                    buf = new float[(int) Math.max(need, 1024)];
                    PACK.set(buf);
                }
                pack = buf;
                if (bInPlace) {
                    for (int s = 0; s < steps; s++) packPanel(s, panels - 1);
                } else {
                    int packTasks = steps * panels;
                    if (mTasks * nTasks == 1 || (long) k * paddedN < 1 << 15) {
                        for (int t = 0; t < packTasks; t++) packPanel(t / panels, t % panels);
                    } else {
                        Parallel.forRange(packTasks, t -> packPanel(t / panels, t % panels));
                    }
                }
            }
            int tasks = mTasks * nTasks;
            if (tasks == 1) {
                compute(0);
            } else {
                Parallel.forRange(tasks, this::compute);
            }
        }

        /** Copies panel q of K step s into the pack buffer: kh rows of W floats, zero-padded. */
        void packPanel(int s, int q) {
            int ps = s * kc, kh = Math.min(kc, k - ps);
            int w = panelWidth(q), col = j0 + panelStart(q);
            int cols = Math.min(w, n - panelStart(q));
            float[] dst = pack;
            int d = packOffset(s, q, kh);
            if (!transB) {
                int src = bOff + (p0 + ps) * ldb + col;
                if (cols == w) {
                    for (int p = 0; p < kh; p++, src += ldb, d += w) {
                        for (int v = 0; v < w; v += L) FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                    }
                } else {
                    VectorMask<Float> mask = S.indexInRange(0, cols);
                    for (int p = 0; p < kh; p++, src += ldb, d += w) {
                        FloatVector.fromArray(S, b, src, mask).intoArray(dst, d);
                    }
                }
            } else {
                // op(B)(p, j) = b[bOff + j*ldb + p]: read `cols` rows of b side by side, write rows of the panel.
                int src = bOff + col * ldb + p0 + ps;
                for (int p = 0; p < kh; p++, d += w) {
                    int x = src + p;
                    for (int j = 0; j < cols; j++, x += ldb) dst[d + j] = b[x];
                    for (int j = cols; j < w; j++) dst[d + j] = 0f;
                }
            }
        }

        /** Task t: rows [i0, i1) of the block against panels [q0, q1), all K steps. */
        void compute(int t) {
            int mi = t / nTasks, ni = t % nTasks;
            int i0 = mi * rowsPerTask, i1 = Math.min(m, i0 + rowsPerTask);
            int q0 = ni * panelsPerTask, q1 = Math.min(panels, q0 + panelsPerTask);
            for (int ib = i0; ib < i1; ib += MC) {
                computeRows(ib, Math.min(i1, ib + MC), q0, q1);
            }
        }

        void computeRows(int i0, int i1, int q0, int q1) {
            for (int ps = 0; ps < k; ps += kc) {
                int kh = Math.min(kc, k - ps);
                boolean addStep = add || ps > 0;
                int s = ps / kc;
                int aBase = aOff + (p0 + ps) * cs;
                for (int q = q0; q < q1; q++) {
                    int w = panelWidth(q), start = panelStart(q);
                    float[] bArr;
                    int bi, bs;
                    if (panelPacked(q)) {
                        bArr = pack;
                        bi = packOffset(s, q, kh);
                        bs = w;
                    } else {
                        bArr = b;
                        bi = bOff + (p0 + ps) * ldb + j0 + start;
                        bs = ldb;
                    }
                    int ci = cOff + j0 + start;
                    if (w == 64) {
                        strip64(i0, i1, kh, aBase, bArr, bi, bs, ci, addStep);
                    } else if (w == 32) {
                        strip32(i0, i1, kh, aBase, bArr, bi, bs, ci, addStep);
                    } else {
                        strip16(i0, i1, kh, aBase, bArr, bi, bs, ci, Math.min(16, n - start), addStep);
                    }
                }
            }
        }

        void strip64(int i0, int i1, int kh, int aBase, float[] bArr, int bi, int bs, int ci, boolean add) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) k4x64(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add);
            if (i + 2 <= i1) { k2x64(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add); i += 2; }
            if (i < i1) k1x64(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add);
        }

        void strip32(int i0, int i1, int kh, int aBase, float[] bArr, int bi, int bs, int ci, boolean add) {
            int i = i0;
            for (; i + 8 <= i1; i += 8) k8x32(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add);
            if (i + 4 <= i1) { k4x32(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add); i += 4; }
            if (i + 2 <= i1) { k2x32(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add); i += 2; }
            if (i < i1) k1x32(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, add);
        }

        void strip16(int i0, int i1, int kh, int aBase, float[] bArr, int bi, int bs, int ci, int cols, boolean add) {
            int i = i0;
            for (; i + 8 <= i1; i += 8) k8x16(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, cols, add);
            if (i + 4 <= i1) { k4x16(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, cols, add); i += 4; }
            for (; i < i1; i++) k1x16(kh, a, aBase + i * rs, rs, cs, bArr, bi, bs, c, ci + i * ldc, ldc, cols, add);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Micro-kernels, generated from one template. kRxW: R rows x W columns of C over kc steps of K.
    // op(A)(r, p) = a[ai + r*rs + p*cs]; B row p = b[bi + p*bs .. + W); C(r, j) = c[ci + r*ldc + j].
    // The accumulators start from C (add) or from zero (a masked load with an all-false mask), so there is
    // one store path and no branch: with two epilogues C2 exceeds its inlining node budget, leaves vector
    // calls out of line and boxes vectors on every call. All variants do the same per-element FMA chain.
    // The 16-wide ones mask loads and stores of C to `cols` columns (the padded last panel).
    // ---------------------------------------------------------------------------------------------------

    static void k4x64(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        int ci1 = ci + ldc, ci2 = ci1 + ldc, ci3 = ci2 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 32, ld);
        FloatVector c03 = FloatVector.fromArray(S, c, ci + 48, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c11 = FloatVector.fromArray(S, c, ci1 + 16, ld);
        FloatVector c12 = FloatVector.fromArray(S, c, ci1 + 32, ld);
        FloatVector c13 = FloatVector.fromArray(S, c, ci1 + 48, ld);
        FloatVector c20 = FloatVector.fromArray(S, c, ci2, ld);
        FloatVector c21 = FloatVector.fromArray(S, c, ci2 + 16, ld);
        FloatVector c22 = FloatVector.fromArray(S, c, ci2 + 32, ld);
        FloatVector c23 = FloatVector.fromArray(S, c, ci2 + 48, ld);
        FloatVector c30 = FloatVector.fromArray(S, c, ci3, ld);
        FloatVector c31 = FloatVector.fromArray(S, c, ci3 + 16, ld);
        FloatVector c32 = FloatVector.fromArray(S, c, ci3 + 32, ld);
        FloatVector c33 = FloatVector.fromArray(S, c, ci3 + 48, ld);
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 32);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 48);
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
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16); c02.intoArray(c, ci + 32); c03.intoArray(c, ci + 48);
        c10.intoArray(c, ci1); c11.intoArray(c, ci1 + 16); c12.intoArray(c, ci1 + 32); c13.intoArray(c, ci1 + 48);
        c20.intoArray(c, ci2); c21.intoArray(c, ci2 + 16); c22.intoArray(c, ci2 + 32); c23.intoArray(c, ci2 + 48);
        c30.intoArray(c, ci3); c31.intoArray(c, ci3 + 16); c32.intoArray(c, ci3 + 32); c33.intoArray(c, ci3 + 48);
    }

    static void k2x64(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        int ci1 = ci + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 32, ld);
        FloatVector c03 = FloatVector.fromArray(S, c, ci + 48, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c11 = FloatVector.fromArray(S, c, ci1 + 16, ld);
        FloatVector c12 = FloatVector.fromArray(S, c, ci1 + 32, ld);
        FloatVector c13 = FloatVector.fromArray(S, c, ci1 + 48, ld);
        int a1 = ai + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 32);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 48);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16); c02.intoArray(c, ci + 32); c03.intoArray(c, ci + 48);
        c10.intoArray(c, ci1); c11.intoArray(c, ci1 + 16); c12.intoArray(c, ci1 + 32); c13.intoArray(c, ci1 + 48);
    }

    static void k1x64(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 32, ld);
        FloatVector c03 = FloatVector.fromArray(S, c, ci + 48, ld);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 32);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 48);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16); c02.intoArray(c, ci + 32); c03.intoArray(c, ci + 48);
    }

    static void k8x32(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        int ci1 = ci + ldc, ci2 = ci1 + ldc, ci3 = ci2 + ldc, ci4 = ci3 + ldc, ci5 = ci4 + ldc, ci6 = ci5 + ldc, ci7 = ci6 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c11 = FloatVector.fromArray(S, c, ci1 + 16, ld);
        FloatVector c20 = FloatVector.fromArray(S, c, ci2, ld);
        FloatVector c21 = FloatVector.fromArray(S, c, ci2 + 16, ld);
        FloatVector c30 = FloatVector.fromArray(S, c, ci3, ld);
        FloatVector c31 = FloatVector.fromArray(S, c, ci3 + 16, ld);
        FloatVector c40 = FloatVector.fromArray(S, c, ci4, ld);
        FloatVector c41 = FloatVector.fromArray(S, c, ci4 + 16, ld);
        FloatVector c50 = FloatVector.fromArray(S, c, ci5, ld);
        FloatVector c51 = FloatVector.fromArray(S, c, ci5 + 16, ld);
        FloatVector c60 = FloatVector.fromArray(S, c, ci6, ld);
        FloatVector c61 = FloatVector.fromArray(S, c, ci6 + 16, ld);
        FloatVector c70 = FloatVector.fromArray(S, c, ci7, ld);
        FloatVector c71 = FloatVector.fromArray(S, c, ci7 + 16, ld);
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs, a6 = a5 + rs, a7 = a6 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
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
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16);
        c10.intoArray(c, ci1); c11.intoArray(c, ci1 + 16);
        c20.intoArray(c, ci2); c21.intoArray(c, ci2 + 16);
        c30.intoArray(c, ci3); c31.intoArray(c, ci3 + 16);
        c40.intoArray(c, ci4); c41.intoArray(c, ci4 + 16);
        c50.intoArray(c, ci5); c51.intoArray(c, ci5 + 16);
        c60.intoArray(c, ci6); c61.intoArray(c, ci6 + 16);
        c70.intoArray(c, ci7); c71.intoArray(c, ci7 + 16);
    }

    static void k4x32(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        int ci1 = ci + ldc, ci2 = ci1 + ldc, ci3 = ci2 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c11 = FloatVector.fromArray(S, c, ci1 + 16, ld);
        FloatVector c20 = FloatVector.fromArray(S, c, ci2, ld);
        FloatVector c21 = FloatVector.fromArray(S, c, ci2 + 16, ld);
        FloatVector c30 = FloatVector.fromArray(S, c, ci3, ld);
        FloatVector c31 = FloatVector.fromArray(S, c, ci3 + 16, ld);
        int a1 = ai + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
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
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16);
        c10.intoArray(c, ci1); c11.intoArray(c, ci1 + 16);
        c20.intoArray(c, ci2); c21.intoArray(c, ci2 + 16);
        c30.intoArray(c, ci3); c31.intoArray(c, ci3 + 16);
    }

    static void k2x32(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        int ci1 = ci + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c11 = FloatVector.fromArray(S, c, ci1 + 16, ld);
        int a1 = ai + rs;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ao]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16);
        c10.intoArray(c, ci1); c11.intoArray(c, ci1 + 16);
    }

    static void k1x32(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> ld = S.maskAll(add);
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + 16, ld);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 16);
            int ao = p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ai + ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + 16);
    }

    static void k8x16(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, int cols, boolean add) {
        VectorMask<Float> st = S.indexInRange(0, cols), ld = st.and(S.maskAll(add));
        int ci1 = ci + ldc, ci2 = ci1 + ldc, ci3 = ci2 + ldc, ci4 = ci3 + ldc, ci5 = ci4 + ldc, ci6 = ci5 + ldc, ci7 = ci6 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c20 = FloatVector.fromArray(S, c, ci2, ld);
        FloatVector c30 = FloatVector.fromArray(S, c, ci3, ld);
        FloatVector c40 = FloatVector.fromArray(S, c, ci4, ld);
        FloatVector c50 = FloatVector.fromArray(S, c, ci5, ld);
        FloatVector c60 = FloatVector.fromArray(S, c, ci6, ld);
        FloatVector c70 = FloatVector.fromArray(S, c, ci7, ld);
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
        c00.intoArray(c, ci, st);
        c10.intoArray(c, ci1, st);
        c20.intoArray(c, ci2, st);
        c30.intoArray(c, ci3, st);
        c40.intoArray(c, ci4, st);
        c50.intoArray(c, ci5, st);
        c60.intoArray(c, ci6, st);
        c70.intoArray(c, ci7, st);
    }

    static void k4x16(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, int cols, boolean add) {
        VectorMask<Float> st = S.indexInRange(0, cols), ld = st.and(S.maskAll(add));
        int ci1 = ci + ldc, ci2 = ci1 + ldc, ci3 = ci2 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        FloatVector c10 = FloatVector.fromArray(S, c, ci1, ld);
        FloatVector c20 = FloatVector.fromArray(S, c, ci2, ld);
        FloatVector c30 = FloatVector.fromArray(S, c, ci3, ld);
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
        c00.intoArray(c, ci, st);
        c10.intoArray(c, ci1, st);
        c20.intoArray(c, ci2, st);
        c30.intoArray(c, ci3, st);
    }

    static void k1x16(int kc, float[] a, int ai, int rs, int cs, float[] b, int bi, int bs,
                      float[] c, int ci, int ldc, int cols, boolean add) {
        VectorMask<Float> st = S.indexInRange(0, cols), ld = st.and(S.maskAll(add));
        FloatVector c00 = FloatVector.fromArray(S, c, ci, ld);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            int ao = p * cs;
            c00 = FloatVector.broadcast(S, a[ai + ao]).fma(b0, c00);
        }
        c00.intoArray(c, ci, st);
    }

}
