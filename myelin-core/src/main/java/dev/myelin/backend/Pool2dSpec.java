package dev.myelin.backend;

/**
 * Geometry of 2-D pooling, channels-last: input {@code [n, h, w, c]}, output {@code [n, oh, ow, c]}; the
 * window of output (y, x) starts at input row {@code y·strideH − padTop} and column {@code x·strideW − padLeft}.
 * Positions outside the input are skipped: they never win a max and are not counted in an average
 * (as Keras's "same" padding).
 */
public record Pool2dSpec(int poolH, int poolW, int strideH, int strideW, int padTop, int padLeft) {
    public Pool2dSpec {
        if (poolH < 1 || poolW < 1) throw new IllegalArgumentException("pool size must be >= 1, got " + poolH + ", " + poolW);
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("strides must be >= 1, got " + strideH + ", " + strideW);
        if (padTop < 0 || padLeft < 0) throw new IllegalArgumentException("padding must be >= 0, got " + padTop + ", " + padLeft);
    }
}
