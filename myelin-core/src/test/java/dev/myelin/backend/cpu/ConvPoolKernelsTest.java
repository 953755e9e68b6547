package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.backend.Conv2dSpec;
import dev.myelin.backend.DoubleStorage;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.Pool2dSpec;
import dev.myelin.backend.PoolMode;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.View;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CpuBackend}'s convolution and pooling kernels against {@link ReferenceBackend}. */
class ConvPoolKernelsTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend CPU = new CpuBackend();
    /** Tolerance relative to the sum of magnitudes of the terms of each result element. */
    private static final double RTOL = 1e-5;
    private static final int DEFAULT_THREADS = Parallel.threads();

    @AfterEach
    void restoreDefaults() {
        Parallel.setThreads(DEFAULT_THREADS);
        Conv2dKernels.strategy = Conv2dKernels.Strategy.AUTO;
        Conv2dDirect.blocking = MACHINE_BLOCKING;
        Conv2dKernels.stridedPhases = true;
        Conv2dKernels.phasesInPlace = true;
        Conv2dDirect.skipPaddingTaps = true;
        Conv2dDirect.pairTile8 = true;
        Conv2dDirect.kernelGradImages = DEFAULT_KERNEL_GRAD_IMAGES;
    }

    private static final int DEFAULT_KERNEL_GRAD_IMAGES = Conv2dDirect.kernelGradImages;

    private static final Conv2dDirect.Blocking MACHINE_BLOCKING = Conv2dDirect.blocking;

    /**
     * One convolution: batch, image size, channels, filters, kernel size, strides, dilation, padding at the
     * top/left, extra rows/columns of padding at the bottom/right beyond the top/left amount.
     */
    record Conv(int n, int h, int w, int c, int f, int kh, int kw, int s, int d, int pad, int extra) {
        int oh() {
            return (h + 2 * pad + extra - d * (kh - 1) - 1) / s + 1;
        }

        int ow() {
            return (w + 2 * pad + extra - d * (kw - 1) - 1) / s + 1;
        }

        Conv2dSpec spec() {
            return new Conv2dSpec(s, s, d, d, pad, pad);
        }

        @Override
        public String toString() {
            return String.format("n%d %dx%dx%d->%d k%dx%d s%d d%d pad%d+%d", n, h, w, c, f, kh, kw, s, d, pad, extra);
        }
    }

    static Stream<Conv> convs() {
        List<Conv> list = new ArrayList<>();
        int[][] kernels = {{1, 1}, {3, 3}, {5, 3}};
        int variant = 0;
        // Every (c, f, kernel) meets two of the 24 (stride, dilation, padding, batch) combinations, in turn.
        for (int c : new int[] {1, 3, 8, 17}) {
            for (int f : new int[] {1, 5, 32}) {
                for (int[] k : kernels) {
                    for (int rep = 0; rep < 2; rep++, variant++) {
                        int v = variant % 24;
                        int s = 1 + v % 2, d = 1 + v / 2 % 2, pad = v / 4 % 3, n = v / 12 == 0 ? 1 : 3;
                        list.add(new Conv(n, 7, 9, c, f, k[0], k[1], s, d, pad, variant % 5 == 0 ? 1 : 0));
                    }
                }
            }
        }
        // Pointwise (input is the patch matrix), larger images (several chunks), odd extra padding.
        list.add(new Conv(3, 7, 9, 17, 5, 1, 1, 1, 1, 0, 0));
        list.add(new Conv(2, 24, 23, 17, 99, 1, 1, 1, 1, 0, 0)); // pointwise with a bias: 4 row chunks, the last one short
        list.add(new Conv(2, 28, 28, 1, 32, 3, 3, 1, 1, 0, 0));
        list.add(new Conv(2, 28, 28, 3, 8, 3, 3, 1, 1, 1, 0));
        list.add(new Conv(2, 28, 28, 8, 32, 3, 3, 2, 1, 1, 1));
        list.add(new Conv(3, 13, 13, 32, 17, 3, 3, 1, 1, 0, 0));
        list.add(new Conv(1, 9, 7, 3, 5, 3, 3, 1, 1, 2, 1));
        list.add(new Conv(1, 9, 7, 3, 5, 2, 2, 1, 1, 0, 1));
        // Every tile shape of the direct kernels: 2 and 4 input channels, 48 and 85 (64 + 16 + 5) filters.
        list.add(new Conv(2, 7, 9, 2, 16, 3, 3, 1, 1, 1, 0));
        list.add(new Conv(1, 9, 7, 4, 48, 5, 3, 1, 2, 2, 1));
        list.add(new Conv(1, 6, 7, 3, 85, 3, 3, 1, 1, 1, 0));
        list.add(new Conv(2, 6, 7, 20, 85, 3, 3, 1, 1, 1, 0));
        // 32 and 96 filters: the wide kernel gradient's 12-row tiles, 45 and 27 patch rows (a short last tile).
        list.add(new Conv(2, 9, 8, 5, 32, 3, 3, 1, 1, 1, 0));
        list.add(new Conv(1, 8, 9, 3, 96, 3, 3, 2, 1, 1, 0));
        // Conv2dFewChannels: whole tiles, the overlapping last tile and border pixels in one row (same padding,
        // stride 2 with dilation 2 and extra bottom/right padding).
        list.add(new Conv(3, 28, 27, 3, 32, 3, 3, 1, 1, 1, 0));
        list.add(new Conv(1, 15, 17, 1, 64, 3, 3, 2, 2, 2, 1));
        // The stride-1 input gradient as a flipped forward convolution: padding beyond the kernel's reach (a
        // negative padding of the flipped convolution), dilation 2 with extra padding, and several chunks per image.
        list.add(new Conv(1, 9, 7, 8, 5, 2, 2, 1, 1, 2, 1));
        list.add(new Conv(3, 11, 10, 17, 7, 3, 3, 1, 2, 1, 1));
        list.add(new Conv(2, 14, 13, 64, 72, 3, 3, 1, 1, 1, 0));
        // Stride 2 with many channels: the transposed kernel's input gradient, kernel gradients over several groups.
        list.add(new Conv(3, 15, 14, 40, 24, 3, 3, 2, 1, 1, 0));
        list.add(new Conv(2, 30, 31, 40, 24, 3, 3, 2, 1, 1, 1)); // 3 chunks of a whole number of 6-row strips, the last short
        // Pointwise kernel gradients summed over 3 groups of pixels (the last one short), 5 and 70 channels: SGEMM rows
        // that are not a multiple of 6.
        list.add(new Conv(1, 67, 97, 5, 7, 1, 1, 1, 1, 0, 0));
        list.add(new Conv(1, 70, 90, 70, 9, 1, 1, 1, 1, 0, 0));
        // The strided input gradient by phases: 3x3 at stride 3 and 2x3 at stride 2 (phases of one tap), padding beyond
        // the kernel's reach, odd sizes, 32 input channels (SGEMM's forward) and 64 -> 128 with the extra bottom/right
        // padding of Keras's "same" at stride 2 (the direct forward), a 5x3 kernel with 17 channels; kernels smaller
        // than the stride (1x1 at stride 2, 2x3 at stride 3) keep col2im.
        list.add(new Conv(2, 11, 10, 6, 9, 3, 3, 3, 1, 1, 1));
        list.add(new Conv(1, 10, 9, 4, 6, 2, 3, 2, 1, 0, 1));
        list.add(new Conv(2, 9, 8, 5, 7, 1, 1, 2, 1, 0, 0));
        list.add(new Conv(2, 11, 10, 6, 9, 2, 3, 3, 1, 1, 1));
        list.add(new Conv(1, 9, 9, 3, 5, 3, 3, 2, 1, 2, 1));
        list.add(new Conv(2, 13, 12, 32, 16, 3, 3, 2, 1, 1, 0));
        list.add(new Conv(1, 14, 14, 64, 128, 3, 3, 2, 1, 0, 1));
        list.add(new Conv(3, 12, 11, 17, 20, 5, 3, 2, 1, 1, 0));
        // Kernel gradients of small images (fewer output pixels than Conv2dKernels.DIRECT_KERNEL_GRAD_MIN_PIXELS).
        list.add(new Conv(5, 6, 6, 24, 40, 3, 3, 1, 1, 1, 0));
        // Empty output (kernel larger than the input): nothing to write, zero gradients.
        list.add(new Conv(2, 2, 2, 3, 32, 3, 3, 1, 1, 0, 0));
        list.add(new Conv(2, 2, 2, 1, 4, 3, 3, 1, 1, 0, 0));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convs")
    void conv2dMatchesReference(Conv cv) {
        // Both implementations of every kernel: im2col + SGEMM and the direct kernels.
        for (Conv2dKernels.Strategy s : Conv2dKernels.Strategy.values()) {
            Conv2dKernels.strategy = s;
            checkConv(cv, s);
        }
    }

    static Stream<Conv> stridedConvs() {
        return convs().filter(cv -> cv.s > 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stridedConvs")
    void stridedInputGradientByColToImMatchesReference(Conv cv) {
        // The strided input gradient's other formulation (gradOut·Wᵀ scattered by col2im), kept for measurements.
        Conv2dKernels.stridedPhases = false;
        for (Conv2dKernels.Strategy s : Conv2dKernels.Strategy.values()) {
            Conv2dKernels.strategy = s;
            checkConv(cv, s);
        }
    }

    private static void checkConv(Conv cv, Conv2dKernels.Strategy strategy) {
        SplittableRandom rnd = new SplittableRandom(cv.hashCode());
        float[] x = random(rnd, cv.n * cv.h * cv.w * cv.c);
        float[] k = random(rnd, cv.kh * cv.kw * cv.c * cv.f);
        float[] dy = random(rnd, cv.n * cv.oh() * cv.ow() * cv.f);
        int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
        Conv2dSpec spec = cv.spec();

        float[] y = garbage(dy.length);
        CPU.conv2d(view(x, xs), view(k, ks), spec, view(y, ys));
        double[] yRef = new double[y.length], yMag = new double[y.length];
        REF.conv2d(dview(x, xs, false), dview(k, ks, false), spec, dview(yRef, ys));
        REF.conv2d(dview(x, xs, true), dview(k, ks, true), spec, dview(yMag, ys));
        assertClose("conv2d " + strategy + " " + cv, y, yRef, yMag);

        float[] dx = garbage(x.length);
        CPU.conv2dBackwardInput(view(dy, ys), view(k, ks), spec, view(dx, xs));
        double[] dxRef = new double[x.length], dxMag = new double[x.length];
        REF.conv2dBackwardInput(dview(dy, ys, false), dview(k, ks, false), spec, dview(dxRef, xs));
        REF.conv2dBackwardInput(dview(dy, ys, true), dview(k, ks, true), spec, dview(dxMag, xs));
        assertClose("conv2dBackwardInput " + strategy + " " + cv, dx, dxRef, dxMag);

        float[] dk = garbage(k.length);
        CPU.conv2dBackwardKernel(view(x, xs), view(dy, ys), spec, view(dk, ks));
        double[] dkRef = new double[k.length], dkMag = new double[k.length];
        REF.conv2dBackwardKernel(dview(x, xs, false), dview(dy, ys, false), spec, dview(dkRef, ks));
        REF.conv2dBackwardKernel(dview(x, xs, true), dview(dy, ys, true), spec, dview(dkMag, ks));
        assertClose("conv2dBackwardKernel " + strategy + " " + cv, dk, dkRef, dkMag);
    }

    @Test
    void blockingIsChosenFromTheVectorRegisters() {
        assertEquals(Conv2dDirect.Blocking.NARROW, Conv2dDirect.Blocking.forMachine(256, "amd64"));
        assertEquals(Conv2dDirect.Blocking.NARROW, Conv2dDirect.Blocking.forMachine(128, "x86_64"));
        assertEquals(Conv2dDirect.Blocking.WIDE, Conv2dDirect.Blocking.forMachine(512, "amd64"));
        assertEquals(Conv2dDirect.Blocking.WIDE, Conv2dDirect.Blocking.forMachine(128, "aarch64"));
    }

    /**
     * Both register blockings of the direct kernels, whichever this machine picks: each against the
     * reference, and bit for bit against each other (same terms summed in the same order per element).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("convs")
    void directBlockingsMatchReferenceAndEachOther(Conv cv) {
        Conv2dKernels.strategy = Conv2dKernels.Strategy.DIRECT;
        float[][] results = new float[2][];
        for (Conv2dDirect.Blocking b : Conv2dDirect.Blocking.values()) {
            Conv2dDirect.blocking = b;
            checkConv(cv, Conv2dKernels.Strategy.DIRECT);
            results[b.ordinal()] = convResults(cv, new SplittableRandom(11));
        }
        assertArrayEquals(results[0], results[1], "WIDE vs NARROW: " + cv);
    }

    /**
     * Tiles of the direct kernels whose pixels all see padding in some taps (forward, stride-1 input gradient) and
     * kernel-gradient tiles whose taps read padding at some pixels: "same" with padding 1 and 2, valid (whose
     * stride-1 input gradient is a flipped convolution with padding kernel − 1), 7x7, 14x14 and odd sizes, dilation 2,
     * stride 2, extra bottom/right padding, padding beyond the kernel's reach (tiles with no tap or no pixel left),
     * filters and input channels that end in a partial vector, kernel-gradient tiles across two or three taps (9, 17
     * and 20 channels), every tile shape (4x4: 64+ filters, 12x2: 32 left, 6x2, 8x1), whole images and blocks of rows.
     */
    static Stream<Conv> paddedConvs() {
        return Stream.of(
                new Conv(2, 7, 7, 24, 64, 3, 3, 1, 1, 1, 0),
                new Conv(1, 7, 7, 20, 85, 3, 3, 1, 1, 1, 0),
                new Conv(2, 14, 14, 32, 64, 3, 3, 1, 1, 0, 0),
                new Conv(1, 14, 14, 17, 40, 5, 5, 1, 1, 2, 0),
                new Conv(1, 13, 11, 9, 33, 3, 5, 1, 1, 2, 1),
                new Conv(2, 9, 10, 16, 48, 3, 3, 1, 2, 2, 0),
                new Conv(1, 11, 9, 20, 21, 3, 3, 1, 2, 1, 1),
                new Conv(1, 5, 6, 16, 16, 3, 3, 1, 1, 4, 0),
                new Conv(1, 12, 13, 8, 70, 3, 3, 2, 1, 1, 1),
                new Conv(3, 28, 28, 32, 32, 3, 3, 1, 1, 1, 0),
                new Conv(2, 7, 7, 64, 128, 3, 3, 1, 1, 1, 0),
                new Conv(1, 14, 14, 32, 96, 3, 3, 1, 2, 2, 0),
                new Conv(2, 14, 14, 17, 48, 3, 3, 2, 1, 0, 1),
                new Conv(1, 6, 5, 3, 32, 3, 3, 1, 1, 3, 1));
    }

    /**
     * Skipping the taps that read padding changes no result: bit for bit the same as the full tap loop, on both
     * register blockings and 1 or 2 threads, and within tolerance of the reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paddedConvs")
    void skippedPaddingTapsGiveTheFullLoopsResults(Conv cv) {
        for (Conv2dDirect.Blocking b : Conv2dDirect.Blocking.values()) {
            Conv2dDirect.blocking = b;
            assertVariantGivesTheSameBits(cv, 13, b.toString(),
                    () -> Conv2dDirect.skipPaddingTaps = false, () -> Conv2dDirect.skipPaddingTaps = true);
        }
    }

    /**
     * The direct kernels' results with {@code variant} switched on, on 1 and 2 threads, equal bit for bit those with
     * {@code baseline} on 1 thread, and match the float64 reference.
     */
    private static void assertVariantGivesTheSameBits(Conv cv, int seed, String label, Runnable baseline, Runnable variant) {
        Conv2dKernels.strategy = Conv2dKernels.Strategy.DIRECT;
        baseline.run();
        Parallel.setThreads(1);
        float[] expected = convResults(cv, new SplittableRandom(seed));
        variant.run();
        checkConv(cv, Conv2dKernels.Strategy.DIRECT);
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            assertArrayEquals(expected, convResults(cv, new SplittableRandom(seed)), label + ", " + threads + " threads: " + cv);
        }
    }

    /**
     * Results whose channels end in a pair of filter vectors on 32 registers (WIDE): 32 filters, 96 (4 + 2 vectors),
     * 40 and 48 (a pair, then a partial or whole vector), and input gradients into 32 or 33 channels; tiles of 8 pixels
     * with a short last one (CNN C's 13x13 output: 169 = 21·8 + 1), valid and "same" (border order) and dilation 2.
     */
    static Stream<Conv> pairTileConvs() {
        return Stream.concat(paddedConvs(), Stream.of(
                new Conv(2, 15, 15, 32, 64, 3, 3, 1, 1, 0, 0),
                new Conv(1, 11, 9, 33, 40, 3, 3, 1, 1, 1, 1),
                new Conv(3, 9, 8, 5, 32, 3, 3, 1, 1, 0, 0),
                new Conv(1, 10, 7, 32, 32, 5, 3, 1, 2, 2, 0)));
    }

    /**
     * The 8x2 tiles of a last pair of filter vectors (WIDE) give bit for bit the 6x2 tiles' results (each element sums
     * the same terms in the same order), on 1 and 2 threads, and match the float64 reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pairTileConvs")
    void pairTilesOfEightPixelsGiveTheSixPixelTilesResults(Conv cv) {
        Conv2dDirect.blocking = Conv2dDirect.Blocking.WIDE;
        assertVariantGivesTheSameBits(cv, 17, "8x2 pair tiles", () -> Conv2dDirect.pairTile8 = false, () -> Conv2dDirect.pairTile8 = true);
    }

    /**
     * Strided input gradients whose phases the direct kernels write straight into dx: stride 2 with "same" padding and
     * the extra bottom/right row (every phase a different sub-kernel, one of them 1x1 and pointwise, which keeps its
     * buffer), 32 and 64 input channels (8x2 and 4x4 tiles), a partial vector of channels (17: packed weights, masked
     * stores), stride 3 and a 5x5 kernel, few filters (f ≤ 4: Conv2dFewChannels's phases keep the buffer), whole
     * images (16 or more) and blocks of rows.
     */
    static Stream<Conv> phaseConvs() {
        return Stream.concat(stridedConvs().filter(cv -> cv.d == 1 && cv.kh >= cv.s && cv.kw >= cv.s), Stream.of(
                new Conv(2, 14, 14, 32, 64, 3, 3, 2, 1, 0, 1),
                new Conv(17, 8, 8, 64, 32, 3, 3, 2, 1, 1, 0),
                new Conv(2, 14, 14, 17, 48, 3, 3, 2, 1, 0, 1),
                new Conv(1, 13, 11, 20, 40, 5, 5, 2, 1, 2, 1),
                new Conv(2, 12, 12, 16, 24, 3, 3, 3, 1, 1, 0),
                new Conv(2, 11, 9, 8, 4, 3, 3, 2, 1, 1, 1)));
    }

    /**
     * Writing the phases of a strided input gradient straight into dx gives bit for bit the buffered phases' results
     * (the same kernels, only stored elsewhere), on both register blockings and 1 or 2 threads, and covers every
     * element of dx (the results start as garbage).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("phaseConvs")
    void phasesWrittenInPlaceGiveTheBufferedPhasesResults(Conv cv) {
        for (Conv2dDirect.Blocking b : Conv2dDirect.Blocking.values()) {
            Conv2dDirect.blocking = b;
            assertVariantGivesTheSameBits(cv, 19, "phases in place, " + b,
                    () -> Conv2dKernels.phasesInPlace = false, () -> Conv2dKernels.phasesInPlace = true);
        }
    }

    /**
     * Batches of 16 or more images, whose kernel-gradient blocks are whole images: the micro-kernels then sum several
     * images per call. Same padding (copied slabs) and valid (read in place), stride 2 with dilation 2 and extra
     * padding, every tile shape (4x4 with 64 filters, 12x2 with 32, 8x1 with a partial vector, 6x2 on NARROW), groups
     * with a short last one (17 images: 3 per group), and images too large for one call (24 of 20x20x16 -> 48: 2 per
     * call, groups of 3).
     */
    static Stream<Conv> wholeImageConvs() {
        return Stream.of(
                new Conv(17, 7, 7, 24, 64, 3, 3, 1, 1, 1, 0),
                new Conv(16, 7, 7, 20, 85, 3, 3, 1, 1, 1, 0),
                new Conv(18, 6, 6, 5, 32, 3, 3, 1, 1, 0, 0),
                new Conv(20, 5, 6, 3, 40, 3, 3, 2, 2, 1, 1),
                new Conv(24, 20, 20, 16, 48, 3, 3, 1, 1, 1, 0));
    }

    /**
     * Summing several images per kernel-gradient micro-kernel call keeps each element's sum order: bit for bit the
     * result of one call per image, on both register blockings, with and without skipped padding, on 1 or 2 threads,
     * and within tolerance of the float64 reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeImageConvs")
    void kernelGradientOverSeveralImagesPerCallMatchesOneImagePerCall(Conv cv) {
        Conv2dKernels.strategy = Conv2dKernels.Strategy.DIRECT;
        SplittableRandom rnd = new SplittableRandom(cv.hashCode());
        float[] x = random(rnd, cv.n * cv.h * cv.w * cv.c);
        float[] dy = random(rnd, cv.n * cv.oh() * cv.ow() * cv.f);
        int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
        double[] ref = new double[cv.kh * cv.kw * cv.c * cv.f], mag = new double[ref.length];
        REF.conv2dBackwardKernel(dview(x, xs, false), dview(dy, ys, false), cv.spec(), dview(ref, ks));
        REF.conv2dBackwardKernel(dview(x, xs, true), dview(dy, ys, true), cv.spec(), dview(mag, ks));
        for (Conv2dDirect.Blocking b : Conv2dDirect.Blocking.values()) {
            for (boolean skip : new boolean[] {false, true}) {
                Conv2dDirect.blocking = b;
                Conv2dDirect.skipPaddingTaps = skip;
                Conv2dDirect.kernelGradImages = 1;
                Parallel.setThreads(1);
                float[] single = garbage(ref.length);
                CPU.conv2dBackwardKernel(view(x, xs), view(dy, ys), cv.spec(), view(single, ks));
                assertClose("one image per call, " + b + ", skip " + skip + ": " + cv, single, ref, mag);
                Conv2dDirect.kernelGradImages = DEFAULT_KERNEL_GRAD_IMAGES;
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    float[] dk = garbage(ref.length);
                    CPU.conv2dBackwardKernel(view(x, xs), view(dy, ys), cv.spec(), view(dk, ks));
                    assertArrayEquals(single, dk, b + ", skip " + skip + ", " + threads + " threads: " + cv);
                }
            }
        }
    }

    @Test
    void tapRangesKeepTheTapsInsideTheImage() {
        // Output position o reads source o·stride − pad + tap·dil; taps whose source lies outside [0, n) are skipped.
        for (int k = 1; k <= 5; k++) {
            for (int stride = 1; stride <= 2; stride++) {
                for (int dil = 1; dil <= 2; dil++) {
                    for (int pad = -2; pad <= 5; pad++) {
                        for (int n = 1; n <= 6; n++) {
                            for (int o = 0; o < 8; o++) {
                                int first = -1, end = 0;
                                for (int t = 0; t < k; t++) {
                                    int src = o * stride - pad + t * dil;
                                    if (src >= 0 && src < n) {
                                        if (first < 0) first = t;
                                        end = t + 1;
                                    }
                                }
                                String at = "k" + k + " s" + stride + " d" + dil + " pad" + pad + " n" + n + " o" + o;
                                int gotFirst = Conv2dDirect.firstTap(o, stride, pad, dil, k);
                                int gotEnd = Conv2dDirect.endTap(o, stride, pad, dil, k, n);
                                if (end > 0) {
                                    assertEquals(first, gotFirst, "first, " + at);
                                    assertEquals(end, gotEnd, "end, " + at);
                                } else {
                                    assertTrue(gotEnd <= gotFirst, "empty, " + at);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void pixelRangesKeepTheSourceInsideTheImage() {
        // Tap t of output position o reads source o·stride − pad + t·dil; the outputs whose source lies in [0, n) form
        // the range [firstOut, endOut).
        for (int t = 0; t < 5; t++) {
            for (int stride = 1; stride <= 3; stride++) {
                for (int dil = 1; dil <= 2; dil++) {
                    for (int pad = 0; pad <= 5; pad++) {
                        for (int n = 1; n <= 9; n++) {
                            int first = -1, end = 0;
                            for (int o = 0; o < 20; o++) {
                                int src = o * stride - pad + t * dil;
                                if (src >= 0 && src < n) {
                                    if (first < 0) first = o;
                                    end = o + 1;
                                }
                            }
                            String at = "t" + t + " s" + stride + " d" + dil + " pad" + pad + " n" + n;
                            int gotFirst = Conv2dDirect.firstOut(t, stride, pad, dil);
                            int gotEnd = Conv2dDirect.endOut(t, stride, pad, dil, n);
                            if (end > 0) {
                                assertEquals(first, gotFirst, "first, " + at);
                                assertEquals(end, gotEnd, "end, " + at);
                            } else {
                                assertTrue(gotEnd <= gotFirst, "empty, " + at);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Forward, input gradient and kernel gradient of {@code cv} on random operands, concatenated. */
    private static float[] convResults(Conv cv, SplittableRandom rnd) {
        float[] x = random(rnd, cv.n * cv.h * cv.w * cv.c);
        float[] k = random(rnd, cv.kh * cv.kw * cv.c * cv.f);
        float[] dy = random(rnd, cv.n * cv.oh() * cv.ow() * cv.f);
        int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
        float[] y = garbage(dy.length), dx = garbage(x.length), dk = garbage(k.length);
        CPU.conv2d(view(x, xs), view(k, ks), cv.spec(), view(y, ys));
        CPU.conv2dBackwardInput(view(dy, ys), view(k, ks), cv.spec(), view(dx, xs));
        CPU.conv2dBackwardKernel(view(x, xs), view(dy, ys), cv.spec(), view(dk, ks));
        return concat(y, dx, dk);
    }

    /**
     * The fused bias ({@code conv2dBias}) gives exactly conv2d followed by the add, on every path (im2col +
     * SGEMM, direct with either blocking, pointwise), for a bias read at an offset; the reference's default
     * (conv2d, then the add in place) matches the definition.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("convs")
    void fusedBiasEqualsConvThenAdd(Conv cv) {
        SplittableRandom rnd = new SplittableRandom(cv.hashCode() + 1);
        float[] x = random(rnd, cv.n * cv.h * cv.w * cv.c);
        float[] k = random(rnd, cv.kh * cv.kw * cv.c * cv.f);
        float[] bias = random(rnd, cv.f + 3);
        int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
        View b = new View(new FloatStorage(bias), new int[] {cv.f}, new int[] {1}, 3);
        for (Conv2dKernels.Strategy s : Conv2dKernels.Strategy.values()) {
            for (Conv2dDirect.Blocking bl : Conv2dDirect.Blocking.values()) {
                Conv2dKernels.strategy = s;
                Conv2dDirect.blocking = bl;
                float[] expected = garbage(cv.n * cv.oh() * cv.ow() * cv.f);
                CPU.conv2d(view(x, xs), view(k, ks), cv.spec(), view(expected, ys));
                for (int i = 0; i < expected.length; i++) expected[i] += bias[3 + i % cv.f];
                float[] y = garbage(expected.length);
                CPU.conv2dBias(view(x, xs), view(k, ks), b, cv.spec(), view(y, ys));
                assertArrayEquals(expected, y, "conv2dBias " + s + " " + bl + " " + cv);
                for (int i = 0; i < expected.length; i++) expected[i] = (float) UnaryOp.RELU.apply(expected[i], 0, 0);
                float[] r = garbage(expected.length);
                CPU.conv2dBiasRelu(view(x, xs), view(k, ks), b, cv.spec(), view(r, ys));
                assertArrayEquals(expected, r, "conv2dBiasRelu " + s + " " + bl + " " + cv);
            }
        }
        double[] yRef = new double[cv.n * cv.oh() * cv.ow() * cv.f], yMag = new double[yRef.length];
        double[] bd = new double[cv.f], bAbs = new double[cv.f];
        for (int o = 0; o < cv.f; o++) {
            bd[o] = bias[3 + o];
            bAbs[o] = Math.abs(bias[3 + o]);
        }
        REF.conv2dBias(dview(x, xs, false), dview(k, ks, false), dview(bd, new int[] {cv.f}), cv.spec(), dview(yRef, ys));
        REF.conv2dBias(dview(x, xs, true), dview(k, ks, true), dview(bAbs, new int[] {cv.f}), cv.spec(), dview(yMag, ys));
        float[] y = garbage(yRef.length);
        Conv2dKernels.strategy = Conv2dKernels.Strategy.AUTO;
        Conv2dDirect.blocking = MACHINE_BLOCKING;
        CPU.conv2dBias(view(x, xs), view(k, ks), b, cv.spec(), view(y, ys));
        assertClose("conv2dBias vs reference " + cv, y, yRef, yMag);
    }

    @ParameterizedTest
    @EnumSource(Conv2dKernels.Strategy.class)
    void fusedBiasDoesNotDependOnThreadCount(Conv2dKernels.Strategy strategy) {
        Conv2dKernels.strategy = strategy;
        for (Conv cv : List.of(new Conv(4, 28, 28, 1, 32, 3, 3, 1, 1, 0, 0), new Conv(3, 28, 28, 8, 5, 3, 3, 2, 2, 2, 1),
                new Conv(2, 16, 16, 32, 64, 1, 1, 1, 1, 0, 0), new Conv(2, 24, 23, 17, 99, 1, 1, 1, 1, 0, 0),
                new Conv(5, 13, 13, 32, 61, 3, 3, 1, 1, 1, 0))) {
            SplittableRandom rnd = new SplittableRandom(5);
            float[] x = random(rnd, cv.n * cv.h * cv.w * cv.c);
            float[] k = random(rnd, cv.kh * cv.kw * cv.c * cv.f);
            float[] bias = random(rnd, cv.f);
            int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
            float[][] results = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                float[] y = garbage(cv.n * cv.oh() * cv.ow() * cv.f);
                CPU.conv2dBias(view(x, xs), view(k, ks), view(bias, new int[] {cv.f}), cv.spec(), view(y, ys));
                float[] r = garbage(y.length);
                CPU.conv2dBiasRelu(view(x, xs), view(k, ks), view(bias, new int[] {cv.f}), cv.spec(), view(r, ys));
                results[threads - 1] = concat(y, r);
            }
            assertArrayEquals(results[0], results[1], "1 vs 2 threads, " + strategy + ": " + cv);
        }
    }

    @ParameterizedTest
    @EnumSource(Conv2dKernels.Strategy.class)
    void convResultsDoNotDependOnThreadCount(Conv2dKernels.Strategy strategy) {
        Conv2dKernels.strategy = strategy;
        for (Conv cv : List.of(new Conv(4, 28, 28, 1, 32, 3, 3, 1, 1, 0, 0), new Conv(3, 28, 28, 8, 5, 3, 3, 2, 2, 2, 1),
                new Conv(2, 16, 16, 32, 64, 1, 1, 1, 1, 0, 0), new Conv(5, 13, 13, 32, 64, 3, 3, 1, 1, 1, 0),
                new Conv(1, 67, 97, 5, 7, 1, 1, 1, 1, 0, 0), new Conv(2, 30, 31, 40, 24, 3, 3, 2, 1, 1, 1))) {
            SplittableRandom rnd = new SplittableRandom(7);
            float[] x = random(rnd, cv.n * cv.h * cv.w * cv.c);
            float[] k = random(rnd, cv.kh * cv.kw * cv.c * cv.f);
            float[] dy = random(rnd, cv.n * cv.oh() * cv.ow() * cv.f);
            int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
            for (Conv2dDirect.Blocking blocking : Conv2dDirect.Blocking.values()) {
                Conv2dDirect.blocking = blocking;
                float[][] results = new float[2][];
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    float[] y = new float[dy.length], dx = new float[x.length], dk = new float[k.length];
                    CPU.conv2d(view(x, xs), view(k, ks), cv.spec(), view(y, ys));
                    CPU.conv2dBackwardInput(view(dy, ys), view(k, ks), cv.spec(), view(dx, xs));
                    CPU.conv2dBackwardKernel(view(x, xs), view(dy, ys), cv.spec(), view(dk, ks));
                    results[threads - 1] = concat(y, dx, dk);
                }
                assertArrayEquals(results[0], results[1], "1 vs 2 threads, " + strategy + " " + blocking + ": " + cv);
            }
        }
    }

    @Test
    void nonContiguousAndDoubleViewsFallBackToReference() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = random(rnd, 2 * 5 * 6 * 3), k = random(rnd, 3 * 3 * 3 * 4);
        // A transposed input: [2, 5, 6, 3] seen through swapped height/width strides of a [2, 6, 5, 3] array.
        View xt = new View(new FloatStorage(x), new int[] {2, 5, 6, 3}, new int[] {90, 3, 15, 1}, 0);
        int[] ys = {2, 3, 4, 4};
        float[] y = new float[2 * 3 * 4 * 4];
        double[] yRef = new double[y.length];
        CPU.conv2d(xt, view(k, new int[] {3, 3, 3, 4}), new Conv2dSpec(1, 1, 1, 1, 0, 0), view(y, ys));
        REF.conv2d(xt, view(k, new int[] {3, 3, 3, 4}), new Conv2dSpec(1, 1, 1, 1, 0, 0), dview(yRef, ys));
        for (int i = 0; i < y.length; i++) assertEquals((float) yRef[i], y[i], "element " + i);
    }

    /** One pooling case: batch, image size, channels, window, strides, top/left padding, extra bottom/right. */
    record Pool(int n, int h, int w, int c, int p, int s, int pad, int extra) {
        int oh() {
            return (h + 2 * pad + extra - p) / s + 1;
        }

        int ow() {
            return (w + 2 * pad + extra - p) / s + 1;
        }

        Pool2dSpec spec() {
            return new Pool2dSpec(p, p, s, s, pad, pad);
        }

        @Override
        public String toString() {
            return String.format("n%d %dx%dx%d pool%d s%d pad%d+%d", n, h, w, c, p, s, pad, extra);
        }
    }

    static Stream<Pool> pools() {
        List<Pool> list = new ArrayList<>();
        int[][] windows = {{2, 2, 0}, {3, 2, 1}, {2, 1, 0}}; // pool, stride, padding
        for (int c : new int[] {1, 3, 8, 17, 33}) {
            for (int[] wd : windows) {
                list.add(new Pool(1, 7, 9, c, wd[0], wd[1], wd[2], 0));
                list.add(new Pool(3, 7, 9, c, wd[0], wd[1], wd[2], 1));
            }
        }
        list.add(new Pool(2, 28, 28, 32, 2, 2, 0, 0));
        // The whole-2x2-window paths: exact tiling (no zeroing), odd sizes (an uncovered last row and column),
        // gaps between windows (stride 3), partial windows at padded edges; channels around the vector length.
        for (int c : new int[] {1, 15, 16, 17, 33, 129}) {
            list.add(new Pool(2, 8, 10, c, 2, 2, 0, 0));
            list.add(new Pool(1, 9, 7, c, 2, 2, 0, 0));
            list.add(new Pool(1, 8, 8, c, 2, 3, 0, 0));
            list.add(new Pool(1, 7, 8, c, 2, 2, 1, 0));
        }
        list.add(new Pool(2, 28, 28, 16, 3, 2, 1, 1));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void poolingMatchesReference(Pool pl) {
        SplittableRandom rnd = new SplittableRandom(pl.hashCode());
        int[] xs = {pl.n, pl.h, pl.w, pl.c}, ys = {pl.n, pl.oh(), pl.ow(), pl.c};
        int xn = pl.n * pl.h * pl.w * pl.c, yn = pl.n * pl.oh() * pl.ow() * pl.c;
        // Few distinct values, so that windows often hold ties; a few infinities and NaNs.
        float[] x = new float[xn];
        for (int i = 0; i < xn; i++) x[i] = rnd.nextInt(5) - 2;
        x[rnd.nextInt(xn)] = Float.NaN;
        x[rnd.nextInt(xn)] = Float.NEGATIVE_INFINITY;
        x[rnd.nextInt(xn)] = Float.POSITIVE_INFINITY;
        float[] dy = random(rnd, yn);
        for (PoolMode mode : PoolMode.values()) {
            float[] y = garbage(yn);
            CPU.pool2d(mode, view(x, xs), pl.spec(), view(y, ys));
            float[] yRef = new float[yn];
            REF.pool2d(mode, view(x, xs), pl.spec(), view(yRef, ys));
            float[] dx = garbage(xn);
            CPU.pool2dBackward(mode, view(x, xs), view(yRef, ys), view(dy, ys), pl.spec(), view(dx, xs));
            float[] dxRef = new float[xn];
            REF.pool2dBackward(mode, view(x, xs), view(yRef, ys), view(dy, ys), pl.spec(), view(dxRef, xs));
            if (mode == PoolMode.MAX) {
                // A max picks one input value, and its gradient adds the same terms in the same order.
                assertArrayEquals(yRef, y, "max pool " + pl);
                assertArrayEquals(dxRef, dx, "max pool gradient " + pl);
            } else {
                assertCloseFloat("average pool " + pl, y, yRef, 1e-6);
                assertCloseFloat("average pool gradient " + pl, dx, dxRef, 1e-6);
            }
        }
    }

    @Test
    void maxPoolingWithManyNaNsAndTiesMatchesReference() {
        for (Pool pl : new Pool[] {new Pool(2, 8, 10, 33, 2, 2, 0, 0), new Pool(1, 9, 7, 17, 2, 2, 1, 0)}) {
            SplittableRandom rnd = new SplittableRandom(pl.hashCode());
            int[] xs = {pl.n, pl.h, pl.w, pl.c}, ys = {pl.n, pl.oh(), pl.ow(), pl.c};
            int xn = pl.n * pl.h * pl.w * pl.c, yn = pl.n * pl.oh() * pl.ow() * pl.c;
            float[] x = new float[xn];
            for (int i = 0; i < xn; i++) {
                int r = rnd.nextInt(8);
                x[i] = r == 0 ? Float.NaN : r == 1 ? -0f : r == 2 ? Float.NEGATIVE_INFINITY : r - 5;
            }
            float[] dy = random(rnd, yn);
            float[] y = garbage(yn), yRef = new float[yn];
            CPU.pool2d(PoolMode.MAX, view(x, xs), pl.spec(), view(y, ys));
            REF.pool2d(PoolMode.MAX, view(x, xs), pl.spec(), view(yRef, ys));
            assertArrayEquals(yRef, y, "max pool " + pl);
            float[] dx = garbage(xn), dxRef = new float[xn];
            CPU.pool2dBackward(PoolMode.MAX, view(x, xs), view(yRef, ys), view(dy, ys), pl.spec(), view(dx, xs));
            REF.pool2dBackward(PoolMode.MAX, view(x, xs), view(yRef, ys), view(dy, ys), pl.spec(), view(dxRef, xs));
            assertArrayEquals(dxRef, dx, "max pool gradient " + pl);
        }
    }

    @Test
    void poolingResultsDoNotDependOnThreadCount() {
        for (Pool pl : new Pool[] {new Pool(5, 28, 28, 33, 3, 2, 1, 0), new Pool(5, 26, 26, 32, 2, 2, 0, 0)}) {
            SplittableRandom rnd = new SplittableRandom(11);
            int[] xs = {pl.n, pl.h, pl.w, pl.c}, ys = {pl.n, pl.oh(), pl.ow(), pl.c};
            float[] x = random(rnd, pl.n * pl.h * pl.w * pl.c), dy = random(rnd, pl.n * pl.oh() * pl.ow() * pl.c);
            for (PoolMode mode : PoolMode.values()) {
                float[][] results = new float[2][];
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    float[] y = new float[dy.length], dx = new float[x.length];
                    CPU.pool2d(mode, view(x, xs), pl.spec(), view(y, ys));
                    CPU.pool2dBackward(mode, view(x, xs), view(y, ys), view(dy, ys), pl.spec(), view(dx, xs));
                    results[threads - 1] = concat(y, dx);
                }
                assertArrayEquals(results[0], results[1], "1 vs 2 threads: " + mode + " " + pl);
            }
        }
    }

    // ---- helpers ----

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return a;
    }

    /** An output array full of NaN, so that an element the kernel forgets to write shows. */
    private static float[] garbage(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }


    private static View view(float[] a, int[] shape) {
        return new View(new FloatStorage(a), shape, View.contiguousStrides(shape), 0);
    }

    /** A float64 copy of {@code a} (absolute values if asked), for reference results and magnitude sums. */
    private static View dview(float[] a, int[] shape, boolean abs) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = abs ? Math.abs(a[i]) : a[i];
        return dview(d, shape);
    }

    private static View dview(double[] a, int[] shape) {
        return new View(new DoubleStorage(a), shape, View.contiguousStrides(shape), 0);
    }

    /** |actual − expected| ≤ RTOL · magnitude + 1e-30, reporting the worst element. */
    private static void assertClose(String what, float[] actual, double[] expected, double[] magnitude) {
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = RTOL * magnitude[i] + 1e-30;
            double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / allowed;
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worstRatio > 1) {
            fail(String.format("%s: element %d is %s, expected %s (magnitude sum %s)", what, worst, actual[worst],
                    expected[worst], magnitude[worst]));
        }
    }

    private static void assertCloseFloat(String what, float[] actual, float[] expected, double rtol) {
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= rtol * Math.abs(expected[i]) + 1e-6) && !(Float.isNaN(actual[i]) && Float.isNaN(expected[i]))
                    && actual[i] != expected[i]) {
                fail(String.format("%s: element %d is %s, expected %s", what, i, actual[i], expected[i]));
            }
        }
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
