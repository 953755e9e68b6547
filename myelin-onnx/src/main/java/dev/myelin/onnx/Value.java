package dev.myelin.onnx;

/**
 * A tensor of the exported graph: its ONNX name, its Myelin shape without the batch dimension
 * (channels-last, as Myelin's layers see it) and whether the graph holds it transposed to channels-first
 * ({@code [N, C, H, W]}, for images between convolutions and pooling, so that a run of them needs no
 * Transpose between each pair). {@code masked} says the Myelin tensor carries an implicit padding mask
 * (from {@code Masking} or {@code Embedding.maskZero}), which ONNX's tensors cannot carry: a layer that
 * would apply it is refused.
 */
record Value(String name, int[] shape, boolean channelsFirst, boolean masked) {
    Value {
        shape = shape.clone();
        if (channelsFirst && shape.length != 3) throw new IllegalArgumentException("only images [h, w, c] are held channels-first");
    }

    /** A value without a padding mask. */
    Value(String name, int[] shape, boolean channelsFirst) {
        this(name, shape, channelsFirst, false);
    }

    /** This value, marked as carrying a padding mask or not. */
    Value withMask(boolean value) {
        return new Value(name, shape, channelsFirst, value);
    }

    /** The dimensions the ONNX tensor has, batch excluded, in the order the graph holds them. */
    long[] onnxDims() {
        if (!channelsFirst) return java.util.Arrays.stream(shape).asLongStream().toArray();
        return new long[] {shape[2], shape[0], shape[1]};
    }
}
