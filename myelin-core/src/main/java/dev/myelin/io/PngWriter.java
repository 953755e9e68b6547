package dev.myelin.io;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Writes image-shaped tensors as PNG files with the JDK's ImageIO (the only class of the core that uses
 * {@code java.desktop}).
 *
 * <p>Shapes (channels-last): {@code [height, width]} (grey), {@code [height, width, 1]} (grey),
 * {@code [height, width, 3]} (RGB), or a batch {@code [n, height, width, 1 or 3]} drawn as a grid of
 * {@code columns} tiles ({@code ceil(sqrt(n))} by default) separated by a 2-pixel grey border.
 *
 * <p>Values: each value {@code v} becomes the 8-bit level {@code round(255 · clamp((v − low) / (high − low), 0, 1))};
 * NaN becomes 0. Use {@code low = -1, high = 1} for a tanh generator's output, {@code 0, 1} for scaled
 * pixels, {@code 0, 255} for raw ones. {@code scale} repeats each pixel {@code scale × scale} times
 * (nearest neighbour) so that small images are visible.
 *
 * <p>Files are written atomically: to a temporary file in the target folder (created if needed), then
 * renamed over the target, so a reader never sees a half-written PNG.
 *
 * <p>Example:
 * <pre>{@code
 * Tensor samples = gan.generate(64).reshape(64, 28, 28, 1);
 * PngWriter.writeGrid(samples, 8, -1, 1, 2, Path.of("out/samples.png"));
 * }</pre>
 */
public final class PngWriter {
    /** The longest side an image may have: PNG allows 2^31 - 1, but 32,768 is far beyond any plot or grid. */
    static final int MAX_SIDE = 1 << 15;
    private static final int BORDER = 2;
    private static final int BORDER_LEVEL = 128;

    private PngWriter() {}

    /** One image ({@code [h, w]}, {@code [h, w, c]}) or a batch as a grid, values in {@code [low, high]}, scale 1. */
    public static void write(Tensor image, double low, double high, Path file) throws IOException {
        if (image.rank() == 4) writeGrid(image, 0, low, high, 1, file);
        else writeImage(toImage(image, low, high, 1), file);
    }

    /**
     * A batch {@code [n, h, w, c]} as a grid of {@code columns} tiles per row (0 for {@code ceil(sqrt(n))}).
     *
     * @throws IllegalArgumentException for another rank, a channel count other than 1 or 3, an empty batch,
     *                                  {@code low >= high} or {@code scale < 1}
     * @throws IOException              when the folder cannot be created or the file cannot be written
     */
    public static void writeGrid(Tensor batch, int columns, double low, double high, int scale, Path file) throws IOException {
        writeImage(toGrid(batch, columns, low, high, scale), file);
    }

    /** The image of a {@code [h, w]} or {@code [h, w, c]} tensor (see the class documentation). */
    public static BufferedImage toImage(Tensor image, double low, double high, int scale) {
        checkRange(low, high, scale);
        int[] d = image.shape().toArray();
        if (d.length != 2 && d.length != 3) throw rankError(image);
        int c = d.length == 2 ? 1 : d[2];
        checkChannels(c, image);
        BufferedImage img = newImage((long) d[1] * scale, (long) d[0] * scale);
        draw(img, toDoubles(image), 0, d[0], d[1], c, low, high, scale, 0, 0);
        return img;
    }

    /** The grid image of a batch {@code [n, h, w, c]} (see {@link #writeGrid}). */
    public static BufferedImage toGrid(Tensor batch, int columns, double low, double high, int scale) {
        checkRange(low, high, scale);
        if (batch.rank() != 4) {
            throw new IllegalArgumentException("PngWriter: a grid needs a batch [n, height, width, channels], got shape " + batch.shape());
        }
        int[] d = batch.shape().toArray();
        int n = d[0], h = d[1], w = d[2], c = d[3];
        checkChannels(c, batch);
        if (n == 0 || h == 0 || w == 0) throw new IllegalArgumentException("PngWriter: empty batch " + batch.shape());
        if (columns < 0) throw new IllegalArgumentException("PngWriter: columns must be >= 0 (0 for a square grid), got " + columns);
        int cols = columns == 0 ? (int) Math.ceil(Math.sqrt(n)) : Math.min(columns, n);
        int rows = (n + cols - 1) / cols;
        BufferedImage img = newImage(cols * ((long) w * scale + BORDER) + BORDER, rows * ((long) h * scale + BORDER) + BORDER);
        int tw = w * scale, th = h * scale; // fit in int: checked by newImage
        int grey = BORDER_LEVEL << 16 | BORDER_LEVEL << 8 | BORDER_LEVEL;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, grey);
        double[] v = toDoubles(batch);
        for (int i = 0; i < n; i++) {
            int x0 = BORDER + (i % cols) * (tw + BORDER), y0 = BORDER + (i / cols) * (th + BORDER);
            draw(img, v, i * h * w * c, h, w, c, low, high, scale, x0, y0);
        }
        return img;
    }

    private static void draw(BufferedImage img, double[] v, int base, int h, int w, int c, double low, double high, int scale, int x0, int y0) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = base + (y * w + x) * c;
                int r = level(v[p], low, high);
                int rgb = c == 1 ? r << 16 | r << 8 | r : r << 16 | level(v[p + 1], low, high) << 8 | level(v[p + 2], low, high);
                for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++) img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
            }
        }
    }

    private static int level(double v, double low, double high) {
        if (Double.isNaN(v)) return 0;
        double t = (v - low) / (high - low);
        return (int) Math.round(255 * Math.max(0, Math.min(1, t)));
    }

    private static double[] toDoubles(Tensor t) {
        return t.detach().contiguous().toDoubleArray();
    }

    /** A {@code width × height} RGB image, its size checked first (a large scale factor would overflow int or memory). */
    private static BufferedImage newImage(long width, long height) {
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("PngWriter: the image would be " + width + " × " + height + " pixels; at most " + MAX_SIDE
                    + " a side (lower the scale or the number of images)");
        }
        MemoryCheck.requireAvailable("PngWriter: a " + width + " × " + height + " image", width * height * Integer.BYTES);
        return new BufferedImage((int) width, (int) height, BufferedImage.TYPE_INT_RGB);
    }

    private static void checkRange(double low, double high, int scale) {
        if (!(low < high) || Double.isInfinite(low) || Double.isInfinite(high)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "PngWriter: the value range needs finite low < high, got [%s, %s]", low, high));
        }
        if (scale < 1) throw new IllegalArgumentException("PngWriter: scale must be >= 1, got " + scale);
    }

    private static IllegalArgumentException rankError(Tensor t) {
        return new IllegalArgumentException("PngWriter: expected an image [height, width] or [height, width, channels], or a batch"
                + " [n, height, width, channels] (rank 2, 3 or 4), got rank " + t.rank() + " shape " + t.shape());
    }

    private static void checkChannels(int c, Tensor t) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("PngWriter: images need 1 (grey) or 3 (RGB) channels in the last axis, got " + c + " in shape " + t.shape());
        }
    }

    /** Writes {@code img} as PNG to {@code file} atomically ({@link AtomicFiles}). */
    public static void writeImage(BufferedImage img, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available in this JDK");
        });
    }
}
