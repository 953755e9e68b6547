package dev.myelin.cli;

import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Image files (PNG, or any format the JDK reads) as a model's input: grey levels or RGB values 0..255 in the
 * model's layout. The size must be the model's: images are not resized, so that a prediction is made on
 * what the model was trained on.
 */
final class ImageFiles {
    private ImageFiles() {}

    /** Height, width and channels (1 grey, 3 RGB) of the images a model reads. */
    record Geometry(int height, int width, int channels) {
        String describe() {
            return String.format(Locale.ROOT, "%dx%d %s", width, height, channels == 1 ? "grey" : "RGB");
        }
    }

    /**
     * The image geometry of a model input shape: {@code [h, w, c]} with c 1 or 3, {@code [h, w]} (grey, as
     * rows of a sequence), or {@code [n]} with n a square (grey) or three times a square (RGB).
     *
     * @throws IllegalArgumentException when the input is not an image
     */
    static Geometry geometry(int[] input, String modelDescription) {
        if (input.length == 3 && (input[2] == 1 || input[2] == 3)) return new Geometry(input[0], input[1], input[2]);
        if (input.length == 2) return new Geometry(input[0], input[1], 1);
        if (input.length == 1) {
            int side = (int) Math.round(Math.sqrt(input[0]));
            if (side * side == input[0]) return new Geometry(side, side, 1);
            side = (int) Math.round(Math.sqrt(input[0] / 3.0));
            if (3 * side * side == input[0]) return new Geometry(side, side, 3);
        }
        throw new IllegalArgumentException(modelDescription + " takes inputs of shape " + java.util.Arrays.toString(input)
                + ", which are not images (expected [height, width, 1 or 3], [height, width] or [pixels])");
    }

    /**
     * The images as one batch {@code [n, h, w, c]} of values 0..255 (grey from colour by ITU-R BT.601 luma).
     *
     * @throws IOException when a file is missing, not an image, or not {@code g}'s size (the message names it)
     */
    static Tensor read(List<Path> files, Geometry g) throws IOException {
        int per = g.height() * g.width() * g.channels();
        float[] data = new float[Math.multiplyExact(files.size(), per)];
        for (int i = 0; i < files.size(); i++) readInto(files.get(i), g, data, i * per);
        return Tensor.of(data, files.size(), g.height(), g.width(), g.channels());
    }

    /** Decodes {@code file} after checking its size in the header: a huge image is refused before its pixels are allocated. */
    private static BufferedImage decode(Path file, Geometry g) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new IOException("image " + file + ": not a PNG (or another image format the JDK reads)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w != g.width() || h != g.height()) {
                    throw new IOException(String.format(Locale.ROOT, "image %s is %dx%d pixels; the model expects %s images (resize it first)",
                            file, w, h, g.describe()));
                }
                return reader.read(0);
            } catch (javax.imageio.IIOException e) {
                throw new IOException("image " + file + ": damaged or truncated (" + e.getMessage() + ")", e);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) { // what some readers throw on damaged files
                throw new IOException("image " + file + ": cannot be decoded (" + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static void readInto(Path file, Geometry g, float[] data, int base) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "image file not found");
        BufferedImage img = decode(file, g);
        Raster raster = img.getRaster();
        boolean grey = img.getColorModel().getColorSpace().getNumComponents() == 1;
        int bits = img.getColorModel().getComponentSize(0);
        int o = base;
        for (int y = 0; y < g.height(); y++) {
            for (int x = 0; x < g.width(); x++) {
                float r, gr, b;
                if (grey) { // the stored level, not getRGB's gamma-converted one
                    float v = raster.getSample(x, y, 0) * 255f / ((1 << bits) - 1);
                    r = gr = b = v;
                } else {
                    int rgb = img.getRGB(x, y);
                    r = (rgb >> 16) & 0xff;
                    gr = (rgb >> 8) & 0xff;
                    b = rgb & 0xff;
                }
                if (g.channels() == 1) {
                    data[o++] = grey ? r : 0.299f * r + 0.587f * gr + 0.114f * b;
                } else {
                    data[o++] = r;
                    data[o++] = gr;
                    data[o++] = b;
                }
            }
        }
    }
}
