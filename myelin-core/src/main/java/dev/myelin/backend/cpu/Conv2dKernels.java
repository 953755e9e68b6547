package dev.myelin.backend.cpu;

import dev.myelin.backend.Conv2dSpec;
import dev.myelin.backend.DType;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.View;

import java.util.Arrays;

/**
 * float32 2-D convolution kernels of the CPU backend, channels-last: input {@code [n, h, w, c]}, kernel
 * {@code [kh, kw, c, f]}, output {@code [n, oh, ow, f]} (formula in {@link Conv2dSpec}).
 *
 * <p>All three kernels are matrix products over the patch matrix P {@code [n·oh·ow, kh·kw·c]}, whose row
 * for output pixel (b, y, x) holds the input values under the kernel window in (i, j, c) order, zeros where
 * the window leaves the input. The kernel {@code [kh, kw, c, f]} read as {@code [kh·kw·c, f]} is then
 * already the right-hand matrix W:
 * <ul>
 *   <li>forward: {@code out = P · W};</li>
 *   <li>kernel gradient: {@code gradKernel = Pᵀ · gradOut};</li>
 *   <li>input gradient: {@code gradP = gradOut · Wᵀ}, then each row of gradP is added back onto the input
 *       positions it was gathered from ("col2im").</li>
 * </ul>
 *
 * <p>Two implementations of each, picked per call:
 * <ul>
 *   <li><b>im2col + SGEMM</b> (this class): P is gathered chunk by chunk and multiplied by {@link Sgemm};
 *       the input gradient is scattered back by col2im, except with stride 1 and at least
 *       {@link #FLIPPED_MIN_CHANNELS} input channels, where it runs as the forward pass over gradOut with the
 *       flipped kernel (see {@link #flippedForward}), and with a stride, dilation 1 and a kernel at least as large
 *       as the stride, where it runs as one stride-1 forward pass per phase of the input (see {@link #phases}).
 *       Handles every geometry; used when the weights
 *       exceed {@link Conv2dDirect#MAX_WEIGHTS} (1 MB), for strided input gradients,
 *       for kernel gradients of images under {@link #DIRECT_KERNEL_GRAD_MIN_PIXELS} output pixels,
 *       and always on CPUs with 16 vector registers (AVX2), where it measured faster (see
 *       {@link #DIRECT_WHEN_FITS}).</li>
 *   <li><b>direct</b> ({@link Conv2dDirect}): register-blocked Vector API kernels that read P straight from
 *       the input, so the patch matrix is never written; the stride-1 input gradient runs as a forward
 *       convolution of gradOut with the flipped kernel. Used whenever the weights fit, on CPUs with 32
 *       vector registers, except for forward passes with 16 to 32 input channels and 64 filters or more,
 *       where im2col + SGEMM measured faster (see {@link #gemmForwardAhead}).</li>
 * </ul>
 * A layer with few input channels (c ≤ 4: a first layer) takes the forward of {@link Conv2dFewChannels} on every
 * CPU, and on the 16-register ones the direct kernel gradient too (see {@link #fewChannels}).
 * A 1x1, stride-1, unpadded convolution is a plain SGEMM on the input either way. A bias given to
 * {@link #forward(View, View, View, Conv2dSpec, View)} is added to each part of the output as soon as it is
 * computed (same values as a separate add).
 *
 * <p>Measured (ms, median of the fastest chunks, JDK 25, 2-core Zen 4 with AVX-512; batch 32, 3x3 valid
 * stride 1, the seed models' layers), im2col + SGEMM / direct:
 * <pre>
 *                      forward          input grad       kernel grad
 * 2 threads
 *   28x28x1  -> 32     0.244 / 0.127    0.365 / 0.205    0.232 / 0.090
 *   32x32x3  -> 32     0.548 / 0.377    0.823 / 0.539    0.560 / 0.294
 *   13x13x32 -> 64     0.693 / 0.647    1.331 / 0.958    0.879 / 0.837
 * 1 thread
 *   28x28x1  -> 32     0.488 / 0.250    0.722 / 0.459    0.456 / 0.176
 *   32x32x3  -> 32     1.084 / 0.747    1.583 / 0.977    1.108 / 0.580
 *   13x13x32 -> 64     1.380 / 1.289    2.640 / 1.875    1.504 / 1.539
 * </pre>
 * For small channel counts the gathering dominates im2col + SGEMM (P is kh·kw times the input and costs
 * more to write than the product costs to compute); at 32 channels the two converge. oneDNN's direct
 * forward kernels took 0.124, 0.294 and 0.645 ms on the same layers (2 threads).
 *
 * <p>The direct figures depend on the JIT's compile history by up to ~35%: the 13x13x32 -> 64 input
 * gradient ran in 2.55 ms (1 thread) when it was the first convolution the JVM compiled and in 1.88 ms
 * after a direct forward pass had run; with {@code -XX:-TieredCompilation} it always got the fast code
 * (same inlining either way; the C1 tier's profile changes C2's code layout). The table above is of the
 * favourable order.
 */
final class Conv2dKernels {
    /*
     * Implementation overview of the im2col + SGEMM path (for maintainers; the direct one is in Conv2dDirect).
     *
     * P is never built whole: its rows are cut into chunks of CHUNK_FLOATS / K rows (K = kh·kw·c), each
     * gathered ("im2col") into a per-thread buffer that stays in L2 while SGEMM consumes it.
     *
     * Threads. Chunks are the parallel tasks of the forward pass (Parallel.forRange); SGEMM called from a
     * task runs on that thread. With a single chunk, forRange runs inline and SGEMM uses the pool itself.
     * The input gradient scatter-adds overlapping windows, so its tasks are whole images. The kernel
     * gradient sums over every row: chunks are split into a fixed number of consecutive groups (a function
     * of the shape only), each group sums its chunks in order into its own partial gradient, and the
     * partials are added in group order. Every result is therefore the same for any thread count.
     */

