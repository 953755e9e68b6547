package dev.myelin.tensor;

/**
 * Settings of 2-D pooling: window, strides (Keras's default: the window size) and padding.
 *
 * <pre>{@code x.maxPool2d(PoolOptions.of(2))}</pre>
 */
public record PoolOptions(int poolH, int poolW, int strideH, int strideW, Padding padding) {
    public PoolOptions {
        if (poolH < 1 || poolW < 1) throw new IllegalArgumentException("pool size must be >= 1, got (" + poolH + ", " + poolW + ")");
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("strides must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (padding == null) throw new IllegalArgumentException("padding must not be null");
    }

    /** A square window of {@code size}, stride {@code size}, VALID padding. */
    public static PoolOptions of(int size) {
        return new PoolOptions(size, size, size, size, Padding.VALID);
    }

    public PoolOptions strides(int stride) {
        return new PoolOptions(poolH, poolW, stride, stride, padding);
    }

    public PoolOptions padding(Padding padding) {
        return new PoolOptions(poolH, poolW, strideH, strideW, padding);
    }
}
