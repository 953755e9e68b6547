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
