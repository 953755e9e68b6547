package dev.myelin.tensor;

import dev.myelin.backend.Backends;
import dev.myelin.backend.MemoryCheck;

/**
 * Settings of a 2-D convolution: strides, padding and dilation (Keras's defaults: 1, VALID, 1).
 *
 * <pre>{@code x.conv2d(kernel, ConvOptions.defaults().strides(2).padding(Padding.SAME))}</pre>
 */
public record ConvOptions(int strideH, int strideW, Padding padding, int dilationH, int dilationW) {
    public ConvOptions {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("strides must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
        }
        if (padding == null) throw new IllegalArgumentException("padding must not be null");
    }

    /**
     * The one output-size rule of {@code conv2d} (used by {@link Tensor#conv2d} and the Conv2D layer):
     * {@code [outH, outW]} for an {@code h × w} input and a {@code kh × kw} kernel, per axis
     * {@link Padding#outputSize} of the dilated window {@code dilation·(k − 1) + 1}; 0 where the window
     * does not fit the input (VALID padding).
     *
     * <p>Example: a 28×28 input, 3×3 kernel, stride 1, VALID: {@code [26, 26]}.
     */
    public int[] outputSize(int h, int w, int kh, int kw) {
        return new int[] {padding.outputSize(h, window(kh, dilationH), strideH), padding.outputSize(w, window(kw, dilationW), strideW)};
    }

    /**
     * The output-size rule of {@code conv2dTranspose} (the shape whose convolution gives the input back):
     * per axis {@code in·stride} with SAME padding, {@code in·stride + max(window − stride, 0)} with VALID,
     * for the dilated window.
     *
     * <p>Example: a 7×7 input, 4×4 kernel, stride 2, SAME: {@code [14, 14]}.
     */
    public int[] transposedOutputSize(int h, int w, int kh, int kw) {
        return new int[] {transposed(h, window(kh, dilationH), strideH), transposed(w, window(kw, dilationW), strideW)};
    }

    private int transposed(int in, int window, int stride) {
        return padding == Padding.SAME ? in * stride : in * stride + Math.max(window - stride, 0);
    }

    /** The span of a kernel of {@code k} taps spaced {@code dilation} apart. */
    static int window(int k, int dilation) {
        long window = (long) dilation * (k - 1) + 1;
        if (window > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a kernel of " + k + " taps with dilation " + dilation + " spans " + window
                    + " positions, more than an int index can reach");
        }
        return (int) window;
    }

    /**
     * Checks, before a kernel runs, that every position a convolution of an {@code h × w × channels} image
     * with a {@code kh × kw} kernel may read — the image padded on every side by the dilated window, which
     * bounds SAME padding and the input gradient's padding — has an int index: a huge dilation fails here,
     * naming {@code op} and the sizes, instead of wrapping around inside the backend; a padded image that
     * fits an int but not the heap (one copy per thread) fails with what it needs.
     */
    void checkExtent(String op, long h, long w, int channels, int kh, int kw) {
        long ekh = (long) dilationH * (kh - 1) + 1, ekw = (long) dilationW * (kw - 1) + 1;
        int extent;
        try {
            extent = MemoryCheck.elementCount(op, h + 2 * ekh, w + 2 * ekw, channels);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": a " + kh + "x" + kw + " kernel with dilation (" + dilationH + ", " + dilationW
                    + ") spans " + ekh + "x" + ekw + " positions; padded around a " + h + "x" + w + "x" + channels + " image that is "
                    + (h + 2 * ekh) + "x" + (w + 2 * ekw) + "x" + channels + " values, more than an int index can reach", e);
        }
        if (extent >= 1 << 24) { // the direct kernels may copy that padded image once per thread
            MemoryCheck.requireAvailable(op + ": a " + kh + "x" + kw + " kernel with dilation (" + dilationH + ", " + dilationW + ") padding a "
                    + h + "x" + w + "x" + channels + " image to " + (h + 2 * ekh) + "x" + (w + 2 * ekw) + " on " + Backends.threads() + " thread(s)",
                    (long) extent * Float.BYTES * Backends.threads());
        }
    }

    /** Stride 1, VALID padding, no dilation. */
    public static ConvOptions defaults() {
        return new ConvOptions(1, 1, Padding.VALID, 1, 1);
    }

    public ConvOptions strides(int stride) {
        return new ConvOptions(stride, stride, padding, dilationH, dilationW);
    }

    public ConvOptions strides(int strideH, int strideW) {
        return new ConvOptions(strideH, strideW, padding, dilationH, dilationW);
    }

    public ConvOptions padding(Padding padding) {
        return new ConvOptions(strideH, strideW, padding, dilationH, dilationW);
    }

    public ConvOptions dilation(int dilation) {
        return new ConvOptions(strideH, strideW, padding, dilation, dilation);
    }
}
