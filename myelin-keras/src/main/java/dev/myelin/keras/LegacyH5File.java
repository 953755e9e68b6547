package dev.myelin.keras;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.models.Model;
import dev.myelin.models.ModelLayer;
import dev.myelin.nn.Layer;
import dev.myelin.nn.recurrent.LSTM;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a legacy Keras 1/2 (or tf.keras) {@code .h5} model: the root attribute {@code model_config}
 * (translated by {@link LegacyConfig}), the optional {@code training_config}, and the weights under
 * {@code model_weights/<layer name>/}, taken in the order of the group's {@code weight_names} attribute
 * (a Keras 1 LSTM's twelve per-gate arrays are joined by {@link Keras1SplitLstm}).
 */
final class LegacyH5File {
    private LegacyH5File() {}

    static Model load(Path file) throws IOException {
        String where = file.toString();
        byte[] bytes = Hdf5Files.readFile(file);
        try (HdfFile h5 = Hdf5Files.open(bytes, where)) {
            try {
                return read(h5, where);
            } catch (FileFormatException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new FileFormatException(where + ": " + e.getMessage(), e);
            }
        }
    }

    private static Model read(HdfFile h5, String where) throws FileFormatException {
        String modelJson = stringAttribute(h5, "model_config", where);
        if (modelJson == null) {
            throw new FileFormatException(where + ": no 'model_config' attribute: a weights-only .h5 file has no architecture to build (expected a file saved by model.save)");
        }
        Object modelConfig = parse(modelJson, where + ": model_config");
        String trainingJson = stringAttribute(h5, "training_config", where);
        Object training = trainingJson == null ? null : parse(trainingJson, where + ": training_config");
        String version = kerasVersion(h5, where);
        Model model = build(modelConfig, training, version != null && version.startsWith("3."), where);

        Node weights = Hdf5Files.read(where, "the group 'model_weights'", () -> h5.getChild("model_weights"));
        Group root = weights instanceof Group g ? g : h5;
        for (Layer layer : model.layers()) {
            if (layer instanceof ModelLayer) {
                throw new FileFormatException(where + ": layer '" + layer.name() + "' is a nested model; nested models in legacy .h5 files are not supported yet");
            }
            String group = root.getPath() + layer.name();
            Node node = Hdf5Files.read(where, "the weights group '" + group + "'", () -> root.getChild(layer.name()));
            if (node == null) {
                if (layer.weights().isEmpty()) continue;
                throw new FileFormatException(where + ": no weights group '" + group + "' for layer '" + layer.name() + "'");
            }
            if (!(node instanceof Group g)) throw new FileFormatException(where + ": '" + group + "' is not a group");
            List<Dataset> datasets = new ArrayList<>();
            for (String name : weightNames(g, where)) {
                Node d = Hdf5Files.read(where, "the weight '" + name + "' in '" + group + "'", () -> Hdf5Files.child(g, name));
                if (!(d instanceof Dataset ds)) throw new FileFormatException(where + ": weight '" + name + "' listed in '" + group + "' weight_names is missing");
                datasets.add(ds);
            }
            if (layer instanceof LSTM lstm && Keras1SplitLstm.matches(datasets)) {
                Keras1SplitLstm.assign(lstm, datasets, where + " group '" + group + "'");
            } else {
                WeightReader.assign(layer, datasets, where + " group '" + group + "'");
            }
        }
        return model;
    }

    /** Builds the model, with its compile settings when they translate; otherwise uncompiled, with a warning. */
    private static Model build(Object modelConfig, Object training, boolean savedByKeras3, String where) throws FileFormatException {
        Map<String, Object> tree = LegacyConfig.model(modelConfig, training, savedByKeras3);
        KerasV3File.refuseCustomModel(tree, where + ": model_config");
        try {
            return Model.fromJson(Json.write(tree));
        } catch (IllegalArgumentException e) {
            if (!tree.containsKey("compile_config")) throw new FileFormatException(where + ": model_config: " + e.getMessage(), e);
            tree.remove("compile_config");
            Model model;
            try {
                model = Model.fromJson(Json.write(tree));
            } catch (IllegalArgumentException again) {
                throw new FileFormatException(where + ": model_config: " + again.getMessage(), again);
            }
            System.err.println("myelin: WARNING: " + where + ": training_config not imported, the model is not compiled: " + e.getMessage());
            return model;
        }
    }

    private static List<String> weightNames(Group g, String where) throws FileFormatException {
        Object data = Hdf5Files.read(where, "the attribute 'weight_names' of '" + g.getPath() + "'", () -> {
            Attribute a = g.getAttribute("weight_names");
            return a == null ? null : a.getData();
        });
        if (data == null) return List.of();
        if (data instanceof String[] names) return List.of(names);
        if (data instanceof String name) return List.of(name);
        throw new FileFormatException(where + ": '" + g.getPath() + "' weight_names must be strings, found " + data.getClass().getSimpleName());
    }

    /** The root attribute {@code keras_version} ("1.2.2", "2.3.1", "2.4.0-tf", "3.6.0"), or null when absent or not text. */
    private static String kerasVersion(HdfFile h5, String where) throws FileFormatException {
        Object data = Hdf5Files.read(where, "the attribute 'keras_version'", () -> {
            Attribute a = h5.getAttribute("keras_version");
            return a == null ? null : a.getData();
        });
        if (data instanceof String s) return s;
        if (data instanceof String[] s && s.length == 1) return s[0];
        return null;
    }

    private static String stringAttribute(Group g, String name, String where) throws FileFormatException {
        Object data = Hdf5Files.read(where, "the attribute '" + name + "'", () -> {
            Attribute a = g.getAttribute(name);
            return a == null ? null : a.getData();
        });
        if (data == null) return null;
        if (data instanceof String s) return s;
        if (data instanceof String[] s && s.length == 1) return s[0];
        throw new FileFormatException(where + ": attribute '" + name + "' must be a JSON string, found " + (data == null ? "nothing" : data.getClass().getSimpleName()));
    }

    private static Object parse(String json, String where) throws FileFormatException {
        try {
            return Json.parse(json);
        } catch (RuntimeException e) {
            throw new FileFormatException(where + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
