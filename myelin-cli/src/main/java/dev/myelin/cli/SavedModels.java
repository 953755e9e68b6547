package dev.myelin.cli;

import dev.myelin.io.FileFormatException;
import dev.myelin.keras.KerasImport;
import dev.myelin.models.Model;
import dev.myelin.onnx.OnnxImport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Model files on the command line: {@code --save FILE} after training, and the FILE of {@code summary}, {@code evaluate}, {@code predict}, {@code fine-tune}. */
final class SavedModels {
    private SavedModels() {}

    /**
     * Loads a model file: one written by Myelin ({@link Model#load}), or a Keras file ({@code .h5} / {@code .hdf5}
     * of Keras 1/2 and tf.keras, {@code .keras} of Keras 3) through {@link KerasImport}, or an ONNX file ({@code .onnx})
     * through {@link OnnxImport}. A {@code .keras} file is tried as a Myelin file first, since Myelin writes the same layout.
     *
     * @throws IOException when the file is missing, a folder, or not a model file (the message names it and the problem)
     */
    static Model load(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
        if (Files.isDirectory(file)) throw new IOException("model file " + file + " is a folder; expected a file written by --save (Model.save)");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) return OnnxImport.load(file);
        if (name.endsWith(".h5") || name.endsWith(".hdf5")) return KerasImport.load(file);
        if (!name.endsWith(".keras")) return Model.load(file);
        try {
            return Model.load(file);
        } catch (FileFormatException notMyelin) {
            // Not Myelin's: a Keras 3 file, or neither; then the importer's message says what is wrong with it.
            try {
                return KerasImport.load(file);
            } catch (IOException | RuntimeException notKeras) {
                notKeras.addSuppressed(notMyelin);
                throw notKeras;
            }
        }
    }

    /**
     * Checks, before training, that {@code option}'s {@code file} can be written: not a folder, in a folder that
     * can be created and written.
     */
    static void checkTarget(String option, Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(option + " " + file + " is a folder; expected a file name such as model.myelin");
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null) OptionChecks.writableFolder(option, folder);
    }

    /** Saves {@code m} (atomically) and prints {@code saved model to FILE (N params, X MB)}. */
    static void save(Model m, Path file, PrintStream log) throws IOException {
        m.save(file);
        log.printf(Locale.ROOT, "saved model to %s (%,d params, %.1f MB)%n", file, m.countParams(), Files.size(file) / 1e6);
    }

    /** {@code model 'name' (FILE)}: how messages name a loaded model. */
    static String describe(Model m, Path file) {
        return "model '" + m.name() + "' (" + file + ")";
    }
}
