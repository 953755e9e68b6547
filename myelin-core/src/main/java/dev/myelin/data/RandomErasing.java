package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Erases a random rectangle of each image with probability {@code p} (cutout; Zhong et al. 2020), as
 * torchvision's {@code RandomErasing(p, scale, ratio, value)}. Per image it draws {@code rng.nextDouble()};
 * below {@code p} it tries up to 10 times: an area fraction {@code s} uniform in {@code scale}, a log aspect
 * ratio uniform in {@code [log ratio_lo, log ratio_hi]}, the box {@code eh = round(√(s·H·W·r))} rows by
 * {@code ew = round(√(s·H·W / r))} columns; if it fits ({@code eh < H} and {@code ew < W}), the top-left
 * corner row {@code rng.nextInt(H − eh + 1)}, then column {@code rng.nextInt(W − ew + 1)}, and every channel
 * of the box becomes {@code value}. When no try fits, the image is unchanged.
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * <p>Example: {@code RandomErasing.of(0.5)}: torchvision's defaults, scale (0.02, 0.33), ratio (0.3, 3.3), value 0.
 *
 * @param p        the probability of erasing an image, in [0, 1]
 * @param scaleLow smallest erased fraction of the image area, in [0, 1]
 * @param scaleHigh largest erased fraction, in [scaleLow, 1]
 * @param ratioLow  smallest aspect ratio (height / width) of the box, > 0
 * @param ratioHigh largest aspect ratio, >= ratioLow
 * @param value     what the erased pixels become
 */
public record RandomErasing(double p, double scaleLow, double scaleHigh, double ratioLow, double ratioHigh, float value)
        implements Augmentation {
    private static final int TRIES = 10;

    public RandomErasing {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomErasing: p (the erasing probability) must be in [0, 1], got " + p);
        if (!(scaleLow >= 0 && scaleHigh <= 1 && scaleLow <= scaleHigh)) {
            throw new IllegalArgumentException("RandomErasing: scale must be (min, max) with 0 <= min <= max <= 1, got (" + scaleLow + ", " + scaleHigh + ")");
        }
        if (!(ratioLow > 0 && ratioLow <= ratioHigh && Double.isFinite(ratioHigh))) {
            throw new IllegalArgumentException("RandomErasing: ratio must be (min, max) with 0 < min <= max, got (" + ratioLow + ", " + ratioHigh + ")");
        }
        if (!Float.isFinite(value)) throw new IllegalArgumentException("RandomErasing: value must be finite, got " + value);
    }

    /** Erases with probability {@code p} with torchvision's defaults: scale (0.02, 0.33), ratio (0.3, 3.3), value 0. */
    public static RandomErasing of(double p) {
        return new RandomErasing(p, 0.02, 0.33, 0.3, 3.3, 0f);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomErasing");
        int b = d[0], h = d[1], w = d[2], c = d[3];
        float[] v = images.toFloatArray();
        double logLo = Math.log(ratioLow), logHi = Math.log(ratioHigh);
        for (int i = 0; i < b; i++) {
            if (rng.nextDouble() >= p) continue;
            for (int t = 0; t < TRIES; t++) {
                double area = h * w * (scaleLow + (scaleHigh - scaleLow) * rng.nextDouble());
                double ratio = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
                long eh = Math.round(Math.sqrt(area * ratio)), ew = Math.round(Math.sqrt(area / ratio));
                if (!(eh < h && ew < w)) continue;
                int top = rng.nextInt(h - (int) eh + 1), left = rng.nextInt(w - (int) ew + 1);
                for (int y = top; y < top + eh; y++) {
                    int from = ((i * h + y) * w + left) * c;
                    java.util.Arrays.fill(v, from, from + (int) ew * c, value);
                }
                break;
            }
        }
        return Tensor.of(v, d);
    }
}
