package dev.myelin.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 28×28 grey-scale images of clothing in 10 classes,
 * 60,000 for training and 10,000 for testing, stored in the MNIST file layout (see {@link MnistFormat}).
 * The repository bundles the first 10,000 training and 2,000 test samples in
 * {@code data/fashion-mnist-subset}.
 *
 * <p>Shapes and units: {@code x [n, 28, 28, 1]} raw pixel values 0..255, {@code y [n]} class ids 0..9
 * whose names are {@link #CLASS_NAMES}.
 *
 * <p>Example:
 * <pre>{@code
 * TrainTest data = FashionMnist.load(Path.of("data/fashion-mnist-subset"));
 * String first = FashionMnist.CLASS_NAMES.get((int) data.train().y().get(0));
 * }</pre>
 */
public final class FashionMnist {
    /** Class names by id, as published with the data set. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** Reads the training and test sets from {@code dir}; see {@link MnistFormat#load}. */
    public static TrainTest load(Path dir) throws IOException {
        return MnistFormat.load(dir);
    }

    /**
     * Reads the sets from {@code dir} with {@code images} applied to the images as they are read; see
     * {@link MnistFormat#load(Path, Normalization)}. Example: {@code FashionMnist.load(dir, Normalization.scale(1 / 255.0))}.
     */
    public static TrainTest load(Path dir, Normalization images) throws IOException {
        return MnistFormat.load(dir, images);
    }
}
