package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * RandAugment (Cubuk et al. 2020) as torchvision's {@code RandAugment(num_ops, magnitude, num_magnitude_bins)}
 * and Keras 3's {@code RandAugment(value_range, num_ops, magnitude, num_magnitude_bins)}: each image gets
 * {@code numOps} operations, each drawn uniformly (with replacement) from {@link Op}, all at the one
 * strength {@code m = magnitude / (numMagnitudeBins − 1)} in [0, 1]. Per image and operation it draws
 * {@code rng.nextInt(ops)}, then, for a signed operation, {@code rng.nextBoolean()} (true: negative).
 *
 * <p>The operations and their strength at {@code m} (torchvision's table, 31 bins; values in
 * {@code [low, high]}, results clipped to it; geometric ones read the nearest pixel and fill with {@code low}):
 * <ul>
 *   <li>{@code IDENTITY};</li>
 *   <li>{@code SHEAR_X}/{@code SHEAR_Y}: shear {@code ±0.3·m} about the centre (pixel (x, y) reads
 *       {@code (x + s·(y − cy), y)}, resp. {@code (x, y + s·(x − cx))});</li>
 *   <li>{@code TRANSLATE_X}/{@code TRANSLATE_Y}: shift by {@code ±(150/331)·m} of the width / height;</li>
 *   <li>{@code ROTATE}: {@code ±30°·m} about the centre, as {@link RandomRotation};</li>
 *   <li>{@code BRIGHTNESS}: {@code low + (x − low)·f}, {@code f = 1 ± 0.9·m} (a blend with black);</li>
 *   <li>{@code COLOR}: {@code g + (x − g)·f}, {@code g} the pixel's grey level (0.299, 0.587, 0.114 for
 *       three channels, the channel mean otherwise; one channel: unchanged);</li>
 *   <li>{@code CONTRAST}: {@code μ + (x − μ)·f}, {@code μ} the mean grey level of the image;</li>
 *   <li>{@code POSTERIZE}: keep {@code 8 − round(4·m)} bits of the value on the 0..255 scale;</li>
 *   <li>{@code SOLARIZE}: values at or above {@code low + (1 − m)·(high − low)} become {@code high + low − x};</li>
 *   <li>{@code AUTO_CONTRAST}: each channel stretched from its [min, max] to [low, high].</li>
 * </ul>
 * Not here, for want of the stages: torchvision's {@code Sharpness} and {@code Equalize}.
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * <p>Example: {@code RandAugment.of(2, 9).valueRange(0, 1)} (torchvision's defaults on images scaled to [0, 1]).
 *
 * @param numOps           operations per image, >= 0 (default 2)
 * @param magnitude        the strength bin, in [0, numMagnitudeBins − 1] (default 9)
 * @param numMagnitudeBins the number of strength bins, >= 2 (default 31)
 * @param valueLow         the smallest pixel value (default 0)
 * @param valueHigh        the largest pixel value (default 255)
 */
public record RandAugment(int numOps, int magnitude, int numMagnitudeBins, double valueLow, double valueHigh) implements Augmentation {

    /** The operations RandAugment draws from; {@link #signed} ones get a random sign. */
    public enum Op {
        IDENTITY(false), SHEAR_X(true), SHEAR_Y(true), TRANSLATE_X(true), TRANSLATE_Y(true), ROTATE(true),
        BRIGHTNESS(true), COLOR(true), CONTRAST(true), POSTERIZE(false), SOLARIZE(false), AUTO_CONTRAST(false);

        private final boolean signed;

        Op(boolean signed) {
            this.signed = signed;
        }

        /** Whether the operation goes either way (drawn sign) rather than one way. */
        public boolean signed() {
            return signed;
        }
    }

    private static final List<Op> OPS = List.of(Op.values());

    public RandAugment {
        if (numOps < 0) throw new IllegalArgumentException("RandAugment: num_ops must be >= 0, got " + numOps);
        if (numMagnitudeBins < 2) throw new IllegalArgumentException("RandAugment: num_magnitude_bins must be >= 2, got " + numMagnitudeBins);
        if (magnitude < 0 || magnitude >= numMagnitudeBins) {
            throw new IllegalArgumentException("RandAugment: magnitude must be in [0, " + (numMagnitudeBins - 1) + "] (num_magnitude_bins − 1), got " + magnitude);
        }
        Images.checkValueRange("RandAugment", valueLow, valueHigh);
    }

    /** {@code numOps} operations of strength bin {@code magnitude} of 31, values in [0, 255]. */
    public static RandAugment of(int numOps, int magnitude) {
        return new RandAugment(numOps, magnitude, 31, 0, 255);
    }

    /** The same policy for images whose values lie in {@code [low, high]}. */
    public RandAugment valueRange(double low, double high) {
        return new RandAugment(numOps, magnitude, numMagnitudeBins, low, high);
    }

    /** The strength {@code m = magnitude / (numMagnitudeBins − 1)} in [0, 1]. */
    public double strength() {
        return (double) magnitude / (numMagnitudeBins - 1);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandAugment");
        int image = d[1] * d[2] * d[3];
        float[] v = images.toFloatArray();
        float[] tmp = new float[image];
        for (int i = 0; i < d[0]; i++) {
            for (int k = 0; k < numOps; k++) {
                Op op = OPS.get(rng.nextInt(OPS.size()));
                double m = op.signed && rng.nextBoolean() ? -strength() : strength();
                apply(op, m, v, i * image, d[1], d[2], d[3], tmp);
            }
        }
        return Tensor.of(v, d);
    }

    /** Every image of {@code images} after {@code op} at signed strength {@code m} in [-1, 1] (deterministic). */
    public Tensor apply(Op op, double m, Tensor images) {
        int[] d = Images.dims(images, "RandAugment.apply");
        if (!(Math.abs(m) <= 1)) throw new IllegalArgumentException("RandAugment.apply: strength must be in [-1, 1], got " + m);
        int image = d[1] * d[2] * d[3];
        float[] v = images.toFloatArray();
        float[] tmp = new float[image];
        for (int i = 0; i < d[0]; i++) apply(op, m, v, i * image, d[1], d[2], d[3], tmp);
        return Tensor.of(v, d);
    }

    /** Applies {@code op} in place to the HWC image at {@code base} of {@code v}; {@code tmp} holds one image. */
    private void apply(Op op, double m, float[] v, int base, int h, int w, int c, float[] tmp) {
        float low = (float) valueLow, high = (float) valueHigh;
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        switch (op) {
            case IDENTITY -> { }
            case SHEAR_X -> geometric(v, base, h, w, c, tmp, 1, 0.3 * m, -0.3 * m * cy, 0, 1, 0);
            case SHEAR_Y -> geometric(v, base, h, w, c, tmp, 1, 0, 0, 0.3 * m, 1, -0.3 * m * cx);
            case TRANSLATE_X -> geometric(v, base, h, w, c, tmp, 1, 0, -150.0 / 331 * w * m, 0, 1, 0);
            case TRANSLATE_Y -> geometric(v, base, h, w, c, tmp, 1, 0, 0, 0, 1, -150.0 / 331 * h * m);
            case ROTATE -> {
                double a = Math.toRadians(30 * m), cos = Math.cos(a), sin = Math.sin(a);
                geometric(v, base, h, w, c, tmp, cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy);
            }
            case BRIGHTNESS -> {
                float f = (float) (1 + 0.9 * m);
                for (int k = base; k < base + h * w * c; k++) v[k] = clip(low + (v[k] - low) * f, low, high);
            }
            case COLOR -> {
                float f = (float) (1 + 0.9 * m);
                for (int p = base; p < base + h * w * c; p += c) {
                    float g = grey(v, p, c);
                    for (int ch = 0; ch < c; ch++) v[p + ch] = clip(g + (v[p + ch] - g) * f, low, high);
                }
            }
            case CONTRAST -> {
                float f = (float) (1 + 0.9 * m);
                double sum = 0;
                for (int p = base; p < base + h * w * c; p += c) sum += grey(v, p, c);
                float mean = (float) (sum / (h * w));
                for (int k = base; k < base + h * w * c; k++) v[k] = clip(mean + (v[k] - mean) * f, low, high);
            }
            case POSTERIZE -> {
                int bits = 8 - (int) Math.round(4 * Math.abs(m));
                int mask = ~((1 << (8 - bits)) - 1) & 0xFF;
                float scale = 255f / (high - low);
                for (int k = base; k < base + h * w * c; k++) {
                    int q = (int) Math.floor((v[k] - low) * scale) & mask;
                    v[k] = clip(low + q / scale, low, high);
                }
            }
            case SOLARIZE -> {
                float threshold = (float) (valueLow + (1 - Math.abs(m)) * (valueHigh - valueLow));
                for (int k = base; k < base + h * w * c; k++) if (v[k] >= threshold) v[k] = high + low - v[k];
            }
            case AUTO_CONTRAST -> {
                for (int ch = 0; ch < c; ch++) {
                    float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
                    for (int k = base + ch; k < base + h * w * c; k += c) {
                        min = Math.min(min, v[k]);
                        max = Math.max(max, v[k]);
                    }
                    if (!(max > min)) continue;
                    float s = (high - low) / (max - min);
                    for (int k = base + ch; k < base + h * w * c; k += c) v[k] = clip(low + (v[k] - min) * s, low, high);
                }
            }
        }
    }

    /** The affine resampling of one image in place (nearest pixel, filled with {@code low}), via {@code tmp}. */
    private void geometric(float[] v, int base, int h, int w, int c, float[] tmp,
                           double a0, double a1, double a2, double b0, double b1, double b2) {
        int n = h * w * c;
        System.arraycopy(v, base, tmp, 0, n);
        float[] out = new float[n];
        Images.affine(tmp, out, 0, h, w, c, a0, a1, a2, b0, b1, b2, FillMode.CONSTANT, (float) valueLow, Interpolation.NEAREST);
        System.arraycopy(out, 0, v, base, n);
    }

    private static float grey(float[] v, int p, int c) {
        if (c == 3) return 0.299f * v[p] + 0.587f * v[p + 1] + 0.114f * v[p + 2];
        float s = 0;
        for (int ch = 0; ch < c; ch++) s += v[p + ch];
        return s / c;
    }

    private static float clip(float x, float low, float high) {
        return Math.min(Math.max(x, low), high);
    }
}
