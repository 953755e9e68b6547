package dev.myelin.cli;

import dev.myelin.io.Json;
import dev.myelin.io.JsonException;
import dev.myelin.config.Registries;
import dev.myelin.io.TextFiles;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Layer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Sequential model described in JSON ({@code train --model FILE.json}), its layers built through the
 * core's layer registry ({@link Registries#LAYERS}), so every registered layer and each of its Keras
 * arguments is available:
 *
 * <pre>{@code
 * {"input_shape": [28, 28, 1],
 *  "layers": [
 *    {"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"},
 *    {"type": "MaxPooling2D", "pool_size": 2},
 *    {"type": "Flatten"},
 *    {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}]}
 * }</pre>
 *
 * A layer is either the short form (the Keras class name as {@code "type"}, its arguments beside it) or
 * Keras's {@code {"class_name": ..., "config": {...}}}. Errors name the file, the layer's position and the
 * argument.
 */
final class ModelFile {
    private ModelFile() {}

    static Sequential read(Path file) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(TextFiles.readUtf8(file, Json.MAX_CHARS));
        } catch (JsonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> root)) throw new IOException(file + ": a model file is a JSON object with \"input_shape\" and \"layers\"");
        if (!root.containsKey("input_shape") || !root.containsKey("layers")) throw new IOException(file + ": a model file needs \"input_shape\" and \"layers\"");
        for (Object key : root.keySet()) {
            if (!key.equals("input_shape") && !key.equals("layers")) {
                throw new IOException(file + ": unknown key \"" + key + "\"; a model file has \"input_shape\" and \"layers\"");
            }
        }
        int[] inputShape = inputShape(root.get("input_shape"), file);
        if (!(root.get("layers") instanceof List<?> layers)) throw new IOException(file + ": \"layers\" must be an array of layers");
        if (layers.isEmpty()) throw new IOException(file + ": \"layers\" is empty");
        Sequential model = new Sequential();
        for (int i = 0; i < layers.size(); i++) {
            String where = file + ": layer " + (i + 1);
            try {
                Layer layer = Registries.layerFromJson(layers.get(i));
                if (i == 0) layer.inputShape(inputShape);
                model.add(layer);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IOException(where + ": " + e.getMessage(), e);
            }
        }
        return model;
    }

    private static int[] inputShape(Object value, Path file) throws IOException {
        if (value instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Long l) || l <= 0 || l > Integer.MAX_VALUE) {
                    throw new IOException(file + ": \"input_shape\" must be an array of positive ints, got " + Json.write(value));
                }
                out[i] = l.intValue();
            }
            return out;
        }
        throw new IOException(file + ": \"input_shape\" must be an array of positive ints, got " + Json.write(value));
    }
}
