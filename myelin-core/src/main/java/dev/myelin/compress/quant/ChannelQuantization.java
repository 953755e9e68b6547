package dev.myelin.compress.quant;

/**
 * Per-output-channel symmetric int8 quantization of a kernel whose last axis is the output channel (a
 * Dense kernel {@code [in, units]}, a Conv2D kernel {@code [kh, kw, in, filters]}, both row-major):
 * <pre>
 *   scale[c] = max_i |w[i, c]| / 127          (1 for a channel of zeros)
 *   q[i, c]  = clamp(rint(w[i, c] / scale[c]), −127, 127)
 *   w[i, c] ≈ q[i, c]·scale[c],   |w[i, c] − q[i, c]·scale[c]| ≤ scale[c] / 2
 * </pre>
 * Symmetric (no zero point) because weights are centred on 0, and −128 is left out so that the range is
 * symmetric as in PyTorch's {@code qint8} per-channel weights and TFLite's int8 spec. One scale per channel
 * keeps a channel of small weights from being flattened to zero by a channel of large ones.
 */
public final class ChannelQuantization {
    private ChannelQuantization() {}

    /** The scale of each of the {@code channels} channels of kernel {@code w} (length a multiple of channels). */
    public static float[] scales(float[] w, int channels) {
        if (channels <= 0 || w.length % channels != 0) {
            throw new IllegalArgumentException("a kernel of " + w.length + " values does not split into " + channels + " channels");
        }
        float[] max = new float[channels];
        for (int i = 0; i < w.length; i++) {
            float a = Math.abs(w[i]);
            if (!(a <= Float.MAX_VALUE)) throw new IllegalArgumentException("kernel value " + w[i] + " at index " + i + " is not finite, so it has no int8 level");
            int c = i % channels;
            if (a > max[c]) max[c] = a;
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) scales[c] = max[c] > 0 ? max[c] / 127 : 1;
        return scales;
    }

    /** {@code w} as int8 levels with the given per-channel scales. */
    public static byte[] quantize(float[] w, float[] scales) {
        int channels = scales.length;
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            double level = Math.rint(w[i] / scales[i % channels]);
            q[i] = (byte) Math.max(-127, Math.min(127, level));
        }
        return q;
    }

    /** The values the levels stand for: {@code q[i, c]·scale[c]}. */
    public static float[] dequantize(byte[] q, float[] scales) {
        int channels = scales.length;
        float[] w = new float[q.length];
        for (int i = 0; i < q.length; i++) w[i] = q[i] * scales[i % channels];
        return w;
    }
}
