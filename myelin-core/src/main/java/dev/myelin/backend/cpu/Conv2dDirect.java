package dev.myelin.backend.cpu;

import dev.myelin.backend.cpu.Conv2dKernels.Geom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Direct ("implicit GEMM") float32 convolution kernels: the same register-blocked products as
 * {@code out = P · W}, {@code gradKernel = Pᵀ · gradOut}, but reading the patch matrix P straight from the
 * input instead of gathering it first. Chosen by {@link Conv2dKernels} when the weights fit in L2.
 */
final class Conv2dDirect {
    /*
     * Implementation overview (for maintainers).
     *
     * Source slabs. The output rows [y0, y1) of image b read input rows y0·sh − pt ... (y1−1)·sh + (kh−1)·dh
     * − pt and columns −pl ... (ow−1)·sw + (kw−1)·dw − pl. When that rectangle lies inside the image, the
     * kernels read the input in place; otherwise it is copied, with zeros around, into a per-thread slab.
     * Either way tap (i, j, ci) of output pixel (y, x) is at base + (y−y0)·sh·rs + x·sw·c + i·dh·rs + j·dw·c
     * + ci, with no bounds logic left in the inner loops. Pads may be negative (a crop), which the
     * input-gradient formulation below needs.
     *
     * Forward. Tasks are blocks of output rows of one image. In a block, the filters are cut into blocks of
     * 4, 2 or 1 vectors, and the block's pixels (flattened across rows, so no row ends in a short tile) into
     * tiles of 4, 6 or 8 pixels: fwdRxV keeps R x V accumulators in registers, and per patch element loads
     * V weight vectors, broadcasts R input values and does R·V FMAs, over kh rows of kw·c contiguous values
     * (dilation 1) or kh·kw runs of c values. Weights are rows of fp = f rounded up to whole vectors (packed
     * with zero padding when f is not a multiple); the last partial vector is stored with a mask. A bias, if
     * any, is added to the block right after it is written (still in cache), as a separate add would.
     *
     * Padding taps. A tile skips the taps that read padding for all of its pixels (Taps): its tap loop runs over
     * a sub-rectangle of the kernel, and its pixels may come in "border order" (interior first, then border rows,
     * then border columns) instead of row order, so that a tile's pixels skip the same taps; results are the
     * same as with every tap (x·0 adds nothing). This matters most for the stride-1 input gradient of a valid
     * convolution (a flipped forward with padding kernel − 1: 27% of a 3x3 one's taps on 12x12 read zeros) and
     * for small "same" images (7x7: 18%). The dot kernels (few input channels) still multiply every tap.
     * The kernel gradient likewise sums each tile of patch rows only over the pixels where one of its taps reads
     * the image (Pixels: a rectangle of the block's rows and columns); the pixels' order is unchanged.
     *
     * Register blocking (Blocking, chosen once from the vector size and the architecture). 4x4 tiles hold
     * 16 accumulators + 4 weight vectors + a broadcast: right for 32 vector registers (AVX-512, NEON). x86
     * with 256-bit vectors (AVX2) has 16 ymm registers, where a 4x4 tile spills; there (NARROW) every pair
     * of filter vectors runs as 6x2 tiles (12 + 2 + 1 = 15 registers), likewise for the kernel gradient.
     * The kernel gradient's last pair of filter vectors (all of them with 32 filters) runs 12x2 tiles on 32 registers
     * (24 accumulators + 2 gradient vectors + a broadcast): twice the FMAs per gradient load of 6x2 and half the
     * passes over the block. Measured (2-core AMD EPYC Zen 4, AVX-512, 2 threads, median of repeated calls, two
     * interleaved runs, ms, 6x2 -> 12x2): B32 28x28x32 -> 32 3x3 same 2.70, 2.69 -> 2.16, 2.22. The same 12x2 tile
     * for the forward pass ran slower than 6x2 (3.07 -> 4.70 ms on that layer: 12 source offsets do not stay in
     * registers with the loop's other integers); 8x2 (16 accumulators, 8 offsets: the 4x4 tile's FMAs per iteration
     * for 2 weight loads and 8 broadcasts) runs faster than 6x2, so on 32 registers the forward's last pair of filter
     * vectors runs 8x2 tiles. Measured (same machine, ms, 6x2 -> 8x2, two interleaved runs): forward B32 28x28x32 ->
     * 32 same 3.17, 3.15 -> 2.38, 2.30; input gradient B32 15x15x32 -> 64 valid (a flipped forward with 32 filters)
     * 1.52, 1.59 -> 1.11, 1.23. That made the direct kernels faster than im2col + SGEMM at 32 result channels too
     * (see Conv2dKernels).
     * Every tile shape sums each result element over the same terms in the same order (patch elements for
     * the forward, pixels for the kernel gradient), so the blockings give bit-identical results.
     *
     * Measured on AVX2 (AMD EPYC family 23, 2 threads): the Vector API fallback frames (rvOp, ternaryOp,
     * lanewiseTemplate) that a JFR profile shows come from the warm-up, before C2 has compiled the
     * micro-kernels (C1 code does not intrinsify vector operations); in the steady state the kernels are
     * intrinsified (PrintInlining lists no failed vector intrinsic in C2's compiles).
     *
     * Kernel gradient. gradKernel[p, o] = Σ_pixels P[pixel, p] · gradOut[pixel, o]: kgradRxV keeps R patch
     * rows x V filter vectors in registers and runs over all pixels of a block (a last, partial tile repeats
     * its last row and drops the copies' sums). Blocks are split into a fixed number of consecutive groups
     * (shape-dependent only); a group sums its blocks in order into its own partial, and the partials are
     * added in group order, so results do not depend on the thread count. When blocks are whole images (16 or
     * more images), kgrad4x4 runs over several consecutive images of a group per call (up to KERNEL_GRAD_CALL_FLOATS
     * of their sources and gradients), keeping its 16 accumulators in registers instead of reloading and storing
     * them per image: the same terms in the same order, so the same bits. Measured (Zen 4, 2 threads, one JVM,
     * alternated, median ms): B128 7x7x64 -> 128 3x3 same 5.88, 5.46 -> 5.18, 4.97. The other tiles keep one call
     * per image: the image loop inside kgrad12x2 (12 tap offsets, 24 accumulators) took B32 28x28x32 -> 32 from
     * about 8.5 to 11.5 ms forward + backward, though it then ran one image per call (more live integers than x86's
     * 16 general registers hold).
     *
     * Input gradient, stride 1. gradIn[y, x, ci] = Σ_{i,j,o} gradOut[y + pt − i·dh, x + pl − j·dw, o] ·
     * k[i, j, ci, o] is a forward convolution of gradOut (pads (kh−1)·dh − pt and (kw−1)·dw − pl) with the
     * kernel flipped in space and transposed in channels. With few input channels (c ≤ 4, 512-bit vectors,
     * f a multiple of 16) that would leave most lanes of the output vectors empty, so the lanes go over the
     * f filters instead: dotPxC keeps P pixels x c channels (P·c ≤ 16) of vector sums and reduces all of
     * them at once into one vector of P·c consecutive outputs (a butterfly of blends and lane swaps; never
     * reduceLanes, whose order is unspecified and differs between the interpreter and C2). Their inner loop
     * runs over a whole kernel row (kw·f floats): with only f floats per step it ran twice as long, since
     * C2 cannot hoist bounds checks out of 2-step loops.
     *
     * Micro-kernels are generated from one pattern per kind (forward, kernel gradient, dot) and unrolled by
     * hand: accumulators must be locals for C2 to keep them in registers.
     */

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Largest weight matrix (floats, 1 MB) for the direct kernels, which stream it once per pixel tile and
     * need it in L2. Measured on 2 threads against im2col + SGEMM: direct ahead up to 3x3x128x128 (147K
     * floats: forward 2.8 vs 3.4 ms, input gradient 3.2 vs 5.2, kernel gradient 3.9 vs 4.4, batch 8 of
     * 16x16); behind at 3x3x256x256 (590K: kernel gradient 5.1 vs 3.2 ms).
     */
    static final int MAX_WEIGHTS = 1 << 18;
    /** Blocks of output rows per call, at least, when the batch is small: work for every thread. */
    static final int MIN_BLOCKS = 16;
    /** Partial kernel gradients summed in parallel. */
    static final int GROUPS = 8;
    /**
     * Most source and gradient floats (256 KB) that one kernel-gradient micro-kernel call sums over when it runs
     * over several whole images (keeping its accumulators in registers across them): every tile of patch rows
     * re-reads them, so they should stay in L2.
     */
    static final int KERNEL_GRAD_CALL_FLOATS = 1 << 16;
    /**
     * Package-private switch for tests and measurements: most whole images per kernel-gradient micro-kernel call
     * (1: one call per image, as before). The sums are the same either way.
     */
    static volatile int kernelGradImages = 16;
    /** Most rows in any micro-kernel tile. */
    private static final int MAX_TILE = 16;

    /**
     * Which micro-kernel tiles the forward and kernel-gradient passes use, by the vector registers the
     * machine has. Every tile sums each result element over the same terms in the same order, so both give
     * bit-identical results; only the speed differs.
     */
    enum Blocking {
        /**
         * 4x4 tiles first (16 accumulators + 4 weight vectors + a broadcast), then 8x2 for a last pair of filter vectors
         * (16 + 2 + 1): for 32 vector registers (AVX-512, NEON, SVE).
         */
        WIDE,
        /**
         * 6x2 tiles only (12 accumulators + 2 weight vectors + a broadcast = 15): for x86 with 256-bit vectors
         * (AVX2), which has 16 vector registers; a 4x4 tile there spills accumulators to the stack every step.
         */
        NARROW;

        /** The tiles for this machine: NARROW on x86 below 512-bit vectors (16 ymm registers), WIDE elsewhere. */
        static Blocking forMachine(int vectorBits, String arch) {
            boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
            return x86 && vectorBits < 512 ? NARROW : WIDE;
        }
    }

    /** Package-private switch for tests and measurements; the machine's choice in normal use. */
    static volatile Blocking blocking = Blocking.forMachine(S.vectorBitSize(), System.getProperty("os.arch", ""));

    /**
     * Package-private switch for tests and measurements: when false, the forward tiles multiply every tap and the
     * kernel-gradient tiles every pixel, the padding's zeros included (the results are the same; see {@link Taps}
     * and {@link Pixels}).
     */
    static volatile boolean skipPaddingTaps = true;

    /** Package-private switch for tests and measurements: whether WIDE runs a last pair of filter vectors as 8x2 tiles (else 6x2). */
    static volatile boolean pairTile8 = true;

