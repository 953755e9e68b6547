package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Zooms each image in or out by a random amount, as Keras's {@code RandomZoom(height_factor, width_factor,
 * fill_mode, interpolation, fill_value)}. Per image it draws the vertical zoom
 * {@code zy = 1 + heightLower + (heightUpper − heightLower)·rng.nextDouble()}, then, unless the aspect is kept
 * ({@code width_factor=None}: {@code zx = zy}), the horizontal zoom {@code zx} likewise from the width range.
 * A positive factor zooms OUT (the content shrinks, {@code z > 1}), a negative one zooms IN.
 *
 * <p>Output pixel (x, y) reads the input at {@code (zx·x + (W − 1)/2·(1 − zx), zy·y + (H − 1)/2·(1 − zy))}
 * (Keras's zoom matrix: the image centre stays put), mapped by {@link FillMode} and interpolated. Keras's
 * defaults: {@code fill_mode="reflect"}, {@code interpolation="bilinear"}, {@code fill_value=0}.
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * <p>Example: {@code RandomZoom.of(0.1)} zooms by up to ±10%, the same on both axes;
 * {@code RandomZoom.of(-0.3, -0.2, 0, 0)} zooms in by 20–30% vertically only.
 *
 * @param heightLower smallest vertical zoom factor, in [-1, 1]
 * @param heightUpper largest vertical zoom factor, in [heightLower, 1]
 * @param widthLower  smallest horizontal zoom factor, in [-1, 1] (ignored when {@code keepAspect})
 * @param widthUpper  largest horizontal zoom factor, in [widthLower, 1] (ignored when {@code keepAspect})
 * @param keepAspect  true: the horizontal zoom equals the vertical one (Keras {@code width_factor=None})
 * @param fillMode    how points outside the input are filled
 * @param interpolation how the input is read between pixels
 * @param fillValue   the value outside the input in {@link FillMode#CONSTANT} mode
 */
public record RandomZoom(double heightLower, double heightUpper, double widthLower, double widthUpper, boolean keepAspect,
                         FillMode fillMode, Interpolation interpolation, float fillValue) implements Augmentation {

    public RandomZoom {
        checkRange("height_factor", heightLower, heightUpper);
        if (!keepAspect) checkRange("width_factor", widthLower, widthUpper);
        Objects.requireNonNull(fillMode, "RandomZoom: fill_mode");
        Objects.requireNonNull(interpolation, "RandomZoom: interpolation");
        if (!Float.isFinite(fillValue)) throw new IllegalArgumentException("RandomZoom: fill_value must be finite, got " + fillValue);
    }

    private static void checkRange(String name, double lo, double hi) {
        if (!(lo >= -1 && hi <= 1 && lo <= hi)) {
            throw new IllegalArgumentException("RandomZoom: " + name + " must be a number or a range (lower <= upper) in [-1, 1], got ["
                    + lo + ", " + hi + "]");
        }
    }

    /** Zooms by {@code [−factor, factor]}, keeping the aspect ratio; reflect fill, bilinear (Keras's defaults). */
    public static RandomZoom of(double heightFactor) {
        double f = Math.abs(heightFactor);
        checkRange("height_factor", -f, f);
        return new RandomZoom(-f, f, 0, 0, true, FillMode.REFLECT, Interpolation.BILINEAR, 0f);
    }

    /** Zooms by {@code [−heightFactor, heightFactor]} vertically and {@code [−widthFactor, widthFactor]} horizontally, independently. */
    public static RandomZoom of(double heightFactor, double widthFactor) {
        double h = Math.abs(heightFactor), w = Math.abs(widthFactor);
        return new RandomZoom(-h, h, -w, w, false, FillMode.REFLECT, Interpolation.BILINEAR, 0f);
    }

    /** Zooms by the given ranges (Keras's tuples {@code height_factor=(lower, upper)}, {@code width_factor=(lower, upper)}). */
    public static RandomZoom of(double heightLower, double heightUpper, double widthLower, double widthUpper) {
        return new RandomZoom(heightLower, heightUpper, widthLower, widthUpper, false, FillMode.REFLECT, Interpolation.BILINEAR, 0f);
    }

    /** The same zoom with another fill mode and fill value. */
    public RandomZoom fill(FillMode mode, float value) {
        return new RandomZoom(heightLower, heightUpper, widthLower, widthUpper, keepAspect, mode, interpolation, value);
    }

    /** The same zoom with another interpolation. */
    public RandomZoom interpolation(Interpolation value) {
        return new RandomZoom(heightLower, heightUpper, widthLower, widthUpper, keepAspect, fillMode, value, fillValue);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomZoom");
        int b = d[0], h = d[1], w = d[2], c = d[3], image = h * w * c;
        float[] src = images.toFloatArray();
        float[] dst = new float[src.length];
        for (int i = 0; i < b; i++) {
            double zy = 1 + heightLower + (heightUpper - heightLower) * rng.nextDouble();
            double zx = keepAspect ? zy : 1 + widthLower + (widthUpper - widthLower) * rng.nextDouble();
            zoom(src, dst, i * image, h, w, c, zx, zy);
        }
        return Tensor.of(dst, d);
    }

    /** Every image of {@code images} zoomed by {@code zx} horizontally and {@code zy} vertically with this fill (deterministic). */
    public Tensor zoom(Tensor images, double zx, double zy) {
        int[] d = Images.dims(images, "RandomZoom.zoom");
        int image = d[1] * d[2] * d[3];
        float[] src = images.toFloatArray();
        float[] dst = new float[src.length];
        for (int i = 0; i < d[0]; i++) zoom(src, dst, i * image, d[1], d[2], d[3], zx, zy);
        return Tensor.of(dst, d);
    }

    private void zoom(float[] src, float[] dst, int base, int h, int w, int c, double zx, double zy) {
        Images.affine(src, dst, base, h, w, c, zx, 0, (w - 1) / 2.0 * (1 - zx), 0, zy, (h - 1) / 2.0 * (1 - zy),
                fillMode, fillValue, interpolation);
    }
}
