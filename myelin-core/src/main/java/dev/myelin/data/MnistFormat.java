package dev.myelin.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a directory laid out as MNIST: four IDX files with the standard names, each plain or with a
 * {@code .gz} suffix (gzip is recognized by content, so either name works for either form):
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}. MNIST, Fashion-MNIST, Kuzushiji-MNIST and the bundled subset
 * {@code data/fashion-mnist-subset} all use it.
 *
 * <p>Shapes and units: {@code x [n, 28, 28, 1]} raw pixel values 0..255 (float32), {@code y [n]} class ids
 * (0..9 for MNIST) as float32.
 *
 * <p>Example:
 * <pre>{@code
 * TrainTest mnist = MnistFormat.load(Path.of("/data/mnist"));
 * Dataset train = Normalization.scale(1 / 255.0).apply(mnist.train());
 * }</pre>
 */
public final class MnistFormat {
    /** The four standard file names, without {@code .gz}: train images, train labels, test images, test labels. */
    public static final List<String> FILE_NAMES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private MnistFormat() {}

    /**
     * Reads the training and test sets from {@code dir}. A missing file gives a {@link NoSuchFileException}
     * whose message lists the missing and the expected names; images and labels of different lengths give
     * an {@link IOException} naming both files.
     */
    public static TrainTest load(Path dir) throws IOException {
        return load(dir, null);
    }

    /**
     * As {@link #load(Path)}, with {@code images} applied to the images of both sets as they are read, in the
     * loader's own arrays: the same values as {@code images.apply(dataset)}, without holding the raw and the mapped
     * images at once (Fashion-MNIST's training images are 188 MB of float32 each way).
     *
     * <p>Example: {@code TrainTest unit = MnistFormat.load(dir, Normalization.scale(1 / 255.0)); // pixels in [0, 1]}
     *
     * @param images the map for the images, or null for the raw values 0..255
     */
    public static TrainTest load(Path dir, Normalization images) throws IOException {
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : FILE_NAMES) {
            Path f = find(dir, name);
            if (f == null) missing.add(name + "[.gz]");
            files.add(f);
        }
        if (!missing.isEmpty()) {
            throw new NoSuchFileException(dir.toString(), null, (Files.isDirectory(dir) ? "" : "no such directory; ")
                    + "missing " + String.join(", ", missing) + "; an MNIST-format directory holds " + String.join(", ", FILE_NAMES)
                    + ", each optionally gzip-compressed with a .gz suffix");
        }
        return new TrainTest(pair(files.get(0), files.get(1), images), pair(files.get(2), files.get(3), images));
    }

    /** {@code dir/name} if it exists, else {@code dir/name.gz}, else null. */
    static Path find(Path dir, String name) {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) return plain;
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    private static Dataset pair(Path imagesFile, Path labelsFile, Normalization map) throws IOException {
        Idx.Content images = Idx.readImagesContent(imagesFile);
        Idx.Content labels = Idx.readLabelsContent(labelsFile);
        if (images.dims()[0] != labels.dims()[0]) {
            throw new IOException(imagesFile + " holds " + images.dims()[0] + " images but " + labelsFile + " holds "
                    + labels.dims()[0] + " labels; expected the same count");
        }
        Dataset d = new Dataset(images.data(), images.dims(), labels.data(), labels.dims());
        // in place: the array was made by this read and nothing else holds it yet
        if (map != null) map.applyInPlace(d.xData(), d.xShapeArray());
        return d;
    }
}
