package dev.myelin.compress.quant;

/**
 * Per-tensor affine int8 quantization of a layer's input: {@code q = clamp(rint(x / scale) + zeroPoint, −128, 127)},
 * read back as {@code x ≈ scale·(q − zeroPoint)}; {@code rint} rounds half to even, as PyTorch.
 *
 * <p>Affine rather than symmetric because the inputs of most layers are one-sided (ReLU outputs, pixels
 * in [0, 1]): a symmetric map would spend half of the 256 levels on values that never occur, doubling the
 * step. The zero point costs one correction per output channel ({@code zeroPoint·Σ kernel column}),
 * computed once. The range always holds 0, so that 0 (ReLU's floor, zero padding) is exact.
 *
 * @param scale     the step between levels, positive and finite
 * @param zeroPoint the level that stands for 0, in [−128, 127]
 */
public record ActivationQuantization(double scale, int zeroPoint) {
    public ActivationQuantization {
        if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("activation scale must be positive and finite, got " + scale);
        if (zeroPoint < Byte.MIN_VALUE || zeroPoint > Byte.MAX_VALUE) throw new IllegalArgumentException("activation zero point must be in [-128, 127], got " + zeroPoint);
    }

    /**
     * The map of {@code [min, max]} widened to hold 0 onto the 256 levels: {@code scale = (max − min) / 255},
     * {@code zeroPoint = rint(−128 − min / scale)}; a range of zero width gives scale 1.
     */
    public static ActivationQuantization ofRange(double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max) || Double.isInfinite(min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("activation range must be finite, got [" + min + ", " + max + "]");
        }
        double lo = Math.min(min, 0), hi = Math.max(max, 0);
        if (!(hi > lo)) return new ActivationQuantization(1.0, 0);
        double scale = (hi - lo) / 255;
        int zeroPoint = (int) Math.max(Byte.MIN_VALUE, Math.min(Byte.MAX_VALUE, Math.rint(Byte.MIN_VALUE - lo / scale)));
        return new ActivationQuantization(scale, zeroPoint);
    }

    /** {@code x} quantized, element by element, into {@code out} (at least as long). */
    public void quantize(float[] x, byte[] out) {
        float inverse = (float) (1 / scale);
        for (int i = 0; i < x.length; i++) out[i] = level(x[i], inverse);
    }

    /** One value quantized. */
    public byte quantize(float x) {
        return level(x, (float) (1 / scale));
    }

    private byte level(float x, float inverse) {
        float q = (float) Math.rint(x * inverse) + zeroPoint;
        return (byte) Math.max(Byte.MIN_VALUE, Math.min(Byte.MAX_VALUE, q)); // NaN becomes 0 here: the cast of NaN
    }

    /** The value a level stands for: {@code scale·(q − zeroPoint)}. */
    public double dequantize(byte q) {
        return scale * (q - zeroPoint);
    }
}
