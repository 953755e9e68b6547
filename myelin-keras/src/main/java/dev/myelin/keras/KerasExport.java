package dev.myelin.keras;

import dev.myelin.io.Json;
import dev.myelin.io.MyelinVersion;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Myelin model as a Keras 3 {@code .keras} file: a zip of stored entries {@code metadata.json}
 * ({@code keras_version}, {@code date_saved}), {@code config.json} (the architecture and compile settings,
 * as {@link Model#toJson()} writes them) and {@code model.weights.h5}, the weights as float32 datasets at
 * Keras 3's paths ({@code layers/conv2d/vars/0}; {@link KerasV3Layout}, the mapping the importer reads).
 * {@link KerasImport#load} reads the file back into a model that predicts exactly as this one.
 *
 * <p>The HDF5 file is written by jHDF's writer. Every group carries a {@code name} attribute, as Keras's own
 * {@code vars} groups do: a group that jHDF writes with no attribute and no child cannot be opened by libhdf5.
 * The root {@code vars} group of Keras's files (the model's own variables: none here) is left out, because
 * jHDF 0.13 writes a damaged object header for a top-level group holding no dataset when it follows groups that
 * do (libhdf5: "bad object header version number"); Keras reads a missing group as no variables.
 *
 * <p>Example: {@code KerasExport.save(model, Path.of("cnn.keras"));}
 */
public final class KerasExport {
    /** The Keras version whose {@code .keras} layout and config names the file follows. */
    static final String KERAS_VERSION = "3.6.0";

    private KerasExport() {}

    /**
     * Writes {@code model} (its input shapes known; built here if it is not yet) to {@code file}, atomically.
     *
     * @throws IllegalArgumentException when the model has no input shape, or a layer has no Keras config
     * @throws IOException when the file cannot be written
     */
    public static void save(Model model, Path file) throws IOException {
        if (!model.isBuilt()) {
            if (model.inputs().isEmpty()) throw new IllegalArgumentException("model '" + model.name() + "' has no input shape yet: give its first layer one before exporting");
            model.build();
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("keras_version", KERAS_VERSION);
        metadata.put("date_saved", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        metadata.put("myelin_version", MyelinVersion.get());
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("metadata.json", Json.write(metadata).getBytes(StandardCharsets.UTF_8));
        entries.put("config.json", model.toJson().getBytes(StandardCharsets.UTF_8));
        entries.put("model.weights.h5", weights(model));
        ZipArchive.write(file, entries);
    }

    /** The bytes of {@code model.weights.h5}: every layer's {@code vars} groups under {@code layers/}. */
    static byte[] weights(Model model) throws IOException {
        Path tmp = Files.createTempFile("myelin-keras-export", ".h5");
        try {
            try (WritableHdfFile h5 = HdfFile.write(tmp)) {
                Groups groups = new Groups(h5);
                for (KerasV3Layout.LayerVars lv : KerasV3Layout.layers(model)) {
                    for (KerasV3Layout.VarGroup vg : lv.groups()) {
                        WritableGroup g = groups.at(vg.path(), lv.layer().name());
                        List<Parameter> weights = vg.weights();
                        for (int i = 0; i < weights.size(); i++) g.putDataset(Integer.toString(i), array(weights.get(i).value()));
                    }
                }
            }
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates groups along paths on demand, each with a {@code name} attribute (libhdf5 needs one on an empty group). */
    private static final class Groups {
        private final Map<String, WritableGroup> made = new HashMap<>();
        private final WritableHdfFile root;

        Groups(WritableHdfFile root) {
            this.root = root;
        }

        /** The group at {@code path}, made with its parents; the last one named {@code name}, the parents by their keys. */
        WritableGroup at(String path, String name) {
            WritableGroup parent = root;
            String soFar = "";
            String[] parts = path.split("/");
            for (int i = 0; i < parts.length; i++) {
                soFar = soFar.isEmpty() ? parts[i] : soFar + "/" + parts[i];
                WritableGroup g = made.get(soFar);
                if (g == null) {
                    g = parent.putGroup(parts[i]);
                    g.putAttribute("name", i == parts.length - 1 ? name : parts[i]);
                    made.put(soFar, g);
                }
                parent = g;
            }
            return parent;
        }
    }

    /** A float32 Java array of the tensor's shape ({@code float[][]...}), as jHDF's writer takes it. */
    static Object array(Tensor t) {
        float[] flat = t.toFloatArray();
        int[] shape = t.shape().toArray();
        if (shape.length == 0) return flat; // a scalar weight is written as one value
        Object out = Array.newInstance(float.class, shape);
        fill(out, flat, 0, shape, 0);
        return out;
    }

    private static int fill(Object array, float[] flat, int at, int[] shape, int dim) {
        if (dim == shape.length - 1) {
            System.arraycopy(flat, at, array, 0, shape[dim]);
            return at + shape[dim];
        }
        for (int i = 0; i < shape[dim]; i++) at = fill(Array.get(array, i), flat, at, shape, dim + 1);
        return at;
    }
}