    /*
     * Butterfly sum of 16 vectors (512-bit species only): a.blend(b, Mh) + b.blend(a, Mh).rearrange(Xh) adds
     * lanes h apart, keeping a's sums where lane bit h is clear and b's where it is set; four stages
     * (h = 8, 4, 2, 1) over 16 vectors fed in bit-reversed order leave the total of vector m in lane m.
     * Fixed order, so deterministic.
     */
    private static final boolean SIXTEEN = L == 16;
    private static final VectorMask<Float> M8 = SIXTEEN ? VectorMask.fromLong(S, 0xFF00L) : null;
    private static final VectorMask<Float> M4 = SIXTEEN ? VectorMask.fromLong(S, 0xF0F0L) : null;
    private static final VectorMask<Float> M2 = SIXTEEN ? VectorMask.fromLong(S, 0xCCCCL) : null;
    private static final VectorMask<Float> M1 = SIXTEEN ? VectorMask.fromLong(S, 0xAAAAL) : null;
    private static final VectorShuffle<Float> X8 = SIXTEEN ? VectorShuffle.fromOp(S, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> X4 = SIXTEEN ? VectorShuffle.fromOp(S, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> X2 = SIXTEEN ? VectorShuffle.fromOp(S, i -> i ^ 2) : null;
    private static final VectorShuffle<Float> X1 = SIXTEEN ? VectorShuffle.fromOp(S, i -> i ^ 1) : null;

    /** Per-thread scratch, grown as needed and reused across calls: no allocation once warm. */
    private static final ThreadLocal<Slab> SLAB = ThreadLocal.withInitial(Slab::new);
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[MAX_TILE]);
    private static final ThreadLocal<int[]> OUTPUTS = ThreadLocal.withInitial(() -> new int[MAX_TILE]);
    private static final ThreadLocal<int[]> ORDER = ThreadLocal.withInitial(() -> new int[0]);
    private static final ThreadLocal<int[]> TAPS = ThreadLocal.withInitial(() -> new int[0]);
    /** The calling thread's packed weights and partial kernel gradients (read by the pool's tasks). */
    private static final ThreadLocal<float[]> PACKED = new ThreadLocal<>();
    private static final ThreadLocal<float[]> PARTIAL = new ThreadLocal<>();

    private Conv2dDirect() {}

    /** Where the source of one block of output rows lies: in the input itself or in a padded copy. */
    private static final class Slab {
        float[] buf = new float[0];
        float[] data;
        int base;
        int rs;
        /** Floats from one image's source to the next one's (several-image slabs of the kernel gradient). */
        int imageStride;
    }

    /** The calling thread's buffer in {@code slot}, at least {@code floats} long (contents undefined). */
    private static float[] buffer(ThreadLocal<float[]> slot, int floats) {
        float[] b = slot.get();
        if (b == null || b.length < floats) {
            b = new float[floats];
            slot.set(b);
        }
        return b;
    }

    static int roundUp(int x, int step) {
        return (x + step - 1) / step * step;
    }

    /** True when the forward and kernel-gradient kernels suit these sizes. */
    static boolean fits(Geom g) {
        return (long) g.patch() * roundUp(g.f(), L) <= MAX_WEIGHTS;
    }

    /** True when the input gradient can use the direct formulation. */
    static boolean fitsBackwardInput(Geom g) {
        return g.sh() == 1 && g.sw() == 1 && (long) g.kh() * g.kw() * g.f() * roundUp(g.c(), L) <= MAX_WEIGHTS;
    }

    // ---- blocks and slabs ----

    /** Output rows per block: whole images when the batch is large, fewer rows when it is small. */
    private static int rowsPerBlock(int n, int oh) {
        int perImage = Math.min(oh, Math.max(1, (MIN_BLOCKS + n - 1) / Math.max(1, n)));
        return (oh + perImage - 1) / perImage;
    }

    /** Prepares the source that output rows [y0, y1) of image b read. */
    private static Slab slab(Geom g, float[] x, int xOff, int b, int y0, int y1) {
        return slab(g, x, xOff, b, 1, y0, y1);
    }

    /**
     * Prepares the sources that output rows [y0, y1) of images b .. b+images−1 read, {@link Slab#imageStride} apart
     * (the images' own stride when read in place, consecutive copies otherwise).
     */
    private static Slab slab(Geom g, float[] x, int xOff, int b, int images, int y0, int y1) {
        Slab sl = SLAB.get();
        int c = g.c(), h = g.h(), w = g.w();
        int r0 = y0 * g.sh() - g.pt(), r1 = (y1 - 1) * g.sh() + (g.kh() - 1) * g.dh() - g.pt() + 1;
        int c0 = -g.pl(), c1 = (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() - g.pl() + 1;
        int image = xOff + b * h * w * c;
        if (r0 >= 0 && r1 <= h && c0 >= 0 && c1 <= w) {
            sl.data = x;
            sl.base = image + (r0 * w + c0) * c;
            sl.rs = w * c;
            sl.imageStride = h * w * c;
            return sl;
        }
        int rs = (c1 - c0) * c, need = (r1 - r0) * rs;
        if (sl.buf.length < images * need) sl.buf = new float[images * need];
        float[] buf = sl.buf;
        int lo = Math.max(0, c0), hi = Math.min(w, c1);
        for (int im = 0; im < images; im++, image += h * w * c) copyRows(x, image, buf, im * need, r0, r1, rs, c0, lo, hi, h, w, c);
        sl.data = buf;
        sl.base = 0;
        sl.rs = rs;
        sl.imageStride = need;
        return sl;
    }

    /** Copies input rows [r0, r1) of one image, columns from c0, into buf at q0 (rs floats a row), zeros outside it. */
    private static void copyRows(float[] x, int image, float[] buf, int q0, int r0, int r1, int rs, int c0, int lo, int hi,
                                 int h, int w, int c) {
        for (int r = r0; r < r1; r++) {
            int q = q0 + (r - r0) * rs;
            if (r < 0 || r >= h || lo >= hi) {
                Arrays.fill(buf, q, q + rs, 0f);
                continue;
            }
            int left = (lo - c0) * c, len = (hi - lo) * c;
            Arrays.fill(buf, q, q + left, 0f);
            System.arraycopy(x, image + (r * w + lo) * c, buf, q + left, len);
            Arrays.fill(buf, q + left + len, q + rs, 0f);
        }
    }

    /** Source offsets of pixels p .. p+valid−1 of a block (flattened rows), the last repeated up to r. */
    private static void offsets(Geom g, Slab sl, int p, int valid, int r, int[] a) {
        int ow = g.ow(), rowStep = g.sh() * sl.rs, colStep = g.sw() * g.c();
        int yy = p / ow, xx = p - yy * ow, row = sl.base + yy * rowStep;
        for (int i = 0; i < valid; i++) {
            a[i] = row + xx * colStep;
            if (++xx == ow) {
                xx = 0;
                row += rowStep;
            }
        }
        for (int i = valid; i < r; i++) a[i] = a[valid - 1];
    }

    // ---- forward ----

    /** {@code y = conv(x, k)}, weights {@code k} as [kh·kw·c, f]. */
    static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] y, int yOff) {
        forward(g, x, xOff, k, kOff, null, 0, y, yOff);
    }