    /**
     * Floats of patch matrix per chunk: 256 KB, so a chunk, a B panel and a C tile share L2. Each chunk's SGEMM
     * packs the whole kernel again and, in the kernel gradient, adds its result tile by tile to the gradient: a
     * taller chunk pays both for more rows. Measured against 128 KB (2-core AMD EPYC family 23, 2 threads,
     * fastest of repeated calls, chunk rows a multiple of 6 both ways; ms forward / input grad / kernel grad),
     * B64 14x14x64 -> 64 3x3 same: 14.8 / 14.9 / 18.1 -> 13.9 / 14.1 / 16.6; B128 14x14x32 -> 64:
     * 14.3 / 15.6 / 16.8 -> 13.8 / 14.8 / 16.6. 1 MB chunks measured within 3% of 256 KB.
     */
    static final int CHUNK_FLOATS = 1 << 16;
    /** Fewest rows per chunk (before rounding to a whole strip), so that SGEMM still has full row strips to work on. */
    static final int MIN_CHUNK_ROWS = 32;
    /** Most partial gradients the kernel gradient sums in parallel. */
    static final int MAX_GROUPS = 8;
    /** Most floats all partial kernel gradients together may take. */
    static final int MAX_PARTIAL_FLOATS = 1 << 22;

    private static final ThreadLocal<float[]> PATCHES = new ThreadLocal<>();
    private static final ThreadLocal<float[]> KERNEL_COPY = new ThreadLocal<>();

    /**
     * How the kernels are computed: chosen by size, or forced (tests and measurements). FEW_CHANNELS forces
     * {@link Conv2dFewChannels}'s forward and the direct kernel gradient where they fit (im2col + SGEMM
     * elsewhere).
     */
    enum Strategy { AUTO, GEMM, DIRECT, FEW_CHANNELS }

    /** Package-private switch for tests and measurements; AUTO in normal use. */
    static volatile Strategy strategy = Strategy.AUTO;

    /**
     * Whether AUTO takes the direct kernels when the weights fit: where the CPU has 32 vector registers
     * (AVX-512, the table above). With 16 (AVX2) im2col + SGEMM's 6x2 tiles measured faster on every layer
     * tried (2-core AMD EPYC family 23, 2 threads, ms forward / forward + backward, direct -> im2col):
     * mnist-conv1 0.75 / 4.16 -> 0.59 / 2.20, cifar-conv1 1.83 / 7.04 -> 1.44 / 5.09, cifar-conv2
     * 4.63 / 13.36 -> 2.42 / 9.36, the Conv2D layer 3x3 same B32 28x28x32 -> 32 12.97 / 41.05 -> 9.85 / 34.96.
     */
    static final boolean DIRECT_WHEN_FITS = Sgemm.REGISTERS >= 32;

    /*
     * A convolution whose result has exactly two 512-bit vectors of channels (32: the filters of a forward pass, the
     * input channels of an input gradient) went to im2col + SGEMM here until the direct kernels ran such results as
     * 8x2 tiles instead of 6x2 (see Conv2dDirect's register blocking): SGEMM's 8x2 kernel had measured faster than
     * the direct 6x2 tiles, and the direct 8x2 tiles measured faster than both (2-core AMD EPYC Zen 4, AVX-512,
     * 2 threads, median of repeated calls, two interleaved runs, ms im2col + SGEMM / direct 6x2 / direct 8x2):
     * input gradient B32 15x15x32 -> 64 valid 1.45, 1.61 / 1.52, 1.59 / 1.11, 1.23; B128 15x15x32 -> 64 valid 5.76,
     * 6.02 / 5.91, 6.37 / 4.81, 4.83; B32 28x28x32 -> 32 same 2.79, 2.69 / 3.20, 3.08 / 2.33, 2.33; B128 14x14x32
     * -> 64 same 5.23, 5.20 / 5.84, 6.13 / 4.36, 4.61; forward B32 28x28x32 -> 32 same 2.55, 2.53 / 3.17, 3.15 /
     * 2.38, 2.30; B32 13x13x32 -> 32 valid 0.45, 0.40 / 0.58, 0.50 / 0.35, 0.37; B32 16x16x64 -> 32 same 1.72,
     * 1.59 / 2.06, 2.03 / 1.42, 1.48; B32 14x14x128 -> 32 same 2.61, 2.75 / 3.04, 3.05 / 2.21, 2.22.
     */

    private static boolean direct(boolean fits) {
        Strategy s = strategy;
        return s == Strategy.DIRECT || (s == Strategy.AUTO && fits && DIRECT_WHEN_FITS);
    }

