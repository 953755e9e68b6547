package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Flips each image of a batch left–right and/or top–bottom, each with probability 1/2, as Keras's
 * {@code RandomFlip}. Per image it draws {@code rng.nextBoolean()} for the horizontal flip, then one for
 * the vertical flip (only for the directions the mode enables), so the draws do not depend on the pixels.
 *
 * <p>Shapes: {@code [batch, height, width, channels]} in and out. Horizontal reverses the width axis,
 * vertical the height axis.
 *
 * <p>Example: {@code DataLoader.of(train).augment(RandomFlip.horizontal())}.
 *
 * @param mode which flips may happen
 */
public record RandomFlip(Mode mode) implements Augmentation {

    /** Which flips an image may get; each independently with probability 1/2. */
    public enum Mode { HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL }

    public RandomFlip {
        Objects.requireNonNull(mode, "RandomFlip: mode");
    }

    /** Left–right flips (Keras {@code "horizontal"}). */
    public static RandomFlip horizontal() {
        return new RandomFlip(Mode.HORIZONTAL);
    }

    /** Top–bottom flips (Keras {@code "vertical"}). */
    public static RandomFlip vertical() {
        return new RandomFlip(Mode.VERTICAL);
    }

    /** Both, independently (Keras {@code "horizontal_and_vertical"}). */
    public static RandomFlip both() {
        return new RandomFlip(Mode.HORIZONTAL_AND_VERTICAL);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomFlip");
        boolean[] h = new boolean[d[0]], v = new boolean[d[0]];
        for (int i = 0; i < d[0]; i++) {
            h[i] = mode != Mode.VERTICAL && rng.nextBoolean();
            v[i] = mode != Mode.HORIZONTAL && rng.nextBoolean();
        }
        return flip(images, h, v);
    }

    /** Flips every image of {@code images [batch, height, width, channels]} as asked (deterministic). */
    public static Tensor flip(Tensor images, boolean horizontal, boolean vertical) {
        int b = Images.dims(images, "RandomFlip.flip")[0];
        boolean[] h = new boolean[b], v = new boolean[b];
        Arrays.fill(h, horizontal);
        Arrays.fill(v, vertical);
        return flip(images, h, v);
    }

    private static Tensor flip(Tensor images, boolean[] horizontal, boolean[] vertical) {
        int[] d = images.shape().toArray();
        int hgt = d[1], w = d[2], c = d[3], row = w * c, image = hgt * row;
        float[] src = images.toFloatArray();
        float[] dst = new float[src.length];
        for (int i = 0; i < d[0]; i++) {
            int base = i * image;
            for (int y = 0; y < hgt; y++) {
                int s = base + y * row;
                int t = base + (vertical[i] ? hgt - 1 - y : y) * row;
                if (!horizontal[i]) {
                    System.arraycopy(src, s, dst, t, row);
                } else {
                    for (int x = 0; x < w; x++) System.arraycopy(src, s + x * c, dst, t + (w - 1 - x) * c, c);
                }
            }
        }
        return Tensor.of(dst, d);
    }
}
