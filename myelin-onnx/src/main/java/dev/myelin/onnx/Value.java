package dev.myelin.onnx;

/**
 * A tensor of the exported graph: its ONNX name, its Myelin shape without the batch dimension
 * (channels-last, as Myelin's layers see it) and whether the graph holds it transposed to channels-first
 * ({@code [N, C, H, W]}, for images between convolutions and pooling, so that a run of them needs no
 * Transpose between each pair).
 */
record Value(String name, int[] shape, boolean channelsFirst) {
    Value {
        shape = shape.clone();
        if (channelsFirst && shape.length != 3) throw new IllegalArgumentException("only images [h, w, c] are held channels-first");
    }

    /** The dimensions the ONNX tensor has, batch excluded, in the order the graph holds them. */
    long[] onnxDims() {
        if (!channelsFirst) return java.util.Arrays.stream(shape).asLongStream().toArray();
        return new long[] {shape[2], shape[0], shape[1]};
    }
}
