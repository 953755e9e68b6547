package dev.myelin.spark;

import dev.myelin.models.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Models as the bytes of their model file, the form in which they travel to executors and back: written and
 * read through a temporary file, since {@code Model.save}/{@code Model.load} check sizes and CRCs against
 * a file's length.
 */
final class ModelBytes {
    private ModelBytes() {}

    /** The bytes of {@code model}'s file ({@code Model.save}: weights, compile settings, optimizer state). */
    static byte[] of(Model model) throws IOException {
        Path tmp = Files.createTempFile("myelin-spark-", ".myelin");
        try {
            model.save(tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The model in {@code bytes}; errors name {@code name} (where the bytes came from). */
    static Model load(byte[] bytes, String name) throws IOException {
        Path tmp = Files.createTempFile("myelin-spark-", ".myelin");
        try {
            Files.write(tmp, bytes);
            return Model.load(tmp);
        } catch (IOException e) {
            throw new IOException("model " + name + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The SHA-256 of {@code bytes} in hex: the identity of a model file. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
