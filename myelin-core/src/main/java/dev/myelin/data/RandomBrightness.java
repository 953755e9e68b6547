package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Brightens or darkens each image by a random amount, as Keras's {@code RandomBrightness(factor,
 * value_range)}: per image it draws {@code f = lower + (upper − lower)·rng.nextDouble()} and adds
 * {@code f·(high − low)} to every value, then clips to {@code [low, high]}. {@code RandomBrightness.of(0.2)}
 * adds up to ±20% of the value range.
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * @param lower     the smallest shift, as a fraction of the value range, in [-1, 1]
 * @param upper     the largest shift, in [lower, 1]
 * @param valueLow  the smallest pixel value (Keras {@code value_range[0]}, default 0)
 * @param valueHigh the largest pixel value (Keras {@code value_range[1]}, default 255)
 */
public record RandomBrightness(double lower, double upper, double valueLow, double valueHigh) implements Augmentation {

    public RandomBrightness {
        if (!(lower >= -1 && upper <= 1 && lower <= upper)) {
            throw new IllegalArgumentException("RandomBrightness: factor must be a number or a range (lower <= upper) in [-1, 1], got ("
                    + lower + ", " + upper + ")");
        }
        Images.checkValueRange("RandomBrightness", valueLow, valueHigh);
    }

    /** Shifts in {@code [−factor, factor]} of the range [0, 255] (Keras's default range); {@code |factor| <= 1}. */
    public static RandomBrightness of(double factor) {
        double f = Math.abs(factor);
        return new RandomBrightness(-f, f, 0, 255);
    }

    /** The same shifts for images whose values lie in {@code [low, high]}. */
    public RandomBrightness valueRange(double low, double high) {
        return new RandomBrightness(lower, upper, low, high);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomBrightness");
        double[] shifts = new double[d[0]];
        for (int i = 0; i < shifts.length; i++) shifts[i] = (lower + (upper - lower) * rng.nextDouble()) * (valueHigh - valueLow);
        return shift(images, shifts, valueLow, valueHigh);
    }

    /** Image {@code i} of {@code images} plus {@code shifts[i]}, clipped to {@code [low, high]} (deterministic). */
    public static Tensor shift(Tensor images, double[] shifts, double low, double high) {
        int[] d = Images.dims(images, "RandomBrightness.shift");
        int image = d[1] * d[2] * d[3];
        if (shifts.length != d[0]) throw new IllegalArgumentException("RandomBrightness.shift: " + shifts.length + " shifts for " + d[0] + " images");
        float[] v = images.toFloatArray();
        for (int i = 0; i < d[0]; i++) {
            float s = (float) shifts[i];
            for (int k = i * image; k < (i + 1) * image; k++) v[k] += s;
        }
        Images.clip(v, (float) low, (float) high);
        return Tensor.of(v, d);
    }
}
