package dev.myelin.tensor;

/**
 * The im2col layout of a 2-D convolution over channels-last input {@code [batch, h, w, c]}: one row per
 * output position ({@code rows = batch·outH·outW}), each row the {@code kh·kw·c} input values under the
 * (strided, dilated) window, in the kernel's {@code [kh, kw, c]} order. For layers that multiply the
 * patches by a kernel stored in another number type (int8, bfloat16) and so cannot use the backend's
 * float convolution.
 *
 * <p>Example: {@code ConvPatches p = ConvPatches.of(options, 3, 3, 32, 28, 28, 1); p.gather(pixels, patches, (at, n) -> {});}
 *
 * @param outH    output height ({@link ConvOptions#outputSize})
 * @param outW    output width
 * @param padTop  rows of padding above the image
 * @param padLeft columns of padding left of the image
 */
public record ConvPatches(ConvOptions options, int kernelH, int kernelW, int batch, int height, int width, int channels, int outH, int outW,
                          int padTop, int padLeft) {
    /** What a window position outside the image holds: {@code fill(at, length)} writes {@code length} padding values at {@code at}. */
    @FunctionalInterface
    public interface PaddingFill {
        void fill(int at, int length);
    }

    /** The layout for a {@code kernelH × kernelW} kernel over {@code [batch, height, width, channels]} input. */
    public static ConvPatches of(ConvOptions options, int kernelH, int kernelW, int batch, int height, int width, int channels) {
        int[] out = options.outputSize(height, width, kernelH, kernelW);
        int eh = options.dilationH() * (kernelH - 1) + 1, ew = options.dilationW() * (kernelW - 1) + 1;
        return new ConvPatches(options, kernelH, kernelW, batch, height, width, channels, out[0], out[1],
                options.padding().padBefore(height, eh, options.strideH()), options.padding().padBefore(width, ew, options.strideW()));
    }

    /** Values per row: {@code kh·kw·c}. */
    public int depth() {
        return kernelH * kernelW * channels;
    }

    /** Rows: {@code batch·outH·outW} (the caller checks the size before allocating, with MemoryCheck). */
    public long rows() {
        return (long) batch * outH * outW;
    }

    /**
     * Copies every window of {@code input} (a primitive array {@code [batch, h, w, c]}) into {@code patches}
     * (an array of the same type, {@code [rows, depth]}); the parts of a window outside the image are left to
     * {@code padding}.
     */
    public void gather(Object input, Object patches, PaddingFill padding) {
        int depth = depth(), row = 0, c = channels;
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++, row++) {
                    int at = row * depth;
                    for (int i = 0; i < kernelH; i++) {
                        int iy = oy * options.strideH() + i * options.dilationH() - padTop;
                        for (int j = 0; j < kernelW; j++, at += c) {
                            int ix = ox * options.strideW() + j * options.dilationW() - padLeft;
                            if (iy < 0 || iy >= height || ix < 0 || ix >= width) padding.fill(at, c);
                            else System.arraycopy(input, ((b * height + iy) * width + ix) * c, patches, at, c);
                        }
                    }
                }
            }
        }
    }
}
