package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Changes the contrast of each image by a random factor, as Keras's {@code RandomContrast(factor,
 * value_range)}: per image it draws {@code f = 1 − lower + (lower + upper)·rng.nextDouble()}, uniform in
 * {@code [1 − lower, 1 + upper]}, and maps every value of channel {@code ch} to
 * {@code (x − mean_ch)·f + mean_ch}, {@code mean_ch} the channel's mean over the image, then clips to
 * {@code value_range}. {@code RandomContrast.of(0.2)} draws {@code f} in {@code [0.8, 1.2]}, as Keras
 * documents it (Keras 3.x's code, whose base class turns a single factor into {@code (0, factor)}, draws
 * from {@code [1, 1.2]}; Myelin follows the documentation and Keras 2).
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * @param lower      how far below 1 the factor may go, in [0, 1]
 * @param upper      how far above 1 the factor may go, in [0, 1]
 * @param valueLow   the smallest pixel value (Keras {@code value_range[0]}, default 0)
 * @param valueHigh  the largest pixel value (Keras {@code value_range[1]}, default 255)
 */
public record RandomContrast(double lower, double upper, double valueLow, double valueHigh) implements Augmentation {

    public RandomContrast {
        if (!(lower >= 0 && lower <= 1 && upper >= 0 && upper <= 1)) {
            throw new IllegalArgumentException("RandomContrast: factor must be a number or a pair in [0, 1], got (" + lower + ", " + upper + ")");
        }
        Images.checkValueRange("RandomContrast", valueLow, valueHigh);
    }

    /** Factors in {@code [1 − factor, 1 + factor]}, values in [0, 255] (Keras's default range). */
    public static RandomContrast of(double factor) {
        return new RandomContrast(factor, factor, 0, 255);
    }

    /** The same factors for images whose values lie in {@code [low, high]} (e.g. 0 and 1 for scaled images). */
    public RandomContrast valueRange(double low, double high) {
        return new RandomContrast(lower, upper, low, high);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomContrast");
        double[] f = new double[d[0]];
        for (int i = 0; i < f.length; i++) f[i] = 1 - lower + (lower + upper) * rng.nextDouble();
        return adjust(images, f, valueLow, valueHigh);
    }

    /** Image {@code i} of {@code images} with contrast factor {@code factors[i]}, clipped to {@code [low, high]} (deterministic). */
    public static Tensor adjust(Tensor images, double[] factors, double low, double high) {
        int[] d = Images.dims(images, "RandomContrast.adjust");
        int b = d[0], c = d[3], pixels = d[1] * d[2], image = pixels * c;
        if (factors.length != b) throw new IllegalArgumentException("RandomContrast.adjust: " + factors.length + " factors for " + b + " images");
        float[] v = images.toFloatArray();
        for (int i = 0; i < b; i++) {
            int base = i * image;
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                for (int p = 0; p < pixels; p++) sum += v[base + p * c + ch];
                float mean = (float) (sum / pixels), f = (float) factors[i];
                for (int p = 0; p < pixels; p++) {
                    int k = base + p * c + ch;
                    v[k] = (v[k] - mean) * f + mean;
                }
            }
        }
        Images.clip(v, (float) low, (float) high);
        return Tensor.of(v, d);
    }
}
