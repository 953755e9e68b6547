package dev.myelin.keras;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Imports a model trained in Keras: a Keras 3 {@code .keras} file (a zip of {@code config.json} and
 * {@code model.weights.h5}) or a legacy Keras 1/2 / tf.keras {@code .h5} file ({@code model_config} and
 * {@code model_weights}). The result is a Myelin {@link Model} with the file's architecture, weights and,
 * when the file has them, compile settings; it predicts what Keras predicted.
 *
 * <p>Nothing in the file is run as code: layers are built through Myelin's registry of Keras class names,
 * and a custom, subclassed or {@code Lambda} class is refused with its name and the supported ones. Every
 * size is checked before it is allocated, and an HDF5 file's length is checked against its superblock
 * before it is opened.
 *
 * <p>Example: {@code Model model = KerasImport.load(Path.of("cnn.keras")); Tensor y = model.predict(x);}
 */
public final class KerasImport {
    private KerasImport() {}

    /**
     * The model in a {@code .keras} or {@code .h5} file, told apart by their first bytes (a zip or HDF5 signature).
     *
     * @throws FileFormatException when the file is neither, is damaged or truncated, or holds a class,
     *     argument or weight shape Myelin does not support (the message names the file, layer and problem)
     * @throws IOException when the file cannot be read
     */
    public static Model load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
            throw new IOException(file + " is not a regular file (a folder?)");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return KerasV3File.load(file);
        if (Hdf5Files.isHdf5(head)) return LegacyH5File.load(file);
        throw new FileFormatException(file + ": not a Keras file (expected a .keras zip or an HDF5 .h5 file by its first bytes)");
    }
}
