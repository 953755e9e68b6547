package dev.myelin.tensor;

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
        return dilation * (k - 1) + 1;
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