    /**
     * Whether a layer with few input channels takes {@link Conv2dFewChannels}'s forward (ahead of the direct
     * kernels too) and, where the direct kernels are not chosen anyway, the direct kernel gradient: im2col gathers
     * runs of kw·c floats and SGEMM multiplies with a depth of kh·kw·c, both mostly overhead, and the direct
     * forward pays for a padded slab copy and blocks of filter vectors that c = 1 gives nothing to fill. Measured
     * against the direct forward on 32 registers (2-core AMD EPYC Zen 4, AVX-512, 2 threads, median of repeated
     * calls into a reused output, ms, direct -> few channels, interleaved runs): B32 28x28x1 -> 32 3x3 valid
     * 0.17-0.21 -> 0.12-0.14; B128 28x28x1 -> 32 3x3 same 0.82-1.58 -> 0.56-0.58; B32 32x32x3 -> 32 valid 0.43-0.50
     * -> 0.35-0.45; 5x5 same B32 28x28x1 -> 32 0.41 -> 0.34; 3x3 same dilation 2 B32 28x28x3 -> 64 0.63-0.65 ->
     * 0.57-0.62.
     */
    private static boolean fewChannels(Geom g) {
        Strategy s = strategy;
        return (s == Strategy.FEW_CHANNELS || s == Strategy.AUTO) && g.c <= Conv2dFewChannels.MAX_CHANNELS;
    }

    private Conv2dKernels() {}

    /** Sizes of one convolution, read from the views' shapes. */
    record Geom(int n, int h, int w, int c, int kh, int kw, int f, int oh, int ow,
                int sh, int sw, int dh, int dw, int pt, int pl) {

        static Geom of(int[] in, int[] k, int[] out, Conv2dSpec s) {
            return new Geom(in[0], in[1], in[2], in[3], k[0], k[1], k[3], out[1], out[2],
                    s.strideH(), s.strideW(), s.dilationH(), s.dilationW(), s.padTop(), s.padLeft());
        }

        /** Rows of the patch matrix: output pixels. */
        int rows() {
            return n * oh * ow;
        }

        /** Columns of the patch matrix: kh·kw·c. */
        int patch() {
            return kh * kw * c;
        }

        /** True when the input itself is the patch matrix (1x1 kernel, stride 1, no padding, same size). */
        boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
        }

