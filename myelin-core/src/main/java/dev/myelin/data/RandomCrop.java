package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Pads each image with zeros by {@code padding} pixels on every side, then cuts a
 * {@code height × width} window at a random offset — the torchvision {@code RandomCrop(size, padding)}
 * recipe (CIFAR-10: {@code RandomCrop.padded(4)} on 32×32 images). Per image it draws the row offset
 * {@code rng.nextInt(H + 2p − height + 1)}, then the column offset likewise. Unlike Keras's
 * {@code RandomCrop} at inference time there is no centre crop: this class is for training batches.
 *
 * <p>Shapes: {@code [batch, H, W, channels]} in, {@code [batch, height, width, channels]} out; a
 * {@code height} or {@code width} of 0 means the input's size (so {@link #padded} keeps the shape).
 *
 * <p>Example: {@code Augmentation.compose(RandomFlip.horizontal(), RandomCrop.padded(4))}.
 *
 * @param height  output height in pixels, 0 for the input height
 * @param width   output width in pixels, 0 for the input width
 * @param padding zero pixels added on each side before cropping
 */
public record RandomCrop(int height, int width, int padding) implements Augmentation {

    public RandomCrop {
        if (height < 0) throw new IllegalArgumentException("RandomCrop: height must be >= 0 (0: the input height), got " + height);
        if (width < 0) throw new IllegalArgumentException("RandomCrop: width must be >= 0 (0: the input width), got " + width);
        if (padding < 0) throw new IllegalArgumentException("RandomCrop: padding must be >= 0, got " + padding);
    }

    /** Pads by {@code padding} and crops back to the input size. */
    public static RandomCrop padded(int padding) {
        return new RandomCrop(0, 0, padding);
    }

    @Override
    public Tensor apply(Tensor images, RandomGenerator rng) {
        int[] d = Images.dims(images, "RandomCrop");
        int b = d[0], h = d[1], w = d[2], c = d[3];
        int oh = height == 0 ? h : height, ow = width == 0 ? w : width;
        int ph = h + 2 * padding, pw = w + 2 * padding;
        if (oh > ph || ow > pw) {
            throw new IllegalArgumentException("RandomCrop: a " + oh + "x" + ow + " crop does not fit in " + h + "x" + w
                    + " images padded by " + padding + " (" + ph + "x" + pw + "); images " + images.shape());
        }
        float[] src = images.toFloatArray();
        float[] dst = new float[b * oh * ow * c];
        for (int i = 0; i < b; i++) {
            int dy = rng.nextInt(ph - oh + 1) - padding; // input row of output row 0
            int dx = rng.nextInt(pw - ow + 1) - padding; // input column of output column 0
            int x0 = Math.max(0, -dx), x1 = Math.min(ow, w - dx); // output columns that read the image
            if (x1 <= x0) continue;
            for (int y = 0; y < oh; y++) {
                int sy = y + dy;
                if (sy < 0 || sy >= h) continue;
                System.arraycopy(src, ((i * h + sy) * w + x0 + dx) * c, dst, ((i * oh + y) * ow + x0) * c, (x1 - x0) * c);
            }
        }
        return Tensor.of(dst, b, oh, ow, c);
    }
}
