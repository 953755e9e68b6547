package dev.myelin.keras;

import dev.myelin.config.Registries;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Keras 3 {@code .keras} file: a zip of {@code metadata.json}, {@code config.json} (the architecture,
 * read by {@link Model#fromJson}) and {@code model.weights.h5}.
 * The variables sit where {@link KerasV3Layout} says ({@code layers/conv2d_1/vars/0}, ...).
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
            // a functional model of several inputs is not built by fromJson: build it, its input shapes are known
            if (!model.isBuilt() && !model.inputs().isEmpty()) model.build();
        } catch (RuntimeException e) {
            throw new FileFormatException(file + ": config.json: " + e.getMessage(), e);
        }
        byte[] weights = entries.get("model.weights.h5");
        if (weights == null) throw new FileFormatException(file + ": no model.weights.h5 entry (the weights)");
        String where = file + ": model.weights.h5";
        try (HdfFile h5 = Hdf5Files.open(weights, where)) {
            try {
                assignAll(model, h5, where);
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

    /** Assigns every layer of {@code model} from the groups {@link KerasV3Layout} names. */
    private static void assignAll(Model model, HdfFile h5, String where) throws FileFormatException {
        for (KerasV3Layout.LayerVars lv : KerasV3Layout.layers(model)) {
            Layer layer = lv.layer();
            List<Dataset> vars = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            for (KerasV3Layout.VarGroup group : lv.groups()) {
                vars.addAll(vars(h5, group.path(), layer, where));
                paths.add("'" + group.path() + "'");
            }
            WeightReader.assign(layer, vars, where + " group" + (paths.size() > 1 ? "s " : " ") + String.join(", ", paths));
        }
    }

    private static List<Dataset> vars(HdfFile h5, String path, Layer layer, String where) throws FileFormatException {
        Node node = Hdf5Files.read(where, "the group '" + path + "' of layer '" + layer.name() + "'", () -> Hdf5Files.child(h5, path));
        if (node == null) {
            if (layer.weights().isEmpty()) return List.of();
            throw new FileFormatException(where + ": no group '" + path + "' for layer '" + layer.name() + "' (" + layer.weights().size() + " weights)");
        }
        if (!(node instanceof Group g)) throw new FileFormatException(where + ": '" + path + "' is not a group");
        Map<String, Node> children = Hdf5Files.read(where, "the variables in '" + path + "' of layer '" + layer.name() + "'", g::getChildren);
        List<Dataset> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            Node child = children.get(Integer.toString(i));
            if (child == null) break;
            if (!(child instanceof Dataset d)) throw new FileFormatException(where + ": '" + path + "/" + i + "' is not a dataset");
            out.add(d);
        }
        if (out.size() != children.size()) {
            throw new FileFormatException(where + ": group '" + path + "' holds " + children.keySet() + "; expected datasets 0.." + (out.size() - 1));
        }
        return out;
    }

    /** Keras's {@code naming.to_snake_case} ({@link KerasV3Layout#snakeCase}). */
    static String snakeCase(String name) {
        return KerasV3Layout.snakeCase(name);
    }
}
