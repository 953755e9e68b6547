package dev.myelin.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.tensor.Padding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A Sequential model described in JSON, with Keras's layer and argument names:
 *
 * <pre>{@code
 * {"input_shape": [28, 28, 1],
 *  "layers": [
 *    {"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"},
 *    {"type": "MaxPooling2D", "pool_size": 2},
 *    {"type": "Flatten"},
 *    {"type": "Dense", "units": 10, "activation": "softmax"}]}
 * }</pre>
 *
 * Layers: Dense, Conv2D (filters, kernel_size, strides, padding, dilation_rate, activation, use_bias),
 * MaxPooling2D / AveragePooling2D (pool_size, strides, padding), GlobalAveragePooling2D, GlobalMaxPooling2D,
 * Flatten, Reshape (target_shape), Dropout (rate), BatchNormalization, Activation (activation), LeakyReLU (negative_slope). Errors name the file, the layer's
 * position and the key.
 */
final class ModelSpec {
    private ModelSpec() {}

    static Sequential read(Path file) throws IOException {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) throw new IOException(file + ": a model file is a JSON object with \"input_shape\" and \"layers\"");
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!root.has("input_shape") || !root.has("layers")) throw new IOException(file + ": a model file needs \"input_shape\" and \"layers\"");
        int[] inputShape = ints(root.get("input_shape"), file, "input_shape");
        JsonArray layers = root.getAsJsonArray("layers");
        if (layers.isEmpty()) throw new IOException(file + ": \"layers\" is empty");
        Sequential model = new Sequential();
        for (int i = 0; i < layers.size(); i++) {
            String where = file + ": layer " + (i + 1);
            if (!layers.get(i).isJsonObject()) throw new IOException(where + " is not a JSON object");
            JsonObject l = layers.get(i).getAsJsonObject();
            Layer layer;
            try {
                layer = layer(l);
            } catch (IllegalArgumentException | IllegalStateException | ClassCastException | UnsupportedOperationException e) {
                throw new IOException(where + ": " + e.getMessage(), e);
            }
            if (i == 0) layer.inputShape(inputShape);
            try {
                model.add(layer);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + e.getMessage(), e);
            }
        }
        return model;
    }

    private static Layer layer(JsonObject l) {
        if (!l.has("type")) throw new IllegalArgumentException("missing \"type\"");
        String type = l.get("type").getAsString();
        return switch (type) {
            case "Dense" -> new Dense(required(l, "units").getAsInt(), activation(l));
            case "Conv2D" -> {
                int[] k = intOrPair(required(l, "kernel_size"));
                Conv2D c = new Conv2D(required(l, "filters").getAsInt(), k[0], k[1], activation(l));
                if (l.has("strides")) c.strides(intOrPair(l.get("strides"))[0], intOrPair(l.get("strides"))[1]);
                if (l.has("padding")) c.padding(padding(l));
                if (l.has("dilation_rate")) c.dilation(intOrPair(l.get("dilation_rate"))[0], intOrPair(l.get("dilation_rate"))[1]);
                if (l.has("use_bias")) c.useBias(l.get("use_bias").getAsBoolean());
                yield c;
            }
            case "MaxPooling2D", "AveragePooling2D" -> {
                int[] p = l.has("pool_size") ? intOrPair(l.get("pool_size")) : new int[] {2, 2};
                int[] s = l.has("strides") ? intOrPair(l.get("strides")) : p;
                Padding pad = l.has("padding") ? padding(l) : Padding.VALID;
                yield type.equals("MaxPooling2D") ? new MaxPooling2D(p[0], p[1]).strides(s[0], s[1]).padding(pad)
                        : new AveragePooling2D(p[0], p[1]).strides(s[0], s[1]).padding(pad);
            }
            case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
            case "GlobalMaxPooling2D" -> new GlobalMaxPooling2D();
            case "Flatten" -> new Flatten();
            case "Reshape" -> new Reshape(ints(required(l, "target_shape"), null, "target_shape"));
            case "Dropout" -> new Dropout(required(l, "rate").getAsDouble());
            case "BatchNormalization" -> new BatchNormalization();
            case "Activation" -> new ActivationLayer(required(l, "activation").getAsString());
            case "LeakyReLU" -> l.has("negative_slope") ? new LeakyReLU(l.get("negative_slope").getAsDouble()) : new LeakyReLU();
            default -> {
                Layer sequence = SequenceLayerSpecs.fromJson(l, type);
                if (sequence != null) yield sequence;
                throw new IllegalArgumentException("unknown layer type \"" + type + "\"; expected Dense, Conv2D, MaxPooling2D, AveragePooling2D, "
                        + "GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Reshape, Dropout BatchNormalization, Activation, LeakyReLU, "
                        + SequenceLayerSpecs.TYPES);
            }
        };
    }

    private static JsonElement required(JsonObject l, String key) {
        if (!l.has(key)) throw new IllegalArgumentException(l.get("type").getAsString() + " needs \"" + key + "\"");
        return l.get(key);
    }

    private static Activation activation(JsonObject l) {
        return l.has("activation") ? Activation.of(l.get("activation").getAsString()) : Activation.LINEAR;
    }

    private static Padding padding(JsonObject l) {
        String p = l.get("padding").getAsString().toLowerCase(Locale.ROOT);
        return switch (p) {
            case "valid" -> Padding.VALID;
            case "same" -> Padding.SAME;
            default -> throw new IllegalArgumentException("padding must be \"valid\" or \"same\", got \"" + p + "\"");
        };
    }

    private static int[] intOrPair(JsonElement e) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (a.size() != 2) throw new IllegalArgumentException("expected an int or a pair [h, w], got " + e);
            return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
        }
        return new int[] {e.getAsInt(), e.getAsInt()};
    }

    private static int[] ints(JsonElement e, Path file, String key) {
        if (!e.isJsonArray()) throw new IllegalArgumentException((file == null ? "" : file + ": ") + "\"" + key + "\" must be an array of ints, got " + e);
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }
}