        /**
         * Rows per chunk of the patch matrix: a multiple of SGEMM's full row strip, so that each chunk's product
         * ends on a full strip instead of in the 4-, 2- and 1-row edge kernels (B64 14x14x64 -> 64 3x3 same, forward:
         * 15.4 -> 14.8 ms, same machine as above). SGEMM's sums do not depend on how its rows are split.
         */
        int chunkRows() {
            int strip = Sgemm.TILING.stripRows();
            return Math.max(MIN_CHUNK_ROWS, CHUNK_FLOATS / Math.max(1, patch())) / strip * strip;
        }
    }

    /**
     * True when the kernels handle these views: float32, rank 4, contiguous, consistent shapes.
     * {@code x} is [n, h, w, c], {@code k} [kh, kw, c, f], {@code y} [n, oh, ow, f].
     */
    static boolean supports(View x, View k, View y) {
        for (View v : new View[] {x, k, y}) {
            if (v.dtype() != DType.FLOAT32 || v.rank() != 4 || !v.isContiguous()) return false;
        }
        int[] xs = x.shape(), ks = k.shape(), ys = y.shape();
        return xs[0] == ys[0] && xs[3] == ks[2] && ks[3] == ys[3];
    }

    private static float[] data(View v) {
        return ((FloatStorage) v.storage()).data();
    }

    // ---- forward ----

    /** {@code out = conv2d(input, kernel)}. */
    static void forward(View input, View kernel, Conv2dSpec spec, View out) {
        forward(input, kernel, null, spec, false, out);
    }

    /** True when {@code bias} suits {@link #forward}'s fused bias: float32 {@code [f]} with unit stride. */
    static boolean supportsBias(View bias, View kernel) {
        return bias.dtype() == DType.FLOAT32 && bias.rank() == 1 && bias.shape()[0] == kernel.shape()[3]
                && (bias.shape()[0] <= 1 || bias.strides()[0] == 1);
    }

    /**
     * {@code out = conv2d(input, kernel) + bias} (bias {@code [f]} over the last axis; none when null). The
     * bias is added to each part of the output as soon as it is computed (a block of rows, a chunk of the
     * patch matrix), with the same float additions as a separate element-wise add.
     */
    static void forward(View input, View kernel, View bias, Conv2dSpec spec, View out) {
        forward(input, kernel, bias, spec, false, out);
    }

    /**
     * {@code out = conv2d(input, kernel) + bias}, then {@code relu} when asked: the rectifier is applied to each part
     * of the output right after its bias, while it is still in cache, with the values of a separate
     * {@code relu} pass (x ≤ 0 gives 0, NaN stays NaN).
     */
    static void forward(View input, View kernel, View bias, Conv2dSpec spec, boolean relu, View out) {
        Geom g = Geom.of(input.shape(), kernel.shape(), out.shape(), spec);
        float[] x = data(input), k = data(kernel), y = data(out), b = bias == null ? null : data(bias);
        int xOff = input.offset(), kOff = kernel.offset(), yOff = out.offset(), bOff = bias == null ? 0 : bias.offset();
        int m = g.rows(), kk = g.patch(), f = g.f;
        if (m == 0 || f == 0) return;
        if (g.pointwise()) {
            if (b == null && !relu) {
                Sgemm.sgemm(false, false, m, f, kk, x, xOff, kk, k, kOff, f, y, yOff, f, false);
                return;
            }
            // Chunks of rows, each multiplied and then given its bias while still in L2: a bias pass after
            // one whole SGEMM would read and write an output larger than the caches once more. Each element
            // is the same FMA chain either way (SGEMM's sums do not depend on how its rows are split).
            int rowsPerTask = Math.max(MIN_CHUNK_ROWS, CHUNK_FLOATS / Math.max(kk, f));
            Parallel.forRange((m + rowsPerTask - 1) / rowsPerTask, t -> {
                int r0 = t * rowsPerTask, rows = Math.min(rowsPerTask, m - r0);
                Sgemm.sgemm(false, false, rows, f, kk, x, xOff + r0 * kk, kk, k, kOff, f, y, yOff + r0 * f, f, false);
                Epilogue.apply(y, yOff + r0 * f, rows, f, b, bOff, relu);
            });
            return;
        }
        forward(g, x, xOff, k, kOff, b, bOff, relu, y, yOff);
    }

    /** The forward pass of a geometry that is not pointwise, by the implementation that suits it. */
    private static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, boolean relu,
                                float[] y, int yOff) {
        if (fewChannels(g) && Conv2dFewChannels.fits(g)) {
            Conv2dFewChannels.forward(g, x, xOff, k, kOff, b, bOff, relu, y, yOff);
            return;
        }
        if (direct(Conv2dDirect.fits(g) && !gemmForwardAhead(g))) {
            Conv2dDirect.forward(g, x, xOff, k, kOff, b, bOff, relu, y, yOff);
            return;
        }
        gemmForward(g, x, xOff, k, kOff, b, bOff, relu, y, yOff);
    }

    /** Input channels between which AUTO's forward prefers im2col + SGEMM to the direct 4x4 tiles (see {@link #gemmForwardAhead}). */
    static final int GEMM_FORWARD_MIN_CHANNELS = 16, GEMM_FORWARD_MAX_CHANNELS = 32;

    /**
     * Whether AUTO's forward takes im2col + SGEMM although the direct kernels fit: with 16 to 32 input channels and
     * at least four vectors of filters, where the direct forward runs 4x4 tiles (32 vector registers). Each such tile
     * re-reads its four filter vectors of every tap (kh·kw·c·4 vectors, 72 KB for 3x3x32) from L2 for only 4 pixels,
     * where SGEMM keeps a packed panel of B in L1 across a taller tile; with so few channels the patch matrix costs
     * little to gather (runs of kw·c floats). Measured (2-core AMD EPYC Zen 4, AVX-512, 2 threads, the layer's forward
     * kernel with bias into a reused output, median of 5 chunks, two alternations in one JVM, ms, direct / im2col +
     * SGEMM): B32 14x14x32 -> 64 3x3 valid 1.74, 1.74 / 0.99, 0.98; B32 28x28x32 -> 64 3x3 same stride 2 2.38, 2.28 /
     * 1.28, 1.31; B128 14x14x32 -> 64 3x3 same 6.93, 8.56 / 5.20, 5.20; B32 15x15x32 -> 64 3x3 valid 1.08, 1.06 /
     * 1.07, 1.11; B32 14x14x32 -> 64 3x3 same dilation 2 1.58, 1.11 / 1.38, 1.32. With 64 channels the direct tiles
     * stayed ahead (B128 7x7x64 -> 128 3x3 same 4.64, 4.57 / 5.43, 5.09; B128 14x14x64 -> 128 stride 2 5.84, 5.26 /
     * 5.61, 5.15), and with two filter vectors (32 filters: 8x2 tiles) too (B32 28x28x32 -> 32 same 2.63, 2.59 /
     * 3.07, 3.13). Only the forward: the input and kernel gradients keep their own choice. Both paths sum each output's
     * taps in the same (i, j, c) order from zero, so the switch leaves the results' bits alone (checked: B2 14x14x32 ->
     * 64 3x3 valid, every element equal). Why the direct tiles lose so much at 12x12 outputs and not at 13x13 (B32
     * 15x15x32 -> 64, even above) is not understood.
     */
    private static boolean gemmForwardAhead(Geom g) {
        return g.c >= GEMM_FORWARD_MIN_CHANNELS && g.c <= GEMM_FORWARD_MAX_CHANNELS && g.f >= 4 * Conv2dDirect.L
                && Conv2dDirect.blocking == Conv2dDirect.Blocking.WIDE;
    }

    /** The im2col + SGEMM forward pass: {@code y = P·W (+ bias)}, chunk by chunk of P's rows. */
    private static void gemmForward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, boolean relu,
                                    float[] y, int yOff) {
        int m = g.rows(), kk = g.patch(), f = g.f;
        int chunk = g.chunkRows();
        int chunks = (m + chunk - 1) / chunk;
        Parallel.forRange(chunks, t -> {
            int r0 = t * chunk, rows = Math.min(chunk, m - r0);
            float[] p = patches(rows * kk);
            im2col(g, x, xOff, r0, rows, p);
            Sgemm.sgemm(false, false, rows, f, kk, p, 0, kk, k, kOff, f, y, yOff + r0 * f, f, false);
            Epilogue.apply(y, yOff + r0 * f, rows, f, b, bOff, relu);
        });
    }

    // ---- kernel gradient ----

    /** {@code gradKernel = Pᵀ · gradOut} (overwritten). */
    static void backwardKernel(View input, View gradOut, Conv2dSpec spec, View gradKernel) {
        Geom g = Geom.of(input.shape(), gradKernel.shape(), gradOut.shape(), spec);
        float[] x = data(input), dy = data(gradOut), dk = data(gradKernel);
        int xOff = input.offset(), dyOff = gradOut.offset(), dkOff = gradKernel.offset();
        int m = g.rows(), kk = g.patch(), f = g.f;
        int size = kk * f;
        if (size == 0) return;
        if (m == 0) {
            Arrays.fill(dk, dkOff, dkOff + size, 0f);
            return;
        }
        if (g.pointwise()) {
            // Xᵀ·dY with K = every pixel: SGEMM splits only the rows and columns of the small result (kk x f) into
            // tasks, so this ran on one thread (B128 14x14x64 -> 128: one task). Consecutive groups of pixels
            // instead, each summed by one SGEMM into its own partial gradient (see sumOverGroups).
            int groups = groups(m / POINTWISE_GROUP_ROWS, size);
            int perGroup = (m + groups - 1) / groups;
            sumOverGroups((m + perGroup - 1) / perGroup, size, dk, dkOff, (t, dst, dstOff) -> {
                int r0 = t * perGroup, rows = Math.min(perGroup, m - r0);
                Sgemm.sgemm(true, false, kk, f, rows, x, xOff + r0 * kk, kk, dy, dyOff + r0 * f, f, dst, dstOff, f, false);
            });
            return;
        }
        boolean fits = Conv2dDirect.fits(g);
        if (direct(fits && g.oh * g.ow >= DIRECT_KERNEL_GRAD_MIN_PIXELS) || (fewChannels(g) && fits)) {
            Conv2dDirect.kernelGrad(g, x, xOff, dy, dyOff, dk, dkOff);
            return;
        }
        int chunk = g.chunkRows();
        int chunks = (m + chunk - 1) / chunk;
        int groups = groups(chunks, size);
        int perGroup = (chunks + groups - 1) / groups;
        sumOverGroups((chunks + perGroup - 1) / perGroup, size, dk, dkOff, (t, dst, dstOff) -> kernelGradChunks(
                g, x, xOff, dy, dyOff, t * perGroup, Math.min(chunks, (t + 1) * perGroup), chunk, dst, dstOff));
    }

    /**
     * Fewest output pixels per image for which AUTO takes the direct kernel gradient. The direct kernel sums each tile
     * of kernel-gradient rows over one block of pixels (at most an image) and then stores its accumulators, reloading
     * them for the next block; with small images that is a load and a store of every accumulator per few dozen
     * pixels, where SGEMM's product over a chunk of many images keeps them in registers for the whole depth.
     * Measured (2-core AMD EPYC Zen 4, AVX-512, 2 threads, median of repeated calls, ms, direct -> im2col + SGEMM):
     * B128 7x7x64 -> 128 3x3 same 5.47 -> 5.12 and, three more interleaved runs, 5.58, 5.75, 6.09 -> 5.39, 5.39,
     * 5.84; B128 14x14x64 -> 128 3x3 same stride 2 (7x7 outputs) 6.34 -> 5.72. With 12x12 outputs and more the
     * direct kernel stayed ahead (B32 14x14x32 -> 64 3x3 valid 0.95 vs 1.03, B32 28x28x32 -> 64 stride 2 1.28 vs
     * 1.43). No change with 16 vector registers, where AUTO takes im2col + SGEMM for every kernel gradient.
     * Since the direct kernel skips the pixels whose taps read only padding (Conv2dDirect.Pixels; im2col + SGEMM
     * multiplies the gathered zeros), 7x7 outputs are ahead with the direct kernel too (same machine, 2 threads, one
     * JVM alternating the three, median of 5 rounds, ms, direct -> direct without the skip -> im2col + SGEMM): B128
     * 7x7x64 -> 128 3x3 same 6.48 -> 7.01 -> 7.29 and, another run, 5.53 -> 6.28 -> 6.49; B128 14x14x64 -> 128
     * stride 2 7.49 -> 7.88 -> 8.03; B32 14x14x64 -> 128 stride 2 (the seed CNN's) 1.59 -> 1.68 -> 1.72; hence 49.
     */
    static final int DIRECT_KERNEL_GRAD_MIN_PIXELS = 49;

    /** Pixels per group of the pointwise kernel gradient, at least: a few of SGEMM's K steps. */
    static final int POINTWISE_GROUP_ROWS = 2048;

    /** Groups for a kernel gradient of {@code size} floats over {@code parts} parts (chunks or pixel blocks). */
    private static int groups(int parts, int size) {
        return Math.max(1, Math.min(Math.min(parts, MAX_GROUPS), MAX_PARTIAL_FLOATS / size));
    }

    /** One group's share of a kernel gradient, written (not added) to {@code dst[dstOff ..]}. */
    private interface GroupSum {
        void compute(int group, float[] dst, int dstOff);
    }

    /**
     * {@code dk = Σ_t group t's sum}, the groups computed in parallel into partial gradients of {@code size}
     * floats and added in group order, whatever thread computed each: the result depends on the number of
     * groups (a function of the shape) only, never on the thread count.
     */
    private static void sumOverGroups(int groups, int size, float[] dk, int dkOff, GroupSum body) {
        if (groups == 1) {
            body.compute(0, dk, dkOff);
            return;
        }
        float[] partial = new float[groups * size];
        Parallel.forRange(groups, t -> body.compute(t, partial, t * size));
        System.arraycopy(partial, 0, dk, dkOff, size);
        for (int t = 1; t < groups; t++) {
            int base = t * size;
            for (int i = 0; i < size; i++) dk[dkOff + i] += partial[base + i];
        }
    }

    /** Sums the kernel gradient of chunks [c0, c1) in order into {@code dk[dkOff ..]} (overwritten). */
    private static void kernelGradChunks(Geom g, float[] x, int xOff, float[] dy, int dyOff,
                                         int c0, int c1, int chunk, float[] dk, int dkOff) {
        int m = g.rows(), kk = g.patch(), f = g.f;
        for (int t = c0; t < c1; t++) {
            int r0 = t * chunk, rows = Math.min(chunk, m - r0);
            float[] p = patches(rows * kk);
            im2col(g, x, xOff, r0, rows, p);
            Sgemm.sgemm(true, false, kk, f, rows, p, 0, kk, dy, dyOff + r0 * f, f, dk, dkOff, f, t > c0);
        }
    }

    /** {@code dst[d + j*rows + i] = src[s + i*cols + j]}: a [rows, cols] block transposed, in 16 x 16 tiles. */
    static void transpose(float[] src, int s, int rows, int cols, float[] dst, int d) {
        for (int i0 = 0; i0 < rows; i0 += 16) {
            int i1 = Math.min(rows, i0 + 16);
            for (int j0 = 0; j0 < cols; j0 += 16) {
                int j1 = Math.min(cols, j0 + 16);
                for (int i = i0; i < i1; i++) {
                    int si = s + i * cols;
                    for (int j = j0; j < j1; j++) dst[d + j * rows + i] = src[si + j];
                }
            }
        }
    }

    // ---- input gradient ----

    /** {@code gradInput = col2im(gradOut · Wᵀ)} (overwritten). */
    static void backwardInput(View gradOut, View kernel, Conv2dSpec spec, View gradInput) {
        Geom g = Geom.of(gradInput.shape(), kernel.shape(), gradOut.shape(), spec);
        float[] dy = data(gradOut), k = data(kernel), dx = data(gradInput);
        int dyOff = gradOut.offset(), kOff = kernel.offset(), dxOff = gradInput.offset();
        int kk = g.patch(), f = g.f;
        int image = g.h * g.w * g.c, outImage = g.oh * g.ow;
        if (g.n == 0 || image == 0) return;
        if (g.pointwise()) {
            Sgemm.sgemm(false, true, g.rows(), g.c, f, dy, dyOff, f, k, kOff, f, dx, dxOff, g.c, false);
            return;
        }
        if (g.sh == 1 && g.sw == 1 && direct(Conv2dDirect.fitsBackwardInput(g))) {
            Conv2dDirect.backwardInput(g, dy, dyOff, k, kOff, dx, dxOff);
            return;
        }
        if (g.sh == 1 && g.sw == 1 && g.c >= FLIPPED_MIN_CHANNELS) {
            flippedForward(g, dy, dyOff, k, kOff, dx, dxOff);
            return;
        }
        if (stridedPhases && g.dh == 1 && g.dw == 1 && g.kh >= g.sh && g.kw >= g.sw) {
            phases(g, dy, dyOff, k, kOff, dx, dxOff);
            return;
        }
        // Wᵀ [f, kk] once: SGEMM would otherwise transpose it element by element into its pack buffer on every
        // call (one per image and chunk). Measured as above, stride 2: B64 28x28x32 -> 64 10.8 -> 10.0 ms,
        // B64 14x14x64 -> 128 12.2 -> 9.6 ms.
        float[] wT = kernelCopy(kk * f);
        transpose(k, kOff, kk, f, wT, 0);
        int chunk = Math.min(g.chunkRows(), Math.max(1, outImage));
        Parallel.forRange(g.n, b -> {
            Arrays.fill(dx, dxOff + b * image, dxOff + (b + 1) * image, 0f);
            for (int r = 0; r < outImage; r += chunk) {
                int rows = Math.min(chunk, outImage - r), r0 = b * outImage + r;
                float[] p = patches(rows * kk);
                Sgemm.sgemm(false, false, rows, kk, f, dy, dyOff + r0 * f, f, wT, 0, kk, p, 0, kk, false);
                col2im(g, p, r0, rows, dx, dxOff);
            }
        });
    }

    /** Fewest input channels for which a stride-1 input gradient runs as {@link #flippedForward}. */
    static final int FLIPPED_MIN_CHANNELS = 8;

    /**
     * The stride-1 input gradient as a forward convolution of gradOut with the flipped kernel:
     * {@code dx[b, iy, ix, ch] = Σ dy[b, iy - pt' + i'·dh, ix - pl' + j'·dw, fo] · W'[i', j', fo, ch]} with
     * {@code W'[i', j', fo, ch] = W[kh-1-i', kw-1-j', ch, fo]}, {@code pt' = (kh-1)·dh - pt} and
     * {@code pl' = (kw-1)·dw - pl}, terms outside gradOut being zero. The forward path gathers gradOut's windows and
     * multiplies them by W' with SGEMM's constant-stride kernel, where gradP = gradOut·Wᵀ followed by col2im
     * wrote and re-read a patch gradient kh·kw times the input and scatter-added it with scalar code.
     * Measured (2-core AMD EPYC family 23, AVX2, 2 threads, fastest of repeated calls, 3x3 same), col2im -> this:
     * B64 14x14x64 -> 64 24.7 -> 17.2 ms, B128 14x14x32 -> 64 28.2 -> 17.8 ms (the forward pass: 17.4 and 16.6 ms).
     * Against the once-transposed kernel of the strided case instead: 20.5 and 20.2 ms.
     * Shapes: gradOut [n, oh, ow, f], kernel [kh, kw, c, f], gradInput [n, h, w, c].
     */
    private static void flippedForward(Geom g, float[] dy, int dyOff, float[] k, int kOff, float[] dx, int dxOff) {
        int kh = g.kh, kw = g.kw, c = g.c, f = g.f;
        float[] flipped = kernelCopy(kh * kw * f * c);
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int src = kOff + ((kh - 1 - i) * kw + (kw - 1 - j)) * c * f, dst = (i * kw + j) * f * c;
                transpose(k, src, c, f, flipped, dst);
            }
        }
        Geom t = new Geom(g.n, g.oh, g.ow, f, kh, kw, c, g.h, g.w, 1, 1, g.dh, g.dw,
                (kh - 1) * g.dh - g.pt, (kw - 1) * g.dw - g.pl);
        gemmForward(t, dy, dyOff, flipped, 0, null, 0, false, dx, dxOff);
    }

    /**
     * Whether a strided input gradient (dilation 1) runs as {@link #phases}; false leaves it to gradP = gradOut·Wᵀ and
     * col2im (tests and measurements).
     */
    static volatile boolean stridedPhases = true;

    /**
     * Whether a phase that the direct kernels compute is written straight into its rows and columns of dx
     * ({@link Conv2dDirect#forwardInto}); false computes it into a buffer and copies it there (tests and measurements).
     * Same results either way. Measured (2-core AMD EPYC Zen 4, AVX-512, 2 threads, input gradient alone, median of 5
     * chunks, three interleaved pairs of JVMs on a noisy machine, ms, buffer -> in place, 3x3 same stride 2): B32
     * 28x28x32 -> 64 2.53, 2.57, 2.65 -> 1.87, 1.43, 1.78; B128 14x14x64 -> 128 14.7, 6.69, 8.77 -> 6.70, 6.16, 6.17.
     */
    static volatile boolean phasesInPlace = true;

    private static final ThreadLocal<float[]> PHASE = new ThreadLocal<>();

    /**
     * The strided input gradient (dilation 1) as sh·sw stride-1 forward convolutions of gradOut, one per phase
     * (ry, rx) of the input positions: the input rows iy with {@code (iy + pt) mod sh = ry} receive only the kernel
     * rows {@code i = ry + sh·u}, from gradOut row {@code (iy + pt − ry)/sh − u}, so {@code dx[iy] = Σ_u dy[Y − u] ·
     * W[ry + sh·u]ᵀ} with {@code Y = (iy + pt − ry)/sh}: a convolution of gradOut with the sub-kernel of those rows,
     * flipped and transposed (likewise across columns). Each phase is computed by the forward kernels: by the
     * direct ones straight into its every sh-th row and sw-th column of dx, by the others whole into a buffer and then
     * copied there (the kernel at least as large as the stride, so that every phase has taps).
     * Against gradP = gradOut·Wᵀ and col2im, this writes no patch gradient kh·kw times the input and scatter-adds
     * nothing. Measured (2-core AMD EPYC Zen 4, AVX-512, 2 threads, median of repeated calls, two interleaved runs,
     * ms, col2im -> phases, 3x3 same stride 2): B32 28x28x32 -> 64 1.79, 1.53 -> 1.47, 1.38; B128 14x14x64 -> 128
     * 5.80, 5.60 -> 5.04, 4.79. A kernel smaller than the stride (1x1 stride 2: one phase a product, the others
     * zeros) ran slower this way (B32 14x14x64 -> 128: 0.18, 0.23 -> 0.41, 0.39 ms) and keeps col2im.
     * Shapes: gradOut [n, oh, ow, f], kernel [kh, kw, c, f], gradInput [n, h, w, c].
     */
    private static void phases(Geom g, float[] dy, int dyOff, float[] k, int kOff, float[] dx, int dxOff) {
        int c = g.c, f = g.f, sh = g.sh, sw = g.sw;
        int image = g.h * g.w * c;
        if (g.oh == 0 || g.ow == 0) {
            Arrays.fill(dx, dxOff, dxOff + g.n * image, 0f);
            return;
        }
        for (int ry = 0; ry < sh; ry++) {
            int iy0 = Math.floorMod(ry - g.pt, sh);
            int ph = iy0 < g.h ? (g.h - 1 - iy0) / sh + 1 : 0;
            if (ph == 0) continue;
            int y0 = (iy0 + g.pt - ry) / sh, nu = (g.kh - 1 - ry) / sh + 1; // kh ≥ sh: at least one tap
            for (int rx = 0; rx < sw; rx++) {
                int ix0 = Math.floorMod(rx - g.pl, sw);
                int pw = ix0 < g.w ? (g.w - 1 - ix0) / sw + 1 : 0;
                if (pw == 0) continue;
                int x0 = (ix0 + g.pl - rx) / sw, nv = (g.kw - 1 - rx) / sw + 1;
                int phaseImage = ph * pw * c;
                // W'[u', v', o, ci] = W[ry + sh·(nu−1−u'), rx + sw·(nv−1−v'), ci, o]
                float[] w = kernelCopy(nu * nv * f * c);
                for (int u = 0; u < nu; u++) {
                    for (int v = 0; v < nv; v++) {
                        int src = kOff + ((ry + sh * (nu - 1 - u)) * g.kw + rx + sw * (nv - 1 - v)) * c * f;
                        transpose(k, src, c, f, w, (u * nv + v) * f * c);
                    }
                }
                Geom t = new Geom(g.n, g.oh, g.ow, f, nu, nv, c, ph, pw, 1, 1, 1, 1, nu - 1 - y0, nv - 1 - x0);
                int phaseOff = dxOff + (iy0 * g.w + ix0) * c;
                if (phasesInPlace && !t.pointwise() && !(fewChannels(t) && Conv2dFewChannels.fits(t))
                        && direct(Conv2dDirect.fits(t))) {
                    Conv2dDirect.forwardInto(t, dy, dyOff, w, 0, dx, phaseOff, image, sh * g.w * c, sw * c);
                    continue;
                }
                float[] out = phaseBuffer(g.n * phaseImage);
                if (t.pointwise()) {
                    Sgemm.sgemm(false, false, t.rows(), c, f, dy, dyOff, f, w, 0, c, out, 0, c, false);
                } else {
                    forward(t, dy, dyOff, w, 0, null, 0, false, out, 0);
                }
                Parallel.forRange(g.n, b -> scatterPhase(out, b * phaseImage, ph, pw, c, dx,
                        phaseOff + b * image, sh * g.w * c, sw * c));
            }
        }
    }

    /** Copies a phase image [ph, pw, c] from {@code src[s ..]} to dx rows {@code rowStep} and pixels {@code pixStep} apart. */
    private static void scatterPhase(float[] src, int s, int ph, int pw, int c, float[] dx, int d, int rowStep, int pixStep) {
        for (int y = 0; y < ph; y++) {
            int q = d + y * rowStep;
            for (int x = 0; x < pw; x++, q += pixStep, s += c) copy(src, s, dx, q, c);
        }
    }

    /** The calling thread's buffer for one phase of {@link #phases}, at least {@code floats} long. */
    private static float[] phaseBuffer(int floats) {
        float[] p = PHASE.get();
        if (p == null || p.length < floats) {
            p = new float[floats];
            PHASE.set(p);
        }
        return p;
    }

    // ---- gathering and scattering patches ----

    /**
     * The calling thread's buffer for a rearranged copy of the kernel (transposed or flipped), at least
     * {@code floats} long: the input gradient's tasks only read it while the calling thread waits for them.
     */
    private static float[] kernelCopy(int floats) {
        float[] k = KERNEL_COPY.get();
        if (k == null || k.length < floats) {
            k = new float[floats];
            KERNEL_COPY.set(k);
        }
        return k;
    }

    /** The calling thread's patch buffer, at least {@code floats} long. */
    private static float[] patches(int floats) {
        float[] p = PATCHES.get();
        if (p == null || p.length < floats) {
            p = new float[Math.max(floats, CHUNK_FLOATS + (CHUNK_FLOATS >> 2))];
            PATCHES.set(p);
        }
        return p;
    }

    /** Writes rows [r0, r0 + rows) of the patch matrix into {@code p} (row length kh·kw·c). */
    static void im2col(Geom g, float[] x, int xOff, int r0, int rows, float[] p) {
        int c = g.c, kw = g.kw, rowStride = g.w * c, image = g.h * rowStride, span = kw * c;
        int hw = g.oh * g.ow;
        int b = r0 / hw, y = r0 % hw / g.ow, xo = r0 % g.ow;
        int q = 0;
        for (int r = 0; r < rows; r++) {
            int base = xOff + b * image;
            int iy0 = y * g.sh - g.pt, ix0 = xo * g.sw - g.pl;
            boolean inside = ix0 >= 0 && ix0 + (kw - 1) * g.dw < g.w;
            for (int i = 0; i < g.kh; i++) {
                int iy = iy0 + i * g.dh;
                if (iy < 0 || iy >= g.h) {
                    Arrays.fill(p, q, q + span, 0f);
                    q += span;
                } else if (inside && g.dw == 1) {
                    copy(x, base + iy * rowStride + ix0 * c, p, q, span);
                    q += span;
                } else {
                    int rowBase = base + iy * rowStride;
                    for (int j = 0; j < kw; j++, q += c) {
                        int ix = ix0 + j * g.dw;
                        if (ix < 0 || ix >= g.w) Arrays.fill(p, q, q + c, 0f);
                        else copy(x, rowBase + ix * c, p, q, c);
                    }
                }
            }
            if (++xo == g.ow) {
                xo = 0;
                if (++y == g.oh) {
                    y = 0;
                    b++;
                }
            }
        }
    }

    /** Adds rows [r0, r0 + rows) of a patch-matrix gradient onto the input positions they came from. */
    static void col2im(Geom g, float[] p, int r0, int rows, float[] dx, int dxOff) {
        int c = g.c, kw = g.kw, rowStride = g.w * c, image = g.h * rowStride, span = kw * c;
        int hw = g.oh * g.ow;
        int b = r0 / hw, y = r0 % hw / g.ow, xo = r0 % g.ow;
        int q = 0;
        for (int r = 0; r < rows; r++) {
            int base = dxOff + b * image;
            int iy0 = y * g.sh - g.pt, ix0 = xo * g.sw - g.pl;
            boolean inside = ix0 >= 0 && ix0 + (kw - 1) * g.dw < g.w;
            for (int i = 0; i < g.kh; i++) {
                int iy = iy0 + i * g.dh;
                if (iy < 0 || iy >= g.h) {
                    q += span;
                } else if (inside && g.dw == 1) {
                    add(p, q, dx, base + iy * rowStride + ix0 * c, span);
                    q += span;
                } else {
                    int rowBase = base + iy * rowStride;
                    for (int j = 0; j < kw; j++, q += c) {
                        int ix = ix0 + j * g.dw;
                        if (ix >= 0 && ix < g.w) add(p, q, dx, rowBase + ix * c, c);
                    }
                }
            }
            if (++xo == g.ow) {
                xo = 0;
                if (++y == g.oh) {
                    y = 0;
                    b++;
                }
            }
        }
    }

    private static void copy(float[] src, int s, float[] dst, int d, int len) {
        if (len >= 16) {
            System.arraycopy(src, s, dst, d, len);
        } else {
            for (int i = 0; i < len; i++) dst[d + i] = src[s + i];
        }
    }

    private static void add(float[] src, int s, float[] dst, int d, int len) {
        for (int i = 0; i < len; i++) dst[d + i] += src[s + i];
    }
}
