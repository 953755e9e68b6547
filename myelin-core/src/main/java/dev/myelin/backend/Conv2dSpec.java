package dev.myelin.backend;

/**
 * Geometry of a 2-D convolution, channels-last: input {@code [n, h, w, c]}, kernel {@code [kh, kw, c, f]},
 * output {@code [n, oh, ow, f]} with
 * {@code out[b, y, x, o] = Σ_{i,j,c} in[b, y·strideH + i·dilationH − padTop, x·strideW + j·dilationW − padLeft, c] · k[i, j, c, o]},
 * where positions outside the input read as zero. Output sizes come from the output view.
 */
public record Conv2dSpec(int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft) {
    public Conv2dSpec {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("strides must be >= 1, got " + strideH + ", " + strideW);
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("dilation must be >= 1, got " + dilationH + ", " + dilationW);
        }
        if (padTop < 0 || padLeft < 0) throw new IllegalArgumentException("padding must be >= 0, got " + padTop + ", " + padLeft);
    }
}