    /**
     * {@code y = conv(x, k) + bias} (bias {@code [f]} at {@code b[bOff]}, or none when {@code b} is null),
     * weights {@code k} as [kh·kw·c, f]. Each block of output rows gets its bias right after the block is
     * computed, while it is still in cache; the values are those of the convolution followed by an add.
     */
    static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, float[] y, int yOff) {
        forward(g, x, xOff, k, kOff, b, bOff, false, y, yOff);
    }

    /** {@link #forward}, then {@code relu} on each block of rows right after its bias (see {@link Epilogue}). */
    static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, boolean relu, float[] y, int yOff) {
        int f = g.f();
        forward(g, x, xOff, k, kOff, b, bOff, relu, y, yOff, g.oh() * g.ow() * f, g.ow() * f, f);
    }

    /**
     * {@code y = conv(x, k)} into an output laid out with its own strides: output pixel (b, oy, ox) at
     * {@code y[yOff + b·imageStride + oy·rowStride + ox·pixStride ..]}, f consecutive floats each (the strided input
     * gradient writes each of its phases straight into every sh-th row and sw-th column of dx this way). Results
     * are those of {@link #forward}: only where they are stored differs.
     */
    static void forwardInto(Geom g, float[] x, int xOff, float[] k, int kOff, float[] y, int yOff, int imageStride,
                            int rowStride, int pixStride) {
        forward(g, x, xOff, k, kOff, null, 0, false, y, yOff, imageStride, rowStride, pixStride);
    }

    /** {@link #forward} with the output strides of {@link #forwardInto}; bias and relu only on a dense output. */
    private static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, boolean relu,
                                float[] y, int yOff, int imageStride, int rowStride, int pixStride) {
        int f = g.f(), fp = roundUp(f, L);
        Out out = new Out(imageStride, rowStride, pixStride);
        if (fp == f) {
            conv(g, x, xOff, k, kOff, fp, b, bOff, relu, y, yOff, out);
            return;
        }
        int kk = g.patch();
        float[] w = buffer(PACKED, kk * fp);
        for (int p = 0; p < kk; p++) {
            System.arraycopy(k, kOff + p * f, w, p * fp, f);
            Arrays.fill(w, p * fp + f, (p + 1) * fp, 0f);
        }
        conv(g, x, xOff, w, 0, fp, b, bOff, relu, y, yOff, out);
    }

    /** Where output pixels go: images, rows and pixels that many floats apart. */
    private record Out(int imageStride, int rowStride, int pixStride) {}

    /** Direct convolution with weights {@code w} as [kh·kw·c, fp] (fp ≥ f a whole number of vectors), plus bias. */
    private static void conv(Geom g, float[] x, int xOff, float[] w, int wOff, int fp, float[] bias, int bOff, boolean relu,
                             float[] y, int yOff, Out out) {
        int rows = rowsPerBlock(g.n(), g.oh()), perImage = (g.oh() + rows - 1) / rows;
        boolean wide = blocking == Blocking.WIDE;
        Parallel.forRange(g.n() * perImage, t -> {
            int b = t / perImage, y0 = t % perImage * rows, y1 = Math.min(g.oh(), y0 + rows);
            Slab sl = slab(g, x, xOff, b, y0, y1);
            int yq = yOff + b * out.imageStride() + y0 * out.rowStride(), pixels = (y1 - y0) * g.ow();
            convBlock(g, sl, y0, pixels, w, wOff, fp, y, yq, out, wide);
            Epilogue.apply(y, yq, pixels, g.f(), bias, bOff, relu); // dense output: rows of f floats
        });
    }

    private static void convBlock(Geom g, Slab sl, int y0, int pixels, float[] w, int wOff, int fp, float[] y, int yq,
                                  Out out, boolean wide) {
        float[] s = sl.data;
        int f = g.f();
        int[] a = OFFSETS.get(), o = OUTPUTS.get();
        Taps t = new Taps(g, sl, y0, pixels, fp, out);
        int fb = 0;
        for (; wide && f - fb >= 4 * L; fb += 4 * L) {
            t.chooseOrder(4);
            for (int p = 0; p < pixels; p += 4) {
                int valid = Math.min(4, pixels - p);
                t.tile(p, valid, 4, a, o);
                fwd4x4(s, a[0], a[1], a[2], a[3], t.ni, t.rowStep, t.nj, t.jStep, t.len, w, wOff + fb + t.wq, t.wRow, fp,
                        y, o, yq + fb, valid);
            }
        }
        // WIDE: at most one pair of vectors is left, in tiles of 8 pixels (16 accumulators); NARROW: every pair, 6 pixels.
        for (; wide && pairTile8 && f - fb >= 2 * L; fb += 2 * L) {
            t.chooseOrder(8);
            for (int p = 0; p < pixels; p += 8) {
                int valid = Math.min(8, pixels - p);
                t.tile(p, valid, 8, a, o);
                fwd8x2(s, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], t.ni, t.rowStep, t.nj, t.jStep, t.len, w,
                        wOff + fb + t.wq, t.wRow, fp, y, o, yq + fb, valid);
            }
        }
        for (; f - fb >= 2 * L; fb += 2 * L) {
            t.chooseOrder(6);
            for (int p = 0; p < pixels; p += 6) {
                int valid = Math.min(6, pixels - p);
                t.tile(p, valid, 6, a, o);
                fwd6x2(s, a[0], a[1], a[2], a[3], a[4], a[5], t.ni, t.rowStep, t.nj, t.jStep, t.len, w, wOff + fb + t.wq,
                        t.wRow, fp, y, o, yq + fb, valid);
            }
        }
        for (; fb < f; fb += L) {
            VectorMask<Float> m = f - fb >= L ? null : S.indexInRange(0, f - fb);
            t.chooseOrder(8);
            for (int p = 0; p < pixels; p += 8) {
                int valid = Math.min(8, pixels - p);
                t.tile(p, valid, 8, a, o);
                fwd8x1(s, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], t.ni, t.rowStep, t.nj, t.jStep, t.len,
                        w, wOff + fb + t.wq, t.wRow, fp, y, o, yq + fb, valid, m);
            }
        }
    }

    /**
     * The taps each forward tile reads, minus those that fall in the padding for all of its pixels, and the
     * order in which a block's pixels are cut into tiles.
     *
     * Output row y reads tap rows i with 0 ≤ y·sh − pt + i·dh < h: a range [first, end) that only moves down as
     * y grows (likewise columns), so a tile's range runs from its lowest row's first tap to its highest row's
     * end (columns likewise). The skipped taps read zeros from the padded slab, and x·0 added to a sum leaves
     * it unchanged, so each output keeps the same nonzero terms in the same order: results are bit for bit
     * those of the full loop, except that a non-finite weight no longer meets a padding zero (0·∞ = NaN) and a
     * sum that underflowed to −0 stays −0 (adding a +0 product would make it +0).
     *
     * A tile saves only the taps that all of its pixels skip. In the block's row order a tile of a 7x7 image
     * that wraps from one row to the next keeps every column tap; in "border order" (first the pixels that
     * skip nothing, row by row; then the border rows; then the border columns of the other rows, column by
     * column) most tiles hold pixels that skip the same taps. Each tile shape takes the order whose tiles
     * read fewer taps in all (counted once per block). Taps read, as a fraction of the full loop's, row order
     * vs border order: 12x12x64 -> 14x14x32 input gradient (a valid 3x3 forward's), 6x2 tiles: 0.87 vs 0.79;
     * 7x7 "same", 4x4 tiles: 0.91 vs 0.87, 6x2 tiles: 0.86 vs 0.96; 28x28 "same", 6x2 tiles: 0.98 vs 0.96.
     */
    private static final class Taps {
        private final Geom g;
        private final Slab sl;
        private final int fp, y0, pixels;
        private final Out out;
        private final boolean all = !skipPaddingTaps;
        final int rowStep, jStep, wRow;
        /** Block pixels in border order (null: none has padding taps); the order of the current tile shape. */
        private int[] border, order;
        /** The current tile's tap rows, column groups (dilated) and run length in each (c per tap). */
        int ni, nj, len;
        /** The current tile's first kept tap's weight offset (added to the filter block's). */
        int wq;

        Taps(Geom g, Slab sl, int y0, int pixels, int fp, Out out) {
            this.g = g;
            this.out = out;
            this.sl = sl;
            this.y0 = y0;
            this.pixels = pixels;
            this.fp = fp;
            rowStep = g.dh() * sl.rs;
            jStep = g.dw() * g.c();
            wRow = g.kw() * g.c() * fp;
            if (!all) border = borderOrder();
        }

        /** The block's pixels in border order, or null when every pixel reads all taps. */
        private int[] borderOrder() {
            int ow = g.ow(), rows = pixels / ow, kh = g.kh(), kw = g.kw();
            int ya = 0, yb = rows; // rows [ya, yb) and columns [xa, xb) read every tap
            while (ya < rows && !fullRow(ya)) ya++;
            while (yb > ya && !fullRow(yb - 1)) yb--;
            int xa = 0, xb = ow;
            while (xa < ow && !fullCol(xa)) xa++;
            while (xb > xa && !fullCol(xb - 1)) xb--;
            if (ya == 0 && yb == rows && xa == 0 && xb == ow) return null;
            for (int yy = ya; yy < yb; yy++) if (!fullRow(yy)) return null; // a gap in the middle: keep row order
            for (int xx = xa; xx < xb; xx++) if (!fullCol(xx)) return null;
            int[] ord = ORDER.get();
            if (ord.length < pixels) ORDER.set(ord = new int[pixels]);
            int n = 0;
            for (int yy = ya; yy < yb; yy++) for (int xx = xa; xx < xb; xx++) ord[n++] = yy * ow + xx;
            for (int yy = 0; yy < rows; yy++) {
                if (yy >= ya && yy < yb) continue;
                for (int xx = 0; xx < ow; xx++) ord[n++] = yy * ow + xx;
            }
            for (int xx = 0; xx < ow; xx++) {
                if (xx >= xa && xx < xb) continue;
                for (int yy = ya; yy < yb; yy++) ord[n++] = yy * ow + xx;
            }
            return ord;
        }

        private boolean fullRow(int yy) {
            int y = y0 + yy;
            return firstTap(y, g.sh(), g.pt(), g.dh(), g.kh()) == 0 && endTap(y, g.sh(), g.pt(), g.dh(), g.kh(), g.h()) == g.kh();
        }

        private boolean fullCol(int x) {
            return firstTap(x, g.sw(), g.pl(), g.dw(), g.kw()) == 0 && endTap(x, g.sw(), g.pl(), g.dw(), g.kw(), g.w()) == g.kw();
        }

        /** Picks the pixel order for tiles of r pixels: border order where its tiles read fewer taps. */
        void chooseOrder(int r) {
            order = border != null && taps(border, r) < taps(null, r) ? border : null;
        }

        /** Taps read by all tiles of r pixels in the given order (null: row order). */
        private long taps(int[] ord, int r) {
            long sum = 0;
            for (int p = 0; p < pixels; p += r) {
                range(ord, p, Math.min(r, pixels - p));
                sum += (long) ni * (g.dw() == 1 ? len / g.c() : nj);
            }
            return sum;
        }

        /** Sets ni, nj, len, wq for pixels p .. p+valid−1 of the order; returns the source shift of the first kept tap. */
        private int range(int[] ord, int p, int valid) {
            int ow = g.ow(), ymin = Integer.MAX_VALUE, ymax = -1, xmin = Integer.MAX_VALUE, xmax = -1;
            for (int k = p; k < p + valid; k++) {
                int q = ord == null ? k : ord[k], yy = q / ow, xx = q - yy * ow;
                ymin = Math.min(ymin, yy);
                ymax = Math.max(ymax, yy);
                xmin = Math.min(xmin, xx);
                xmax = Math.max(xmax, xx);
            }
            int i0 = 0, i1 = g.kh(), j0 = 0, j1 = g.kw();
            if (!all) {
                i0 = firstTap(y0 + ymax, g.sh(), g.pt(), g.dh(), g.kh());
                i1 = Math.max(i0, endTap(y0 + ymin, g.sh(), g.pt(), g.dh(), g.kh(), g.h()));
                j0 = firstTap(xmax, g.sw(), g.pl(), g.dw(), g.kw());
                j1 = Math.max(j0, endTap(xmin, g.sw(), g.pl(), g.dw(), g.kw(), g.w()));
            }
            ni = i1 - i0;
            if (g.dw() == 1) {
                nj = 1;
                len = (j1 - j0) * g.c();
            } else {
                nj = j1 - j0;
                len = g.c();
            }
            wq = (i0 * g.kw() + j0) * g.c() * fp;
            return i0 * rowStep + j0 * jStep;
        }

        /**
         * Sets the taps of the tile of pixels p .. p+valid−1 (in the current order), fills {@code a} with their
         * source offsets, moved to the first kept tap, and {@code o} with their output offsets (see {@link Out}); the last
         * pixel is repeated up to r.
         */
        void tile(int p, int valid, int r, int[] a, int[] o) {
            int shift = range(order, p, valid);
            int ow = g.ow(), rowStep0 = g.sh() * sl.rs, colStep = g.sw() * g.c();
            for (int k = 0; k < r; k++) {
                int q = k < valid ? p + k : p + valid - 1;
                if (order != null) q = order[q];
                int yy = q / ow, xx = q - yy * ow;
                a[k] = sl.base + yy * rowStep0 + xx * colStep + shift;
                o[k] = yy * out.rowStride() + xx * out.pixStride();
            }
        }
    }

    /** First tap (row or column) of output position o whose source o·stride − pad + tap·dil is ≥ 0, at most k. */
    static int firstTap(int o, int stride, int pad, int dil, int k) {
        int t = pad - o * stride;
        return t <= 0 ? 0 : Math.min(k, (t + dil - 1) / dil);
    }

    /** One past the last tap of output position o whose source o·stride − pad + tap·dil is < n, at most k. */
    static int endTap(int o, int stride, int pad, int dil, int k, int n) {
        int t = n - 1 + pad - o * stride;
        return t < 0 ? 0 : Math.min(k, t / dil + 1);
    }

    private static void store(FloatVector v, float[] y, int off, VectorMask<Float> m) {
        if (m == null) v.intoArray(y, off);
        else v.intoArray(y, off, m);
    }

    // ---- kernel gradient ----

    /** {@code dk = Pᵀ · dy} (overwritten), dk as [kh·kw·c, f]. */
    static void kernelGrad(Geom g, float[] x, int xOff, float[] dy, int dyOff, float[] dk, int dkOff) {
        int kk = g.patch(), f = g.f(), fp = roundUp(f, L);
        int rows = rowsPerBlock(g.n(), g.oh()), perImage = (g.oh() + rows - 1) / rows;
        int blocks = g.n() * perImage;
        int groups = Math.min(GROUPS, blocks), perGroup = (blocks + groups - 1) / groups;
        int nGroups = (blocks + perGroup - 1) / perGroup;
        int stride = (kk + MAX_TILE) * fp; // room for a tile's repeated rows past the end
        float[] partial = buffer(PARTIAL, nGroups * stride);
        boolean wide = blocking == Blocking.WIDE;
        int images = imagesPerKernelGradCall(g);
        Arrays.fill(partial, 0, nGroups * stride, 0f);
        Parallel.forRange(nGroups, gi -> {
            int[] taps = TAPS.get();
            if (taps.length < kk + MAX_TILE) TAPS.set(taps = new int[kk + MAX_TILE]);
            for (int t = gi * perGroup, end = Math.min(blocks, t + perGroup), ni; t < end; t += ni) {
                int b = t / perImage, y0 = t % perImage * rows, y1 = Math.min(g.oh(), y0 + rows);
                ni = perImage == 1 ? Math.min(end - t, images) : 1;
                Slab sl = slab(g, x, xOff, b, ni, y0, y1);
                tapOffsets(g, sl.rs, taps);
                int gq = dyOff + (b * g.oh() + y0) * g.ow() * f;
                kernelGradBlock(g, sl, y0, y1 - y0, ni, taps, dy, gq, partial, gi * stride, fp, wide);
            }
        });
        for (int p = 0; p < kk; p++) {
            int d = dkOff + p * f;
            System.arraycopy(partial, p * fp, dk, d, f);
            for (int gi = 1; gi < nGroups; gi++) {
                int src = gi * stride + p * fp;
                for (int o = 0; o < f; o++) dk[d + o] += partial[src + o];
            }
        }
    }

    /** Offset of each patch element (i, j, ci) from its pixel's position in a source of row stride rs. */
    private static void tapOffsets(Geom g, int rs, int[] taps) {
        int p = 0;
        for (int i = 0; i < g.kh(); i++) {
            for (int j = 0; j < g.kw(); j++) {
                for (int ci = 0; ci < g.c(); ci++) taps[p++] = i * g.dh() * rs + j * g.dw() * g.c() + ci;
            }
        }
    }

    /**
     * Whole images summed per micro-kernel call when blocks are whole images: as many as keep their sources and
     * gradients within {@link #KERNEL_GRAD_CALL_FLOATS}, at least one, at most {@link #kernelGradImages}.
     */
    private static int imagesPerKernelGradCall(Geom g) {
        int c = g.c();
        long source = (long) ((g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1) * ((g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1) * c;
        long perImage = source + (long) g.oh() * g.ow() * g.f();
        return (int) Math.max(1, Math.min(kernelGradImages, KERNEL_GRAD_CALL_FLOATS / perImage));
    }

    private static void kernelGradBlock(Geom g, Slab sl, int y0, int rows, int ni, int[] t, float[] dy, int gq,
                                        float[] acc, int aq, int fp, boolean wide) {
        float[] s = sl.data;
        int kk = g.patch(), f = g.f(), ow = g.ow(), rs = g.sh() * sl.rs, ps = g.sw() * g.c(), base = sl.base;
        int si = sl.imageStride, gi = g.oh() * ow * f;
        Pixels px = new Pixels(g, y0, rows);
        int fb = 0;
        for (; wide && f - fb >= 4 * L; fb += 4 * L) {
            for (int p = 0; p < kk; p += 4) {
                if (!px.tile(p, 4)) continue;
                repeatLast(t, p, kk, 4);
                kgrad4x4(s, base, rs, ps, px.ya, px.yb, px.xa, px.xb, ow, ni, si, gi, t[p], t[p + 1], t[p + 2], t[p + 3], dy, gq + fb, f,
                        acc, aq + p * fp + fb, fp);
            }
        }
        // WIDE: at most one pair of vectors is left, in tiles of 12 rows (24 accumulators); NARROW: every pair, 6 rows.
        for (; wide && f - fb >= 2 * L; fb += 2 * L) {
            for (int p = 0; p < kk; p += 12) {
                if (!px.tile(p, 12)) continue;
                repeatLast(t, p, kk, 12);
                for (int im = 0; im < ni; im++) {
                    kgrad12x2(s, base + im * si, rs, ps, px.ya, px.yb, px.xa, px.xb, ow, t[p], t[p + 1], t[p + 2], t[p + 3], t[p + 4],
                            t[p + 5], t[p + 6], t[p + 7], t[p + 8], t[p + 9], t[p + 10], t[p + 11], dy, gq + im * gi + fb, f, acc,
                            aq + p * fp + fb, fp);
                }
            }
        }
        for (; f - fb >= 2 * L; fb += 2 * L) {
            for (int p = 0; p < kk; p += 6) {
                if (!px.tile(p, 6)) continue;
                repeatLast(t, p, kk, 6);
                for (int im = 0; im < ni; im++) {
                    kgrad6x2(s, base + im * si, rs, ps, px.ya, px.yb, px.xa, px.xb, ow, t[p], t[p + 1], t[p + 2], t[p + 3], t[p + 4],
                            t[p + 5], dy, gq + im * gi + fb, f, acc, aq + p * fp + fb, fp);
                }
            }
        }
        for (; fb < f; fb += L) {
            VectorMask<Float> m = S.indexInRange(0, f - fb);
            for (int p = 0; p < kk; p += 8) {
                if (!px.tile(p, 8)) continue;
                repeatLast(t, p, kk, 8);
                for (int im = 0; im < ni; im++) {
                    kgrad8x1(s, base + im * si, rs, ps, px.ya, px.yb, px.xa, px.xb, ow, t[p], t[p + 1], t[p + 2], t[p + 3], t[p + 4],
                            t[p + 5], t[p + 6], t[p + 7], dy, gq + im * gi + fb, f, acc, aq + p * fp + fb, fp, m);
                }
            }
        }
    }

    /**
     * The pixels of a kernel-gradient block that a tile of patch rows sums over: those whose input under at least one
     * of the tile's taps lies inside the image, a rectangle of block rows [ya, yb) and columns [xa, xb).
     *
     * Tap (i, j) reads the input at row y·sh − pt + i·dh of output row y: inside the image for a range of rows that
     * moves up as i grows (likewise columns), so the tile's taps together read the image over the union of their
     * ranges (a tile covers consecutive patch rows, hence one or a few neighbouring taps). The other pixels read only
     * the slab's zeros, and dropping those x·0 terms leaves each sum with the same nonzero terms in the same pixel
     * order: the result is that of the full loop, with the same exceptions as the forward's skipped taps (see
     * {@link Taps}: a non-finite gradient no longer meets a padding zero, a −0 sum stays −0). For 3x3 "same" on a
     * 7x7 image that drops 18% of the products, on 28x28 4%; a valid convolution reads no padding and keeps every
     * pixel.
     */
    private static final class Pixels {
        private final Geom g;
        private final int y0, rows;
        private final boolean all = !skipPaddingTaps;
        /** The current tile's block rows [ya, yb) and columns [xa, xb). */
        int ya, yb, xa, xb;

        Pixels(Geom g, int y0, int rows) {
            this.g = g;
            this.y0 = y0;
            this.rows = rows;
        }

        /** Sets the pixel rectangle of the tile of patch rows p .. p+r−1 (capped at the last); false when it is empty. */
        boolean tile(int p, int r) {
            if (all) {
                ya = 0;
                yb = rows;
                xa = 0;
                xb = g.ow();
                return true;
            }
            int c = g.c(), kw = g.kw(), first = p / c, last = (Math.min(p + r, g.patch()) - 1) / c;
            ya = Integer.MAX_VALUE;
            yb = Integer.MIN_VALUE;
            xa = Integer.MAX_VALUE;
            xb = Integer.MIN_VALUE;
            for (int tap = first; tap <= last; tap++) {
                int i = tap / kw, j = tap - i * kw;
                int r0 = Math.max(0, firstOut(i, g.sh(), g.pt(), g.dh()) - y0);
                int r1 = Math.min(rows, endOut(i, g.sh(), g.pt(), g.dh(), g.h()) - y0);
                int c0 = firstOut(j, g.sw(), g.pl(), g.dw()), c1 = Math.min(g.ow(), endOut(j, g.sw(), g.pl(), g.dw(), g.w()));
                if (r0 >= r1 || c0 >= c1) continue;
                ya = Math.min(ya, r0);
                yb = Math.max(yb, r1);
                xa = Math.min(xa, c0);
                xb = Math.max(xb, c1);
            }
            return ya < yb;
        }
    }

    /** First output position whose source o·stride − pad + tap·dil is ≥ 0. */
    static int firstOut(int tap, int stride, int pad, int dil) {
        int t = pad - tap * dil;
        return t <= 0 ? 0 : (t + stride - 1) / stride;
    }

    /** One past the last output position whose source o·stride − pad + tap·dil is < n (0 when none). */
    static int endOut(int tap, int stride, int pad, int dil, int n) {
        int t = n - 1 + pad - tap * dil;
        return t < 0 ? 0 : t / stride + 1;
    }

    /** Fills taps[kk .. p+r) with the last real tap, so that a tail tile repeats a row (its sums are unused). */
    private static void repeatLast(int[] t, int p, int kk, int r) {
        for (int i = kk; i < p + r; i++) t[i] = t[kk - 1];
    }

    // ---- input gradient, stride 1 ----

    /** {@code dx = conv2dBackwardInput(dy, k)} (overwritten) for stride 1, as a forward convolution of dy. */
    static void backwardInput(Geom g, float[] dy, int dyOff, float[] k, int kOff, float[] dx, int dxOff) {
        int kh = g.kh(), kw = g.kw(), c = g.c(), f = g.f();
        Geom t = new Geom(g.n(), g.oh(), g.ow(), f, kh, kw, c, g.h(), g.w(), 1, 1, g.dh(), g.dw(),
                (kh - 1) * g.dh() - g.pt(), (kw - 1) * g.dw() - g.pl());
        if (usesDot(c, f)) {
            dot(t, dy, dyOff, k, kOff, dx, dxOff);
            return;
        }
        int cp = roundUp(c, L);
        float[] w = buffer(PACKED, kh * kw * f * cp);
        if (cp != c) Arrays.fill(w, 0, kh * kw * f * cp, 0f);
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int src = kOff + ((kh - 1 - i) * kw + (kw - 1 - j)) * c * f, dst = (i * kw + j) * f * cp;
                for (int ci = 0; ci < c; ci++) {
                    for (int o = 0; o < f; o++) w[dst + o * cp + ci] = k[src + ci * f + o];
                }
            }
        }
        conv(t, dy, dyOff, w, 0, cp, null, 0, false, dx, dxOff, new Out(t.oh() * t.ow() * c, t.ow() * c, c));
    }

    /** True when the input gradient of c input channels from f filters uses the dot kernels. */
    private static boolean usesDot(int c, int f) {
        return SIXTEEN && c <= 4 && f % L == 0;
    }

    /**
     * The transposed-kernel convolution {@code t} (source dy with t.c() = f channels, output dx with t.f() = c
     * channels) with lanes over the source channels: tiles of P pixels x c channels (P·c ≤ 16), each output
     * a sum over taps and filter vectors, the tile's sums reduced together into one vector.
     */
    private static void dot(Geom t, float[] dy, int dyOff, float[] k, int kOff, float[] dx, int dxOff) {
        int rows = rowsPerBlock(t.n(), t.oh()), perImage = (t.oh() + rows - 1) / rows;
        int c = t.f(), f = t.c(), kh = t.kh(), kw = t.kw(), tile = 16 / c, cs = kh * kw * f;
        // w[co][i][j][o] = k[kh−1−i][kw−1−j][co][o]: each channel's flipped kernel, rows of kw·f floats.
        float[] w = buffer(PACKED, c * cs);
        for (int co = 0; co < c; co++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int src = kOff + (((kh - 1 - i) * kw + kw - 1 - j) * c + co) * f;
                    System.arraycopy(k, src, w, co * cs + (i * kw + j) * f, f);
                }
            }
        }
        int nj = t.dw() == 1 ? 1 : kw, len = t.dw() == 1 ? kw * f : f;
        Parallel.forRange(t.n() * perImage, task -> {
            int b = task / perImage, y0 = task % perImage * rows, y1 = Math.min(t.oh(), y0 + rows);
            Slab sl = slab(t, dy, dyOff, b, y0, y1);
            float[] s = sl.data;
            int pixels = (y1 - y0) * t.ow(), yq = dxOff + (b * t.oh() + y0) * t.ow() * c;
            int rowStep = t.dh() * sl.rs, jStep = t.dw() * f;
            int[] a = OFFSETS.get();
            for (int p = 0; p < pixels; p += tile) {
                int valid = Math.min(tile, pixels - p), q = yq + p * c;
                offsets(t, sl, p, valid, tile, a);
                switch (c) {
                    case 1 -> dot16x1(s, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                            a[12], a[13], a[14], a[15], kh, rowStep, nj, jStep, len, w, cs, dx, q, valid);
                    case 2 -> dot8x2(s, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], kh, rowStep, nj, jStep, len,
                            w, cs, dx, q, valid);
                    case 3 -> dot5x3(s, a[0], a[1], a[2], a[3], a[4], kh, rowStep, nj, jStep, len, w, cs, dx, q, valid);
                    default -> dot4x4(s, a[0], a[1], a[2], a[3], kh, rowStep, nj, jStep, len, w, cs, dx, q, valid);
                }
            }
        });
    }

    // ---- micro-kernels: one pattern unrolled for each tile shape ----
    // Tiles larger than 6x2 measured slower: 8x2 and 12x2 took 1.5x and 2.1x as long on 32x32x3 -> 32.
    // Each accumulator starts from its own FloatVector.zero(S): with one shared zero value C2's code for
    // fwd4x4 ran 1.8x slower.

    /** 4 pixels x 4 vectors of filters; pixel r reads the source at a_r, writes y[yq + r*f]. */
    private static void fwd4x4(float[] s, int a0, int a1, int a2, int a3, int ni, int rowStep, int nj, int jStep,
            int len, float[] w, int wq0, int wRow, int fp, float[] y, int[] o, int yq, int valid) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c33 = FloatVector.zero(S);
        for (int i = 0; i < ni; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep;
                int wq = wq0 + i * wRow + jg * len * fp;
                for (int q = d, end = d + len; q < end; q++, wq += fp) {
                    FloatVector b0 = FloatVector.fromArray(S, w, wq);
                    FloatVector b1 = FloatVector.fromArray(S, w, wq + 1 * L);
                    FloatVector b2 = FloatVector.fromArray(S, w, wq + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(S, w, wq + 3 * L);
                    FloatVector x0 = FloatVector.broadcast(S, s[a0 + q]);
                    c00 = x0.fma(b0, c00);
                    c01 = x0.fma(b1, c01);
                    c02 = x0.fma(b2, c02);
                    c03 = x0.fma(b3, c03);
                    FloatVector x1 = FloatVector.broadcast(S, s[a1 + q]);
                    c10 = x1.fma(b0, c10);
                    c11 = x1.fma(b1, c11);
                    c12 = x1.fma(b2, c12);
                    c13 = x1.fma(b3, c13);
                    FloatVector x2 = FloatVector.broadcast(S, s[a2 + q]);
                    c20 = x2.fma(b0, c20);
                    c21 = x2.fma(b1, c21);
                    c22 = x2.fma(b2, c22);
                    c23 = x2.fma(b3, c23);
                    FloatVector x3 = FloatVector.broadcast(S, s[a3 + q]);
                    c30 = x3.fma(b0, c30);
                    c31 = x3.fma(b1, c31);
                    c32 = x3.fma(b2, c32);
                    c33 = x3.fma(b3, c33);
                }
            }
        }
        c00.intoArray(y, o[0] + yq);
        c01.intoArray(y, o[0] + yq + 1 * L);
        c02.intoArray(y, o[0] + yq + 2 * L);
        c03.intoArray(y, o[0] + yq + 3 * L);
        if (valid <= 1) return;
        c10.intoArray(y, o[1] + yq);
        c11.intoArray(y, o[1] + yq + 1 * L);
        c12.intoArray(y, o[1] + yq + 2 * L);
        c13.intoArray(y, o[1] + yq + 3 * L);
        if (valid <= 2) return;
        c20.intoArray(y, o[2] + yq);
        c21.intoArray(y, o[2] + yq + 1 * L);
        c22.intoArray(y, o[2] + yq + 2 * L);
        c23.intoArray(y, o[2] + yq + 3 * L);
        if (valid <= 3) return;
        c30.intoArray(y, o[3] + yq);
        c31.intoArray(y, o[3] + yq + 1 * L);
        c32.intoArray(y, o[3] + yq + 2 * L);
        c33.intoArray(y, o[3] + yq + 3 * L);
    }

    /** 6 pixels x 2 vectors of filters; pixel r reads the source at a_r, writes y[yq + r*f]. */
    private static void fwd6x2(float[] s, int a0, int a1, int a2, int a3, int a4, int a5, int ni, int rowStep, int nj,
            int jStep, int len, float[] w, int wq0, int wRow, int fp, float[] y, int[] o, int yq, int valid) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        for (int i = 0; i < ni; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep;
                int wq = wq0 + i * wRow + jg * len * fp;
                for (int q = d, end = d + len; q < end; q++, wq += fp) {
                    FloatVector b0 = FloatVector.fromArray(S, w, wq);
                    FloatVector b1 = FloatVector.fromArray(S, w, wq + 1 * L);
                    FloatVector x0 = FloatVector.broadcast(S, s[a0 + q]);
                    c00 = x0.fma(b0, c00);
                    c01 = x0.fma(b1, c01);
                    FloatVector x1 = FloatVector.broadcast(S, s[a1 + q]);
                    c10 = x1.fma(b0, c10);
                    c11 = x1.fma(b1, c11);
                    FloatVector x2 = FloatVector.broadcast(S, s[a2 + q]);
                    c20 = x2.fma(b0, c20);
                    c21 = x2.fma(b1, c21);
                    FloatVector x3 = FloatVector.broadcast(S, s[a3 + q]);
                    c30 = x3.fma(b0, c30);
                    c31 = x3.fma(b1, c31);
                    FloatVector x4 = FloatVector.broadcast(S, s[a4 + q]);
                    c40 = x4.fma(b0, c40);
                    c41 = x4.fma(b1, c41);
                    FloatVector x5 = FloatVector.broadcast(S, s[a5 + q]);
                    c50 = x5.fma(b0, c50);
                    c51 = x5.fma(b1, c51);
                }
            }
        }
        c00.intoArray(y, o[0] + yq);
        c01.intoArray(y, o[0] + yq + 1 * L);
        if (valid <= 1) return;
        c10.intoArray(y, o[1] + yq);
        c11.intoArray(y, o[1] + yq + 1 * L);
        if (valid <= 2) return;
        c20.intoArray(y, o[2] + yq);
        c21.intoArray(y, o[2] + yq + 1 * L);
        if (valid <= 3) return;
        c30.intoArray(y, o[3] + yq);
        c31.intoArray(y, o[3] + yq + 1 * L);
        if (valid <= 4) return;
        c40.intoArray(y, o[4] + yq);
        c41.intoArray(y, o[4] + yq + 1 * L);
        if (valid <= 5) return;
        c50.intoArray(y, o[5] + yq);
        c51.intoArray(y, o[5] + yq + 1 * L);
    }

    /** 8 pixels x 2 vectors of filters (16 accumulators: 32 vector registers only); pixel r reads the source at a_r, writes y[yq + r*f]. */
    private static void fwd8x2(float[] s, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int ni, int rowStep, int nj,
            int jStep, int len, float[] w, int wq0, int wRow, int fp, float[] y, int[] o, int yq, int valid) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        for (int i = 0; i < ni; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep;
                int wq = wq0 + i * wRow + jg * len * fp;
                for (int q = d, end = d + len; q < end; q++, wq += fp) {
                    FloatVector b0 = FloatVector.fromArray(S, w, wq);
                    FloatVector b1 = FloatVector.fromArray(S, w, wq + 1 * L);
                    FloatVector x0 = FloatVector.broadcast(S, s[a0 + q]);
                    c00 = x0.fma(b0, c00);
                    c01 = x0.fma(b1, c01);
                    FloatVector x1 = FloatVector.broadcast(S, s[a1 + q]);
                    c10 = x1.fma(b0, c10);
                    c11 = x1.fma(b1, c11);
                    FloatVector x2 = FloatVector.broadcast(S, s[a2 + q]);
                    c20 = x2.fma(b0, c20);
                    c21 = x2.fma(b1, c21);
                    FloatVector x3 = FloatVector.broadcast(S, s[a3 + q]);
                    c30 = x3.fma(b0, c30);
                    c31 = x3.fma(b1, c31);
                    FloatVector x4 = FloatVector.broadcast(S, s[a4 + q]);
                    c40 = x4.fma(b0, c40);
                    c41 = x4.fma(b1, c41);
                    FloatVector x5 = FloatVector.broadcast(S, s[a5 + q]);
                    c50 = x5.fma(b0, c50);
                    c51 = x5.fma(b1, c51);
                    FloatVector x6 = FloatVector.broadcast(S, s[a6 + q]);
                    c60 = x6.fma(b0, c60);
                    c61 = x6.fma(b1, c61);
                    FloatVector x7 = FloatVector.broadcast(S, s[a7 + q]);
                    c70 = x7.fma(b0, c70);
                    c71 = x7.fma(b1, c71);
                }
            }
        }
        c00.intoArray(y, o[0] + yq);
        c01.intoArray(y, o[0] + yq + 1 * L);
        if (valid <= 1) return;
        c10.intoArray(y, o[1] + yq);
        c11.intoArray(y, o[1] + yq + 1 * L);
        if (valid <= 2) return;
        c20.intoArray(y, o[2] + yq);
        c21.intoArray(y, o[2] + yq + 1 * L);
        if (valid <= 3) return;
        c30.intoArray(y, o[3] + yq);
        c31.intoArray(y, o[3] + yq + 1 * L);
        if (valid <= 4) return;
        c40.intoArray(y, o[4] + yq);
        c41.intoArray(y, o[4] + yq + 1 * L);
        if (valid <= 5) return;
        c50.intoArray(y, o[5] + yq);
        c51.intoArray(y, o[5] + yq + 1 * L);
        if (valid <= 6) return;
        c60.intoArray(y, o[6] + yq);
        c61.intoArray(y, o[6] + yq + 1 * L);
        if (valid <= 7) return;
        c70.intoArray(y, o[7] + yq);
        c71.intoArray(y, o[7] + yq + 1 * L);
    }

    /**
     * Kernel-gradient rows at tap offsets t_r x 2 filter vectors, summed over a block's pixels into acc (24
     * accumulators: 32 vector registers only).
     */
    private static void kgrad12x2(float[] s, int base, int rs, int ps, int ya, int yb, int xa, int xb, int ow, int t0, int t1, int t2,
            int t3, int t4, int t5, int t6, int t7, int t8, int t9, int t10, int t11, float[] g, int gq, int f, float[] acc, int aq, int fp) {
        FloatVector c0_0 = FloatVector.fromArray(S, acc, aq + 0 * fp);
        FloatVector c0_1 = FloatVector.fromArray(S, acc, aq + 0 * fp + 1 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, acc, aq + 1 * fp);
        FloatVector c1_1 = FloatVector.fromArray(S, acc, aq + 1 * fp + 1 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, acc, aq + 2 * fp);
        FloatVector c2_1 = FloatVector.fromArray(S, acc, aq + 2 * fp + 1 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, acc, aq + 3 * fp);
        FloatVector c3_1 = FloatVector.fromArray(S, acc, aq + 3 * fp + 1 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, acc, aq + 4 * fp);
        FloatVector c4_1 = FloatVector.fromArray(S, acc, aq + 4 * fp + 1 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, acc, aq + 5 * fp);
        FloatVector c5_1 = FloatVector.fromArray(S, acc, aq + 5 * fp + 1 * L);
        FloatVector c6_0 = FloatVector.fromArray(S, acc, aq + 6 * fp);
        FloatVector c6_1 = FloatVector.fromArray(S, acc, aq + 6 * fp + 1 * L);
        FloatVector c7_0 = FloatVector.fromArray(S, acc, aq + 7 * fp);
        FloatVector c7_1 = FloatVector.fromArray(S, acc, aq + 7 * fp + 1 * L);
        FloatVector c8_0 = FloatVector.fromArray(S, acc, aq + 8 * fp);
        FloatVector c8_1 = FloatVector.fromArray(S, acc, aq + 8 * fp + 1 * L);
        FloatVector c9_0 = FloatVector.fromArray(S, acc, aq + 9 * fp);
        FloatVector c9_1 = FloatVector.fromArray(S, acc, aq + 9 * fp + 1 * L);
        FloatVector c10_0 = FloatVector.fromArray(S, acc, aq + 10 * fp);
        FloatVector c10_1 = FloatVector.fromArray(S, acc, aq + 10 * fp + 1 * L);
        FloatVector c11_0 = FloatVector.fromArray(S, acc, aq + 11 * fp);
        FloatVector c11_1 = FloatVector.fromArray(S, acc, aq + 11 * fp + 1 * L);
        for (int yy = ya; yy < yb; yy++) {
            int sp = base + yy * rs + xa * ps, gp = gq + (yy * ow + xa) * f;
            for (int xx = xa; xx < xb; xx++, sp += ps, gp += f) {
                FloatVector g0 = FloatVector.fromArray(S, g, gp);
                FloatVector g1 = FloatVector.fromArray(S, g, gp + 1 * L);
                FloatVector x0 = FloatVector.broadcast(S, s[sp + t0]);
                c0_0 = x0.fma(g0, c0_0);
                c0_1 = x0.fma(g1, c0_1);
                FloatVector x1 = FloatVector.broadcast(S, s[sp + t1]);
                c1_0 = x1.fma(g0, c1_0);
                c1_1 = x1.fma(g1, c1_1);
                FloatVector x2 = FloatVector.broadcast(S, s[sp + t2]);
                c2_0 = x2.fma(g0, c2_0);
                c2_1 = x2.fma(g1, c2_1);
                FloatVector x3 = FloatVector.broadcast(S, s[sp + t3]);
                c3_0 = x3.fma(g0, c3_0);
                c3_1 = x3.fma(g1, c3_1);
                FloatVector x4 = FloatVector.broadcast(S, s[sp + t4]);
                c4_0 = x4.fma(g0, c4_0);
                c4_1 = x4.fma(g1, c4_1);
                FloatVector x5 = FloatVector.broadcast(S, s[sp + t5]);
                c5_0 = x5.fma(g0, c5_0);
                c5_1 = x5.fma(g1, c5_1);
                FloatVector x6 = FloatVector.broadcast(S, s[sp + t6]);
                c6_0 = x6.fma(g0, c6_0);
                c6_1 = x6.fma(g1, c6_1);
                FloatVector x7 = FloatVector.broadcast(S, s[sp + t7]);
                c7_0 = x7.fma(g0, c7_0);
                c7_1 = x7.fma(g1, c7_1);
                FloatVector x8 = FloatVector.broadcast(S, s[sp + t8]);
                c8_0 = x8.fma(g0, c8_0);
                c8_1 = x8.fma(g1, c8_1);
                FloatVector x9 = FloatVector.broadcast(S, s[sp + t9]);
                c9_0 = x9.fma(g0, c9_0);
                c9_1 = x9.fma(g1, c9_1);
                FloatVector x10 = FloatVector.broadcast(S, s[sp + t10]);
                c10_0 = x10.fma(g0, c10_0);
                c10_1 = x10.fma(g1, c10_1);
                FloatVector x11 = FloatVector.broadcast(S, s[sp + t11]);
                c11_0 = x11.fma(g0, c11_0);
                c11_1 = x11.fma(g1, c11_1);
            }
        }
        c0_0.intoArray(acc, aq + 0 * fp);
        c0_1.intoArray(acc, aq + 0 * fp + 1 * L);
        c1_0.intoArray(acc, aq + 1 * fp);
        c1_1.intoArray(acc, aq + 1 * fp + 1 * L);
        c2_0.intoArray(acc, aq + 2 * fp);
        c2_1.intoArray(acc, aq + 2 * fp + 1 * L);
        c3_0.intoArray(acc, aq + 3 * fp);
        c3_1.intoArray(acc, aq + 3 * fp + 1 * L);
        c4_0.intoArray(acc, aq + 4 * fp);
        c4_1.intoArray(acc, aq + 4 * fp + 1 * L);
        c5_0.intoArray(acc, aq + 5 * fp);
        c5_1.intoArray(acc, aq + 5 * fp + 1 * L);
        c6_0.intoArray(acc, aq + 6 * fp);
        c6_1.intoArray(acc, aq + 6 * fp + 1 * L);
        c7_0.intoArray(acc, aq + 7 * fp);
        c7_1.intoArray(acc, aq + 7 * fp + 1 * L);
        c8_0.intoArray(acc, aq + 8 * fp);
        c8_1.intoArray(acc, aq + 8 * fp + 1 * L);
        c9_0.intoArray(acc, aq + 9 * fp);
        c9_1.intoArray(acc, aq + 9 * fp + 1 * L);
        c10_0.intoArray(acc, aq + 10 * fp);
        c10_1.intoArray(acc, aq + 10 * fp + 1 * L);
        c11_0.intoArray(acc, aq + 11 * fp);
        c11_1.intoArray(acc, aq + 11 * fp + 1 * L);
    }

    /** 8 pixels x 1 vector of filters; pixel r reads the source at a_r, writes y[yq + r*f]. */
    private static void fwd8x1(float[] s, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int ni,
            int rowStep, int nj, int jStep, int len, float[] w, int wq0, int wRow, int fp, float[] y, int[] o, int yq, int valid,
            VectorMask<Float> m) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        for (int i = 0; i < ni; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep;
                int wq = wq0 + i * wRow + jg * len * fp;
                for (int q = d, end = d + len; q < end; q++, wq += fp) {
                    FloatVector b0 = FloatVector.fromArray(S, w, wq);
                    FloatVector x0 = FloatVector.broadcast(S, s[a0 + q]);
                    c00 = x0.fma(b0, c00);
                    FloatVector x1 = FloatVector.broadcast(S, s[a1 + q]);
                    c10 = x1.fma(b0, c10);
                    FloatVector x2 = FloatVector.broadcast(S, s[a2 + q]);
                    c20 = x2.fma(b0, c20);
                    FloatVector x3 = FloatVector.broadcast(S, s[a3 + q]);
                    c30 = x3.fma(b0, c30);
                    FloatVector x4 = FloatVector.broadcast(S, s[a4 + q]);
                    c40 = x4.fma(b0, c40);
                    FloatVector x5 = FloatVector.broadcast(S, s[a5 + q]);
                    c50 = x5.fma(b0, c50);
                    FloatVector x6 = FloatVector.broadcast(S, s[a6 + q]);
                    c60 = x6.fma(b0, c60);
                    FloatVector x7 = FloatVector.broadcast(S, s[a7 + q]);
                    c70 = x7.fma(b0, c70);
                }
            }
        }
        store(c00, y, o[0] + yq, m);
        if (valid <= 1) return;
        store(c10, y, o[1] + yq, m);
        if (valid <= 2) return;
        store(c20, y, o[2] + yq, m);
        if (valid <= 3) return;
        store(c30, y, o[3] + yq, m);
        if (valid <= 4) return;
        store(c40, y, o[4] + yq, m);
        if (valid <= 5) return;
        store(c50, y, o[5] + yq, m);
        if (valid <= 6) return;
        store(c60, y, o[6] + yq, m);
        if (valid <= 7) return;
        store(c70, y, o[7] + yq, m);
    }

    /** Kernel-gradient rows at tap offsets t_r x 4 filter vectors, summed over the pixels of ni whole-image blocks (si source and gi gradient floats apart) into acc. */
    private static void kgrad4x4(float[] s, int base, int rs, int ps, int ya, int yb, int xa, int xb, int ow, int ni, int si, int gi,
            int t0, int t1, int t2,
            int t3, float[] g, int gq, int f, float[] acc, int aq, int fp) {
        FloatVector c00 = FloatVector.fromArray(S, acc, aq + 0 * fp);
        FloatVector c01 = FloatVector.fromArray(S, acc, aq + 0 * fp + 1 * L);
        FloatVector c02 = FloatVector.fromArray(S, acc, aq + 0 * fp + 2 * L);
        FloatVector c03 = FloatVector.fromArray(S, acc, aq + 0 * fp + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, aq + 1 * fp);
        FloatVector c11 = FloatVector.fromArray(S, acc, aq + 1 * fp + 1 * L);
        FloatVector c12 = FloatVector.fromArray(S, acc, aq + 1 * fp + 2 * L);
        FloatVector c13 = FloatVector.fromArray(S, acc, aq + 1 * fp + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, aq + 2 * fp);
        FloatVector c21 = FloatVector.fromArray(S, acc, aq + 2 * fp + 1 * L);
        FloatVector c22 = FloatVector.fromArray(S, acc, aq + 2 * fp + 2 * L);
        FloatVector c23 = FloatVector.fromArray(S, acc, aq + 2 * fp + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, aq + 3 * fp);
        FloatVector c31 = FloatVector.fromArray(S, acc, aq + 3 * fp + 1 * L);
        FloatVector c32 = FloatVector.fromArray(S, acc, aq + 3 * fp + 2 * L);
        FloatVector c33 = FloatVector.fromArray(S, acc, aq + 3 * fp + 3 * L);
        for (int im = 0; im < ni; im++, base += si, gq += gi) for (int yy = ya; yy < yb; yy++) {
            int sp = base + yy * rs + xa * ps, gp = gq + (yy * ow + xa) * f;
            for (int xx = xa; xx < xb; xx++, sp += ps, gp += f) {
                FloatVector g0 = FloatVector.fromArray(S, g, gp);
                FloatVector g1 = FloatVector.fromArray(S, g, gp + 1 * L);
                FloatVector g2 = FloatVector.fromArray(S, g, gp + 2 * L);
                FloatVector g3 = FloatVector.fromArray(S, g, gp + 3 * L);
                FloatVector x0 = FloatVector.broadcast(S, s[sp + t0]);
                c00 = x0.fma(g0, c00);
                c01 = x0.fma(g1, c01);
                c02 = x0.fma(g2, c02);
                c03 = x0.fma(g3, c03);
                FloatVector x1 = FloatVector.broadcast(S, s[sp + t1]);
                c10 = x1.fma(g0, c10);
                c11 = x1.fma(g1, c11);
                c12 = x1.fma(g2, c12);
                c13 = x1.fma(g3, c13);
                FloatVector x2 = FloatVector.broadcast(S, s[sp + t2]);
                c20 = x2.fma(g0, c20);
                c21 = x2.fma(g1, c21);
                c22 = x2.fma(g2, c22);
                c23 = x2.fma(g3, c23);
                FloatVector x3 = FloatVector.broadcast(S, s[sp + t3]);
                c30 = x3.fma(g0, c30);
                c31 = x3.fma(g1, c31);
                c32 = x3.fma(g2, c32);
                c33 = x3.fma(g3, c33);
            }
        }
        c00.intoArray(acc, aq + 0 * fp);
        c01.intoArray(acc, aq + 0 * fp + 1 * L);
        c02.intoArray(acc, aq + 0 * fp + 2 * L);
        c03.intoArray(acc, aq + 0 * fp + 3 * L);
        c10.intoArray(acc, aq + 1 * fp);
        c11.intoArray(acc, aq + 1 * fp + 1 * L);
        c12.intoArray(acc, aq + 1 * fp + 2 * L);
        c13.intoArray(acc, aq + 1 * fp + 3 * L);
        c20.intoArray(acc, aq + 2 * fp);
        c21.intoArray(acc, aq + 2 * fp + 1 * L);
        c22.intoArray(acc, aq + 2 * fp + 2 * L);
        c23.intoArray(acc, aq + 2 * fp + 3 * L);
        c30.intoArray(acc, aq + 3 * fp);
        c31.intoArray(acc, aq + 3 * fp + 1 * L);
        c32.intoArray(acc, aq + 3 * fp + 2 * L);
        c33.intoArray(acc, aq + 3 * fp + 3 * L);
    }

    /** Kernel-gradient rows at tap offsets t_r x 2 filter vectors, summed over a block's pixels into acc. */
    private static void kgrad6x2(float[] s, int base, int rs, int ps, int ya, int yb, int xa, int xb, int ow, int t0, int t1, int t2,
            int t3, int t4, int t5, float[] g, int gq, int f, float[] acc, int aq, int fp) {
        FloatVector c00 = FloatVector.fromArray(S, acc, aq + 0 * fp);
        FloatVector c01 = FloatVector.fromArray(S, acc, aq + 0 * fp + 1 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, aq + 1 * fp);
        FloatVector c11 = FloatVector.fromArray(S, acc, aq + 1 * fp + 1 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, aq + 2 * fp);
        FloatVector c21 = FloatVector.fromArray(S, acc, aq + 2 * fp + 1 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, aq + 3 * fp);
        FloatVector c31 = FloatVector.fromArray(S, acc, aq + 3 * fp + 1 * L);
        FloatVector c40 = FloatVector.fromArray(S, acc, aq + 4 * fp);
        FloatVector c41 = FloatVector.fromArray(S, acc, aq + 4 * fp + 1 * L);
        FloatVector c50 = FloatVector.fromArray(S, acc, aq + 5 * fp);
        FloatVector c51 = FloatVector.fromArray(S, acc, aq + 5 * fp + 1 * L);
        for (int yy = ya; yy < yb; yy++) {
            int sp = base + yy * rs + xa * ps, gp = gq + (yy * ow + xa) * f;
            for (int xx = xa; xx < xb; xx++, sp += ps, gp += f) {
                FloatVector g0 = FloatVector.fromArray(S, g, gp);
                FloatVector g1 = FloatVector.fromArray(S, g, gp + 1 * L);
                FloatVector x0 = FloatVector.broadcast(S, s[sp + t0]);
                c00 = x0.fma(g0, c00);
                c01 = x0.fma(g1, c01);
                FloatVector x1 = FloatVector.broadcast(S, s[sp + t1]);
                c10 = x1.fma(g0, c10);
                c11 = x1.fma(g1, c11);
                FloatVector x2 = FloatVector.broadcast(S, s[sp + t2]);
                c20 = x2.fma(g0, c20);
                c21 = x2.fma(g1, c21);
                FloatVector x3 = FloatVector.broadcast(S, s[sp + t3]);
                c30 = x3.fma(g0, c30);
                c31 = x3.fma(g1, c31);
                FloatVector x4 = FloatVector.broadcast(S, s[sp + t4]);
                c40 = x4.fma(g0, c40);
                c41 = x4.fma(g1, c41);
                FloatVector x5 = FloatVector.broadcast(S, s[sp + t5]);
                c50 = x5.fma(g0, c50);
                c51 = x5.fma(g1, c51);
            }
        }
        c00.intoArray(acc, aq + 0 * fp);
        c01.intoArray(acc, aq + 0 * fp + 1 * L);
        c10.intoArray(acc, aq + 1 * fp);
        c11.intoArray(acc, aq + 1 * fp + 1 * L);
        c20.intoArray(acc, aq + 2 * fp);
        c21.intoArray(acc, aq + 2 * fp + 1 * L);
        c30.intoArray(acc, aq + 3 * fp);
        c31.intoArray(acc, aq + 3 * fp + 1 * L);
        c40.intoArray(acc, aq + 4 * fp);
        c41.intoArray(acc, aq + 4 * fp + 1 * L);
        c50.intoArray(acc, aq + 5 * fp);
        c51.intoArray(acc, aq + 5 * fp + 1 * L);
    }

    /** Kernel-gradient rows at tap offsets t_r x 1 filter vector, summed over a block's pixels into acc. */
    private static void kgrad8x1(float[] s, int base, int rs, int ps, int ya, int yb, int xa, int xb, int ow, int t0, int t1, int t2,
            int t3, int t4, int t5, int t6, int t7, float[] g, int gq, int f, float[] acc, int aq, int fp,
            VectorMask<Float> m) {
        FloatVector c00 = FloatVector.fromArray(S, acc, aq + 0 * fp);
        FloatVector c10 = FloatVector.fromArray(S, acc, aq + 1 * fp);
        FloatVector c20 = FloatVector.fromArray(S, acc, aq + 2 * fp);
        FloatVector c30 = FloatVector.fromArray(S, acc, aq + 3 * fp);
        FloatVector c40 = FloatVector.fromArray(S, acc, aq + 4 * fp);
        FloatVector c50 = FloatVector.fromArray(S, acc, aq + 5 * fp);
        FloatVector c60 = FloatVector.fromArray(S, acc, aq + 6 * fp);
        FloatVector c70 = FloatVector.fromArray(S, acc, aq + 7 * fp);
        for (int yy = ya; yy < yb; yy++) {
            int sp = base + yy * rs + xa * ps, gp = gq + (yy * ow + xa) * f;
            for (int xx = xa; xx < xb; xx++, sp += ps, gp += f) {
                FloatVector g0 = FloatVector.fromArray(S, g, gp, m);
                FloatVector x0 = FloatVector.broadcast(S, s[sp + t0]);
                c00 = x0.fma(g0, c00);
                FloatVector x1 = FloatVector.broadcast(S, s[sp + t1]);
                c10 = x1.fma(g0, c10);
                FloatVector x2 = FloatVector.broadcast(S, s[sp + t2]);
                c20 = x2.fma(g0, c20);
                FloatVector x3 = FloatVector.broadcast(S, s[sp + t3]);
                c30 = x3.fma(g0, c30);
                FloatVector x4 = FloatVector.broadcast(S, s[sp + t4]);
                c40 = x4.fma(g0, c40);
                FloatVector x5 = FloatVector.broadcast(S, s[sp + t5]);
                c50 = x5.fma(g0, c50);
                FloatVector x6 = FloatVector.broadcast(S, s[sp + t6]);
                c60 = x6.fma(g0, c60);
                FloatVector x7 = FloatVector.broadcast(S, s[sp + t7]);
                c70 = x7.fma(g0, c70);
            }
        }
        c00.intoArray(acc, aq + 0 * fp);
        c10.intoArray(acc, aq + 1 * fp);
        c20.intoArray(acc, aq + 2 * fp);
        c30.intoArray(acc, aq + 3 * fp);
        c40.intoArray(acc, aq + 4 * fp);
        c50.intoArray(acc, aq + 5 * fp);
        c60.intoArray(acc, aq + 6 * fp);
        c70.intoArray(acc, aq + 7 * fp);
    }

    /** 16 pixels x 1 channel: sums over patch elements, stored as 16 consecutive outputs from y[yq]. */
    private static void dot16x1(float[] s, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8,
            int a9, int a10, int a11, int a12, int a13, int a14, int a15, int kh, int rowStep, int nj, int jStep,
            int len, float[] w, int cs, float[] y, int yq, int valid) {
        FloatVector u0_0 = FloatVector.zero(S);
        FloatVector u1_0 = FloatVector.zero(S);
        FloatVector u2_0 = FloatVector.zero(S);
        FloatVector u3_0 = FloatVector.zero(S);
        FloatVector u4_0 = FloatVector.zero(S);
        FloatVector u5_0 = FloatVector.zero(S);
        FloatVector u6_0 = FloatVector.zero(S);
        FloatVector u7_0 = FloatVector.zero(S);
        FloatVector u8_0 = FloatVector.zero(S);
        FloatVector u9_0 = FloatVector.zero(S);
        FloatVector u10_0 = FloatVector.zero(S);
        FloatVector u11_0 = FloatVector.zero(S);
        FloatVector u12_0 = FloatVector.zero(S);
        FloatVector u13_0 = FloatVector.zero(S);
        FloatVector u14_0 = FloatVector.zero(S);
        FloatVector u15_0 = FloatVector.zero(S);
        for (int i = 0; i < kh; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep, wq = (i * nj + jg) * len - d;
                for (int q = d, end = d + len; q < end; q += L) {
                    FloatVector w0 = FloatVector.fromArray(S, w, wq + q);
                    FloatVector x0 = FloatVector.fromArray(S, s, a0 + q);
                    u0_0 = x0.fma(w0, u0_0);
                    FloatVector x1 = FloatVector.fromArray(S, s, a1 + q);
                    u1_0 = x1.fma(w0, u1_0);
                    FloatVector x2 = FloatVector.fromArray(S, s, a2 + q);
                    u2_0 = x2.fma(w0, u2_0);
                    FloatVector x3 = FloatVector.fromArray(S, s, a3 + q);
                    u3_0 = x3.fma(w0, u3_0);
                    FloatVector x4 = FloatVector.fromArray(S, s, a4 + q);
                    u4_0 = x4.fma(w0, u4_0);
                    FloatVector x5 = FloatVector.fromArray(S, s, a5 + q);
                    u5_0 = x5.fma(w0, u5_0);
                    FloatVector x6 = FloatVector.fromArray(S, s, a6 + q);
                    u6_0 = x6.fma(w0, u6_0);
                    FloatVector x7 = FloatVector.fromArray(S, s, a7 + q);
                    u7_0 = x7.fma(w0, u7_0);
                    FloatVector x8 = FloatVector.fromArray(S, s, a8 + q);
                    u8_0 = x8.fma(w0, u8_0);
                    FloatVector x9 = FloatVector.fromArray(S, s, a9 + q);
                    u9_0 = x9.fma(w0, u9_0);
                    FloatVector x10 = FloatVector.fromArray(S, s, a10 + q);
                    u10_0 = x10.fma(w0, u10_0);
                    FloatVector x11 = FloatVector.fromArray(S, s, a11 + q);
                    u11_0 = x11.fma(w0, u11_0);
                    FloatVector x12 = FloatVector.fromArray(S, s, a12 + q);
                    u12_0 = x12.fma(w0, u12_0);
                    FloatVector x13 = FloatVector.fromArray(S, s, a13 + q);
                    u13_0 = x13.fma(w0, u13_0);
                    FloatVector x14 = FloatVector.fromArray(S, s, a14 + q);
                    u14_0 = x14.fma(w0, u14_0);
                    FloatVector x15 = FloatVector.fromArray(S, s, a15 + q);
                    u15_0 = x15.fma(w0, u15_0);
                }
            }
        }
        FloatVector s8_0 = u0_0.blend(u8_0, M8).add(u8_0.blend(u0_0, M8).rearrange(X8));
        FloatVector s8_1 = u4_0.blend(u12_0, M8).add(u12_0.blend(u4_0, M8).rearrange(X8));
        FloatVector s8_2 = u2_0.blend(u10_0, M8).add(u10_0.blend(u2_0, M8).rearrange(X8));
        FloatVector s8_3 = u6_0.blend(u14_0, M8).add(u14_0.blend(u6_0, M8).rearrange(X8));
        FloatVector s8_4 = u1_0.blend(u9_0, M8).add(u9_0.blend(u1_0, M8).rearrange(X8));
        FloatVector s8_5 = u5_0.blend(u13_0, M8).add(u13_0.blend(u5_0, M8).rearrange(X8));
        FloatVector s8_6 = u3_0.blend(u11_0, M8).add(u11_0.blend(u3_0, M8).rearrange(X8));
        FloatVector s8_7 = u7_0.blend(u15_0, M8).add(u15_0.blend(u7_0, M8).rearrange(X8));
        FloatVector s4_0 = s8_0.blend(s8_1, M4).add(s8_1.blend(s8_0, M4).rearrange(X4));
        FloatVector s4_1 = s8_2.blend(s8_3, M4).add(s8_3.blend(s8_2, M4).rearrange(X4));
        FloatVector s4_2 = s8_4.blend(s8_5, M4).add(s8_5.blend(s8_4, M4).rearrange(X4));
        FloatVector s4_3 = s8_6.blend(s8_7, M4).add(s8_7.blend(s8_6, M4).rearrange(X4));
        FloatVector s2_0 = s4_0.blend(s4_1, M2).add(s4_1.blend(s4_0, M2).rearrange(X2));
        FloatVector s2_1 = s4_2.blend(s4_3, M2).add(s4_3.blend(s4_2, M2).rearrange(X2));
        FloatVector s1_0 = s2_0.blend(s2_1, M1).add(s2_1.blend(s2_0, M1).rearrange(X1));
        if (valid == 16) s1_0.intoArray(y, yq);
        else s1_0.intoArray(y, yq, S.indexInRange(0, valid * 1));
    }

    /** 8 pixels x 2 channels: sums over patch elements, stored as 16 consecutive outputs from y[yq]. */
    private static void dot8x2(float[] s, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int kh,
            int rowStep, int nj, int jStep, int len, float[] w, int cs, float[] y, int yq, int valid) {
        FloatVector u0_0 = FloatVector.zero(S);
        FloatVector u0_1 = FloatVector.zero(S);
        FloatVector u1_0 = FloatVector.zero(S);
        FloatVector u1_1 = FloatVector.zero(S);
        FloatVector u2_0 = FloatVector.zero(S);
        FloatVector u2_1 = FloatVector.zero(S);
        FloatVector u3_0 = FloatVector.zero(S);
        FloatVector u3_1 = FloatVector.zero(S);
        FloatVector u4_0 = FloatVector.zero(S);
        FloatVector u4_1 = FloatVector.zero(S);
        FloatVector u5_0 = FloatVector.zero(S);
        FloatVector u5_1 = FloatVector.zero(S);
        FloatVector u6_0 = FloatVector.zero(S);
        FloatVector u6_1 = FloatVector.zero(S);
        FloatVector u7_0 = FloatVector.zero(S);
        FloatVector u7_1 = FloatVector.zero(S);
        for (int i = 0; i < kh; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep, wq = (i * nj + jg) * len - d;
                for (int q = d, end = d + len; q < end; q += L) {
                    FloatVector w0 = FloatVector.fromArray(S, w, wq + q);
                    FloatVector w1 = FloatVector.fromArray(S, w, wq + 1 * cs + q);
                    FloatVector x0 = FloatVector.fromArray(S, s, a0 + q);
                    u0_0 = x0.fma(w0, u0_0);
                    u0_1 = x0.fma(w1, u0_1);
                    FloatVector x1 = FloatVector.fromArray(S, s, a1 + q);
                    u1_0 = x1.fma(w0, u1_0);
                    u1_1 = x1.fma(w1, u1_1);
                    FloatVector x2 = FloatVector.fromArray(S, s, a2 + q);
                    u2_0 = x2.fma(w0, u2_0);
                    u2_1 = x2.fma(w1, u2_1);
                    FloatVector x3 = FloatVector.fromArray(S, s, a3 + q);
                    u3_0 = x3.fma(w0, u3_0);
                    u3_1 = x3.fma(w1, u3_1);
                    FloatVector x4 = FloatVector.fromArray(S, s, a4 + q);
                    u4_0 = x4.fma(w0, u4_0);
                    u4_1 = x4.fma(w1, u4_1);
                    FloatVector x5 = FloatVector.fromArray(S, s, a5 + q);
                    u5_0 = x5.fma(w0, u5_0);
                    u5_1 = x5.fma(w1, u5_1);
                    FloatVector x6 = FloatVector.fromArray(S, s, a6 + q);
                    u6_0 = x6.fma(w0, u6_0);
                    u6_1 = x6.fma(w1, u6_1);
                    FloatVector x7 = FloatVector.fromArray(S, s, a7 + q);
                    u7_0 = x7.fma(w0, u7_0);
                    u7_1 = x7.fma(w1, u7_1);
                }
            }
        }
        FloatVector s8_0 = u0_0.blend(u4_0, M8).add(u4_0.blend(u0_0, M8).rearrange(X8));
        FloatVector s8_1 = u2_0.blend(u6_0, M8).add(u6_0.blend(u2_0, M8).rearrange(X8));
        FloatVector s8_2 = u1_0.blend(u5_0, M8).add(u5_0.blend(u1_0, M8).rearrange(X8));
        FloatVector s8_3 = u3_0.blend(u7_0, M8).add(u7_0.blend(u3_0, M8).rearrange(X8));
        FloatVector s8_4 = u0_1.blend(u4_1, M8).add(u4_1.blend(u0_1, M8).rearrange(X8));
        FloatVector s8_5 = u2_1.blend(u6_1, M8).add(u6_1.blend(u2_1, M8).rearrange(X8));
        FloatVector s8_6 = u1_1.blend(u5_1, M8).add(u5_1.blend(u1_1, M8).rearrange(X8));
        FloatVector s8_7 = u3_1.blend(u7_1, M8).add(u7_1.blend(u3_1, M8).rearrange(X8));
        FloatVector s4_0 = s8_0.blend(s8_1, M4).add(s8_1.blend(s8_0, M4).rearrange(X4));
        FloatVector s4_1 = s8_2.blend(s8_3, M4).add(s8_3.blend(s8_2, M4).rearrange(X4));
        FloatVector s4_2 = s8_4.blend(s8_5, M4).add(s8_5.blend(s8_4, M4).rearrange(X4));
        FloatVector s4_3 = s8_6.blend(s8_7, M4).add(s8_7.blend(s8_6, M4).rearrange(X4));
        FloatVector s2_0 = s4_0.blend(s4_1, M2).add(s4_1.blend(s4_0, M2).rearrange(X2));
        FloatVector s2_1 = s4_2.blend(s4_3, M2).add(s4_3.blend(s4_2, M2).rearrange(X2));
        FloatVector s1_0 = s2_0.blend(s2_1, M1).add(s2_1.blend(s2_0, M1).rearrange(X1));
        if (valid == 8) s1_0.intoArray(y, yq);
        else s1_0.intoArray(y, yq, S.indexInRange(0, valid * 2));
    }

    /** 5 pixels x 3 channels: sums over patch elements, stored as 15 consecutive outputs from y[yq]. */
    private static void dot5x3(float[] s, int a0, int a1, int a2, int a3, int a4, int kh, int rowStep, int nj,
            int jStep, int len, float[] w, int cs, float[] y, int yq, int valid) {
        FloatVector u0_0 = FloatVector.zero(S);
        FloatVector u0_1 = FloatVector.zero(S);
        FloatVector u0_2 = FloatVector.zero(S);
        FloatVector u1_0 = FloatVector.zero(S);
        FloatVector u1_1 = FloatVector.zero(S);
        FloatVector u1_2 = FloatVector.zero(S);
        FloatVector u2_0 = FloatVector.zero(S);
        FloatVector u2_1 = FloatVector.zero(S);
        FloatVector u2_2 = FloatVector.zero(S);
        FloatVector u3_0 = FloatVector.zero(S);
        FloatVector u3_1 = FloatVector.zero(S);
        FloatVector u3_2 = FloatVector.zero(S);
        FloatVector u4_0 = FloatVector.zero(S);
        FloatVector u4_1 = FloatVector.zero(S);
        FloatVector u4_2 = FloatVector.zero(S);
        for (int i = 0; i < kh; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep, wq = (i * nj + jg) * len - d;
                for (int q = d, end = d + len; q < end; q += L) {
                    FloatVector w0 = FloatVector.fromArray(S, w, wq + q);
                    FloatVector w1 = FloatVector.fromArray(S, w, wq + 1 * cs + q);
                    FloatVector w2 = FloatVector.fromArray(S, w, wq + 2 * cs + q);
                    FloatVector x0 = FloatVector.fromArray(S, s, a0 + q);
                    u0_0 = x0.fma(w0, u0_0);
                    u0_1 = x0.fma(w1, u0_1);
                    u0_2 = x0.fma(w2, u0_2);
                    FloatVector x1 = FloatVector.fromArray(S, s, a1 + q);
                    u1_0 = x1.fma(w0, u1_0);
                    u1_1 = x1.fma(w1, u1_1);
                    u1_2 = x1.fma(w2, u1_2);
                    FloatVector x2 = FloatVector.fromArray(S, s, a2 + q);
                    u2_0 = x2.fma(w0, u2_0);
                    u2_1 = x2.fma(w1, u2_1);
                    u2_2 = x2.fma(w2, u2_2);
                    FloatVector x3 = FloatVector.fromArray(S, s, a3 + q);
                    u3_0 = x3.fma(w0, u3_0);
                    u3_1 = x3.fma(w1, u3_1);
                    u3_2 = x3.fma(w2, u3_2);
                    FloatVector x4 = FloatVector.fromArray(S, s, a4 + q);
                    u4_0 = x4.fma(w0, u4_0);
                    u4_1 = x4.fma(w1, u4_1);
                    u4_2 = x4.fma(w2, u4_2);
                }
            }
        }
        FloatVector s8_0 = u0_0.blend(u2_2, M8).add(u2_2.blend(u0_0, M8).rearrange(X8));
        FloatVector s8_1 = u1_1.blend(u4_0, M8).add(u4_0.blend(u1_1, M8).rearrange(X8));
        FloatVector s8_2 = u0_2.blend(u3_1, M8).add(u3_1.blend(u0_2, M8).rearrange(X8));
        FloatVector s8_3 = u2_0.blend(u4_2, M8).add(u4_2.blend(u2_0, M8).rearrange(X8));
        FloatVector s8_4 = u0_1.blend(u3_0, M8).add(u3_0.blend(u0_1, M8).rearrange(X8));
        FloatVector s8_5 = u1_2.blend(u4_1, M8).add(u4_1.blend(u1_2, M8).rearrange(X8));
        FloatVector s8_6 = u1_0.blend(u3_2, M8).add(u3_2.blend(u1_0, M8).rearrange(X8));
        FloatVector s8_7 = u2_1.blend(FloatVector.zero(S), M8).add(FloatVector.zero(S).blend(u2_1, M8).rearrange(X8));
        FloatVector s4_0 = s8_0.blend(s8_1, M4).add(s8_1.blend(s8_0, M4).rearrange(X4));
        FloatVector s4_1 = s8_2.blend(s8_3, M4).add(s8_3.blend(s8_2, M4).rearrange(X4));
        FloatVector s4_2 = s8_4.blend(s8_5, M4).add(s8_5.blend(s8_4, M4).rearrange(X4));
        FloatVector s4_3 = s8_6.blend(s8_7, M4).add(s8_7.blend(s8_6, M4).rearrange(X4));
        FloatVector s2_0 = s4_0.blend(s4_1, M2).add(s4_1.blend(s4_0, M2).rearrange(X2));
        FloatVector s2_1 = s4_2.blend(s4_3, M2).add(s4_3.blend(s4_2, M2).rearrange(X2));
        FloatVector s1_0 = s2_0.blend(s2_1, M1).add(s2_1.blend(s2_0, M1).rearrange(X1));
        s1_0.intoArray(y, yq, S.indexInRange(0, valid * 3));
    }

    /** 4 pixels x 4 channels: sums over patch elements, stored as 16 consecutive outputs from y[yq]. */
    private static void dot4x4(float[] s, int a0, int a1, int a2, int a3, int kh, int rowStep, int nj, int jStep,
            int len, float[] w, int cs, float[] y, int yq, int valid) {
        FloatVector u0_0 = FloatVector.zero(S);
        FloatVector u0_1 = FloatVector.zero(S);
        FloatVector u0_2 = FloatVector.zero(S);
        FloatVector u0_3 = FloatVector.zero(S);
        FloatVector u1_0 = FloatVector.zero(S);
        FloatVector u1_1 = FloatVector.zero(S);
        FloatVector u1_2 = FloatVector.zero(S);
        FloatVector u1_3 = FloatVector.zero(S);
        FloatVector u2_0 = FloatVector.zero(S);
        FloatVector u2_1 = FloatVector.zero(S);
        FloatVector u2_2 = FloatVector.zero(S);
        FloatVector u2_3 = FloatVector.zero(S);
        FloatVector u3_0 = FloatVector.zero(S);
        FloatVector u3_1 = FloatVector.zero(S);
        FloatVector u3_2 = FloatVector.zero(S);
        FloatVector u3_3 = FloatVector.zero(S);
        for (int i = 0; i < kh; i++) {
            for (int jg = 0; jg < nj; jg++) {
                int d = i * rowStep + jg * jStep, wq = (i * nj + jg) * len - d;
                for (int q = d, end = d + len; q < end; q += L) {
                    FloatVector w0 = FloatVector.fromArray(S, w, wq + q);
                    FloatVector w1 = FloatVector.fromArray(S, w, wq + 1 * cs + q);
                    FloatVector w2 = FloatVector.fromArray(S, w, wq + 2 * cs + q);
                    FloatVector w3 = FloatVector.fromArray(S, w, wq + 3 * cs + q);
                    FloatVector x0 = FloatVector.fromArray(S, s, a0 + q);
                    u0_0 = x0.fma(w0, u0_0);
                    u0_1 = x0.fma(w1, u0_1);
                    u0_2 = x0.fma(w2, u0_2);
                    u0_3 = x0.fma(w3, u0_3);
                    FloatVector x1 = FloatVector.fromArray(S, s, a1 + q);
                    u1_0 = x1.fma(w0, u1_0);
                    u1_1 = x1.fma(w1, u1_1);
                    u1_2 = x1.fma(w2, u1_2);
                    u1_3 = x1.fma(w3, u1_3);
                    FloatVector x2 = FloatVector.fromArray(S, s, a2 + q);
                    u2_0 = x2.fma(w0, u2_0);
                    u2_1 = x2.fma(w1, u2_1);
                    u2_2 = x2.fma(w2, u2_2);
                    u2_3 = x2.fma(w3, u2_3);
                    FloatVector x3 = FloatVector.fromArray(S, s, a3 + q);
                    u3_0 = x3.fma(w0, u3_0);
                    u3_1 = x3.fma(w1, u3_1);
                    u3_2 = x3.fma(w2, u3_2);
                    u3_3 = x3.fma(w3, u3_3);
                }
            }
        }
        FloatVector s8_0 = u0_0.blend(u2_0, M8).add(u2_0.blend(u0_0, M8).rearrange(X8));
        FloatVector s8_1 = u1_0.blend(u3_0, M8).add(u3_0.blend(u1_0, M8).rearrange(X8));
        FloatVector s8_2 = u0_2.blend(u2_2, M8).add(u2_2.blend(u0_2, M8).rearrange(X8));
        FloatVector s8_3 = u1_2.blend(u3_2, M8).add(u3_2.blend(u1_2, M8).rearrange(X8));
        FloatVector s8_4 = u0_1.blend(u2_1, M8).add(u2_1.blend(u0_1, M8).rearrange(X8));
        FloatVector s8_5 = u1_1.blend(u3_1, M8).add(u3_1.blend(u1_1, M8).rearrange(X8));
        FloatVector s8_6 = u0_3.blend(u2_3, M8).add(u2_3.blend(u0_3, M8).rearrange(X8));
        FloatVector s8_7 = u1_3.blend(u3_3, M8).add(u3_3.blend(u1_3, M8).rearrange(X8));
        FloatVector s4_0 = s8_0.blend(s8_1, M4).add(s8_1.blend(s8_0, M4).rearrange(X4));
        FloatVector s4_1 = s8_2.blend(s8_3, M4).add(s8_3.blend(s8_2, M4).rearrange(X4));
        FloatVector s4_2 = s8_4.blend(s8_5, M4).add(s8_5.blend(s8_4, M4).rearrange(X4));
        FloatVector s4_3 = s8_6.blend(s8_7, M4).add(s8_7.blend(s8_6, M4).rearrange(X4));
        FloatVector s2_0 = s4_0.blend(s4_1, M2).add(s4_1.blend(s4_0, M2).rearrange(X2));
        FloatVector s2_1 = s4_2.blend(s4_3, M2).add(s4_3.blend(s4_2, M2).rearrange(X2));
        FloatVector s1_0 = s2_0.blend(s2_1, M1).add(s2_1.blend(s2_0, M1).rearrange(X1));
        if (valid == 4) s1_0.intoArray(y, yq);
        else s1_0.intoArray(y, yq, S.indexInRange(0, valid * 4));
    }
}
