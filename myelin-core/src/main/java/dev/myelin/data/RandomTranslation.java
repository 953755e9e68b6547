package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Shifts each image by a random offset, as Keras's {@code RandomTranslation}: per image it draws the
 * vertical shift {@code H · (heightLower + (heightUpper − heightLower)·rng.nextDouble())} pixels, then the
 * horizontal shift {@code W · (widthLower + ...)} likewise. Positive shifts move the content down and to
 * the right. Shifts need not be whole pixels: output pixel (x, y) reads the input at
 * {@code (x − dx, y − dy)}, interpolated bilinearly, and what comes in from outside is 0
 * ({@code fill_mode="constant"}; Keras's default is {@code "reflect"}).
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * <p>Example: {@code RandomTranslation.of(0.1, 0.1)} moves by up to 10% of the height and of the width.
 *
 * @param heightLower smallest vertical shift, as a fraction of the height, in [-1, 1]
 * @param heightUpper largest vertical shift, as a fraction of the height, in [-1, 1]
 * @param widthLower  smallest horizontal shift, as a fraction of the width, in [-1, 1]
 * @param widthUpper  largest horizontal shift, as a fraction of the width, in [-1, 1]
 */
public record RandomTranslation(double heightLower, double heightUpper, double widthLower, double widthUpper)
        implements Augmentation {

    public RandomTranslation {
        check("height", heightLower, heightUpper);
        check("width", widthLower, widthUpper);
    }

    private static void check(String what, double lo, double hi) {
        if (!(lo >= -1 && hi <= 1 && lo <= hi)) {
            throw new IllegalArgumentException("RandomTranslation: " + what + " range [" + lo + ", " + hi
                    + "] must satisfy -1 <= lower <= upper <= 1 (fractions of the " + what + ")");
        }
    }

    /** Shifts in {@code [−heightFactor, heightFactor]} of the height and {@code [−widthFactor, widthFactor]} of the width. */
    public static RandomTranslation of(double heightFactor, double widthFactor) {
        return new RandomTranslation(-heightFactor, heightFactor, -widthFactor, widthFactor);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomTranslation");
        int b = d[0], h = d[1], w = d[2], c = d[3], image = h * w * c;
        float[] src = images.toFloatArray();
        float[] dst = new float[src.length];
        for (int i = 0; i < b; i++) {
            double dy = h * (heightLower + (heightUpper - heightLower) * rng.nextDouble());
            double dx = w * (widthLower + (widthUpper - widthLower) * rng.nextDouble());
            Images.affine(src, dst, i * image, h, w, c, 1, 0, -dx, 0, 1, -dy);
        }
        return Tensor.of(dst, d);
    }
}
