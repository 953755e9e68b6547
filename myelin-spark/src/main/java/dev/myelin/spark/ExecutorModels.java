package dev.myelin.spark;

import dev.myelin.models.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models an executor JVM has parsed, by the SHA-256 of their file's bytes: tasks of the same job (and
 * later jobs with the same model) share one parsed model instead of parsing the broadcast bytes per task.
 * Predictions on a shared model are serialized ({@code synchronized} on it): the CPU backend already uses
 * every core for one batch.
 */
final class ExecutorModels {
    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /** The model in {@code bytes}, parsed on first use in this JVM; {@code name} is for error messages. */
    static Model get(byte[] bytes, String name) {
        return MODELS.computeIfAbsent(ModelBytes.sha256(bytes), k -> parse(bytes, name));
    }

    private static Model parse(byte[] bytes, String name) {
        JdkCheck.requireHere();
        try {
            return ModelBytes.load(bytes, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
