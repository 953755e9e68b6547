package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Rotates each image about its centre by a random angle, as Keras's {@code RandomRotation}: the angle is
 * drawn uniformly from {@code [lower, upper] · 2π} radians ({@code lower + (upper − lower)·rng.nextDouble()},
 * one draw per image), and positive angles turn the image counter-clockwise. {@code RandomRotation.of(0.1)}
 * turns by up to ±36°.
 *
 * <p>Sampling follows Keras/TensorFlow's affine transform: output pixel (x, y) reads the input at
 * {@code R(θ)·(x − cx, y − cy) + (cx, cy)} with {@code R = [[cos, −sin], [sin, cos]]} and centre
 * {@code ((W − 1)/2, (H − 1)/2)}, interpolated bilinearly. Points outside the image are filled with 0
 * ({@code fill_mode="constant"}, {@code fill_value=0}); note that Keras's default fill mode is
 * {@code "reflect"}. A 90° turn of a square image is {@code numpy.rot90}: {@code out[y][x] = in[x][W−1−y]}
 * (up to float rounding of cos 90°).
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out.
 *
 * @param lower smallest angle, as a fraction of a full turn (2π)
 * @param upper largest angle, as a fraction of a full turn (2π); {@code lower <= upper}
 */
public record RandomRotation(double lower, double upper) implements Augmentation {

    public RandomRotation {
        if (!Double.isFinite(lower) || !Double.isFinite(upper) || lower > upper) {
            throw new IllegalArgumentException("RandomRotation: expected finite lower <= upper (fractions of 2π), got ["
                    + lower + ", " + upper + "]");
        }
    }

    /** Angles in {@code [−factor, factor] · 2π}; {@code factor >= 0}. */
    public static RandomRotation of(double factor) {
        if (!(factor >= 0)) throw new IllegalArgumentException("RandomRotation: factor must be >= 0, got " + factor);
        return new RandomRotation(-factor, factor);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomRotation");
        int b = d[0], h = d[1], w = d[2], c = d[3], image = h * w * c;
        float[] src = images.toFloatArray();
        float[] dst = new float[src.length];
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int i = 0; i < b; i++) {
            double angle = 2 * Math.PI * (lower + (upper - lower) * rng.nextDouble());
            double cos = Math.cos(angle), sin = Math.sin(angle);
            Images.affine(src, dst, i * image, h, w, c,
                    cos, -sin, cx - cos * cx + sin * cy,
                    sin, cos, cy - sin * cx - cos * cy);
        }
        return Tensor.of(dst, d);
    }
}
