package dev.myelin.keras;

import dev.myelin.config.Registries;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.models.ModelLayer;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Layer;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.TimeDistributed;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Keras 3 {@code .keras} file: a zip of {@code metadata.json}, {@code config.json} (the architecture,
 * read by {@link Model#fromJson}) and {@code model.weights.h5}.
 *
 * <p>Keras 3 stores each layer's variables under {@code layers/<key>/vars/<i>}, where the key is the
 * snake_case class name plus a counter per model ({@code conv2d}, {@code conv2d_1}, {@code dense}), not
 * the layer's name ({@code keras/src/saving/saving_lib.py}, {@code _save_container_state}); a nested model's
 * layers sit under its own key's {@code layers/}; the variables of a recurrent layer under its
 * {@code cell/vars} (see {@link #varGroups}).
 */
final class KerasV3File {
    static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");
    private static final long JSON_LIMIT = Json.MAX_CHARS;

    private KerasV3File() {}

    static Model load(Path file) throws IOException {
        Map<String, Long> limits = new LinkedHashMap<>();
        limits.put("config.json", JSON_LIMIT);
        limits.put("metadata.json", JSON_LIMIT);
        limits.put("model.weights.h5", (long) Integer.MAX_VALUE - 16);
        Map<String, byte[]> entries = ZipArchive.read(file, limits);
        byte[] config = entries.get("config.json");
        if (config == null) throw new FileFormatException(file + ": not a Keras 3 file (no config.json entry)");
        Object tree;
        try {
            tree = Json.parse(new String(config, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new FileFormatException(file + ": config.json is not valid JSON: " + e.getMessage(), e);
        }
        refuseCustomModel(tree, file + ": config.json");
        Model model;
        try {
            model = Model.fromJson(Json.write(tree));
        } catch (RuntimeException e) {
            throw new FileFormatException(file + ": config.json: " + e.getMessage(), e);
        }
        byte[] weights = entries.get("model.weights.h5");
        if (weights == null) throw new FileFormatException(file + ": no model.weights.h5 entry (the weights)");
        String where = file + ": model.weights.h5";
        try (HdfFile h5 = Hdf5Files.open(weights, where)) {
            try {
                assignAll(model, h5, "layers", where);
            } catch (RuntimeException e) {
                throw new FileFormatException(where + ": " + e.getMessage(), e);
            }
        }
        return model;
    }

    /** Refuses a subclassed or registered model class: its code lives in Python and is never run from a file. */
    static void refuseCustomModel(Object tree, String where) throws FileFormatException {
        if (!(tree instanceof Map<?, ?> m)) throw new FileFormatException(where + ": the model must be a JSON object");
        Object className = m.get("class_name");
        Object registered = m.get("registered_name");
        boolean known = className instanceof String s && MODEL_CLASSES.contains(s)
                && (registered == null || (registered instanceof String r && MODEL_CLASSES.contains(r)));
        if (!known) {
            throw new FileFormatException(where + ": model class \"" + className + "\""
                    + (registered != null ? " (registered as \"" + registered + "\")" : "")
                    + " is a custom class; its code is never run from a file. Supported model classes: "
                    + List.of("Sequential", "Functional") + "; supported layers: " + new java.util.TreeSet<>(Registries.LAYERS.classNames()));
        }
    }

    /** Assigns every layer of {@code model} from the groups under {@code path} ({@code layers} or a nested model's). */
    private static void assignAll(Model model, HdfFile h5, String path, String where) throws FileFormatException {
        Map<String, Integer> used = new HashMap<>();
        for (Layer layer : model.layers()) {
            String key = layer instanceof ModelLayer nested
                    ? (nested.model() instanceof Sequential ? "sequential" : "functional")
                    : snakeCase(className(layer));
            Integer n = used.merge(key, 0, (old, zero) -> old + 1);
            if (n > 0) key = key + "_" + n;
            String layerPath = path + "/" + key;
            if (layer instanceof ModelLayer nested) {
                assignAll(nested.model(), h5, layerPath + "/layers", where);
                continue;
            }
            List<String> groups = varGroups(layer, layerPath);
            List<Dataset> vars = new ArrayList<>();
            for (String group : groups) vars.addAll(vars(h5, group, layer, where));
            WeightReader.assign(layer, vars, where + " group" + (groups.size() > 1 ? "s " : " ") + String.join(", ", groups.stream().map(g -> "'" + g + "'").toList()));
        }
    }

    /**
     * The groups holding a layer's variables, in the layer's weight order. Keras 3's saving walks a layer's
     * attributes: a recurrent layer's variables belong to its {@code cell}, Bidirectional's to its
     * {@code forward_layer} and {@code backward_layer} (cells), TimeDistributed's to its {@code layer}.
     */
    private static List<String> varGroups(Layer layer, String layerPath) {
        if (layer instanceof RecurrentLayer<?>) return List.of(layerPath + "/cell/vars");
        if (layer instanceof Bidirectional) return List.of(layerPath + "/forward_layer/cell/vars", layerPath + "/backward_layer/cell/vars");
        if (layer instanceof TimeDistributed) return List.of(layerPath + "/layer/vars");
        return List.of(layerPath + "/vars");
    }

    private static List<Dataset> vars(HdfFile h5, String path, Layer layer, String where) throws FileFormatException {
        Node node;
        try {
            node = h5.getByPath(path);
        } catch (RuntimeException e) {
            if (layer.weights().isEmpty()) return List.of();
            throw new FileFormatException(where + ": no group '" + path + "' for layer '" + layer.name() + "' (" + layer.weights().size() + " weights)");
        }
        if (!(node instanceof Group g)) throw new FileFormatException(where + ": '" + path + "' is not a group");
        List<Dataset> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            Node child = g.getChild(Integer.toString(i));
            if (child == null) break;
            if (!(child instanceof Dataset d)) throw new FileFormatException(where + ": '" + path + "/" + i + "' is not a dataset");
            out.add(d);
        }
        if (out.size() != g.getChildren().size()) {
            throw new FileFormatException(where + ": group '" + path + "' holds " + g.getChildren().keySet() + "; expected datasets 0.." + (out.size() - 1));
        }
        return out;
    }

    private static String className(Layer layer) {
        Object name = Registries.LAYERS.toJson(layer).get("class_name");
        return String.valueOf(name);
    }

    /** Keras's {@code naming.to_snake_case}: {@code Conv2D} → {@code conv2d}, {@code LeakyReLU} → {@code leaky_re_lu}. */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
