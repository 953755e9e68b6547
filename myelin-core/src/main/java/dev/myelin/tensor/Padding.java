package dev.myelin.tensor;

/**
 * How a convolution or pooling window treats the border, as in Keras.
 * <ul>
 *   <li>{@code VALID}: no padding; output size {@code floor((in − effectiveWindow) / stride) + 1}.</li>
 *   <li>{@code SAME}: zero padding so that output size is {@code ceil(in / stride)}; when the total padding
 *       is odd, the extra row or column goes at the bottom or right (TensorFlow's rule).</li>
 * </ul>
 */
public enum Padding {
    VALID,
    SAME;

    /** Output size along one dimension for an input of {@code in} and a window spanning {@code window}. */
    public int outputSize(int in, int window, int stride) {
        return switch (this) {
            case VALID -> in < window ? 0 : (in - window) / stride + 1;
            case SAME -> (int) ((in + (long) stride - 1) / stride); // long: a huge stride must not wrap around
        };
    }

    /** Padding before the first element (top or left) along one dimension. */
    public int padBefore(int in, int window, int stride) {
        if (this == VALID) return 0;
        int out = outputSize(in, window, stride);
        long total = Math.max((long) (out - 1) * stride + window - in, 0); // long: huge windows and strides must not wrap
        return (int) (total / 2);
    }
}
