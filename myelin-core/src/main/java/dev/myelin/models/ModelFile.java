package dev.myelin.models;

import dev.myelin.autograd.NoGrad;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.MyelinVersion;
import dev.myelin.io.Safetensors;
import dev.myelin.io.StoredWeightTypes;
import dev.myelin.io.ZipArchive;
import dev.myelin.nn.Parameter;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.SnapshotFile;
import dev.myelin.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Myelin's model file: a zip of stored entries in the layout of Keras 3's {@code .keras} files, with the
 * weights as safetensors instead of HDF5.
 * <ul>
 *   <li>{@code metadata.json}: {@code format} ({@value #FORMAT}), {@code format_version}, the Myelin version
 *       and date that wrote it, and the class names when the model has them;</li>
 *   <li>{@code config.json}: the architecture and compile settings ({@link ModelConfig});</li>
 *   <li>{@code model.weights.safetensors}: every weight by its full name ({@code dense/kernel});</li>
 *   <li>{@code training_state.json} and, for a compiled model, {@code optimizer.safetensors}: the optimizer's
 *       slots, step count and learning rate, and the layers' random generators, so that training goes on
 *       after loading exactly as without saving ({@link SnapshotFile}).</li>
 * </ul>
 * Format versions only grow; a reader refuses a newer version than it knows, naming both. Version 1 is
 * pinned by a fixture in the tests.
 */
public final class ModelFile {
    static final String FORMAT = "myelin.model";
    static final int FORMAT_VERSION = 1;
    static final String METADATA = "metadata.json";
    static final String CONFIG = "config.json";
    static final String WEIGHTS = SnapshotFile.WEIGHTS;

    private ModelFile() {}

    /**
     * A model file read and checked as a container: its metadata (format and version accepted), its config
     * tree, and the entries holding weights and training state (as {@link SnapshotFile#entries} names them).
     * What the config describes is for the caller to build ({@link Model#load}; {@code GAN.load}).
     */
    public record Contents(Path file, Map<?, ?> metadata, Object config, Map<String, byte[]> entries) {
        /** The config's {@code class_name}, or null. */
        public String className() {
            return config instanceof Map<?, ?> m && m.get("class_name") instanceof String c ? c : null;
        }
    }

    /**
     * Writes a model file: metadata (format, version, date, the class names when not empty), the config tree
     * and {@code stateEntries} (weights and training state, from {@link SnapshotFile#entries}), atomically.
     */
    public static void write(Path file, Object config, List<String> classNames, Map<String, byte[]> stateEntries) throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", (long) FORMAT_VERSION);
        metadata.put("myelin_version", MyelinVersion.get());
        metadata.put("date_saved", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        if (!classNames.isEmpty()) metadata.put("class_names", new ArrayList<Object>(classNames));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(METADATA, utf8(Json.write(metadata)));
        entries.put(CONFIG, utf8(Json.write(config)));
        entries.putAll(stateEntries);
        ZipArchive.write(file, entries);
    }

    /**
     * Reads a model file's container: every entry size-checked, the metadata's format and version accepted,
     * the config parsed as strict JSON.
     *
     * @throws FileFormatException naming the file and entry otherwise
     */
    public static Contents read(Path file) throws IOException {
        Map<String, byte[]> entries = ZipArchive.read(file, SnapshotFile.limits(List.of(METADATA, CONFIG)));
        Map<?, ?> metadata = metadata(file, entries);
        return new Contents(file, metadata, json(file, entries, CONFIG), entries);
    }

    static void save(Model model, Path file) throws IOException {
        if (!model.inputs().isEmpty()) model.build(); // a Sequential without an input shape is saved unbuilt, without weights
        Map<String, byte[]> state = model.inputs().isEmpty() ? Map.of(WEIGHTS, Safetensors.encode(Map.of(), Map.of())) : SnapshotFile.entries(model.snapshot());
        write(file, ModelConfig.toJson(model), model.classNames(), withStoredTypes(model, state));
    }

    /**
     * {@code state} with the weights entry re-encoded when a layer stores some weights in a narrower type
     * ({@link StoredWeightTypes}: an int8 layer's kernel as I8); unchanged otherwise.
     */
    private static Map<String, byte[]> withStoredTypes(Model model, Map<String, byte[]> state) {
        if (model.inputs().isEmpty()) return state;
        List<Safetensors.Entry> entries = new ArrayList<>();
        boolean narrowed = false;
        for (Parameter p : model.weights()) {
            Safetensors.DType type = p.owner() instanceof StoredWeightTypes s ? s.storedType(p.shortName()) : null;
            narrowed |= type != null;
            Tensor v = p.value().contiguous();
            entries.add(type == null ? Safetensors.Entry.of(p.name(), v) : Safetensors.Entry.of(p.name(), v, type));
        }
        if (!narrowed) return state;
        Map<String, byte[]> out = new LinkedHashMap<>(state);
        out.put(WEIGHTS, Safetensors.encode(entries, Map.of()));
        return out;
    }

    static Model load(Path file) throws IOException {
        Contents read = read(file);
        Map<String, byte[]> entries = read.entries();
        Map<?, ?> metadata = read.metadata();
        Object tree = read.config();
        if ("GAN".equals(read.className())) throw new FileFormatException(file + " holds a GAN, not a model: load it with GAN.load");
        if ("GptModel".equals(read.className())) throw new FileFormatException(file + " holds a GptModel, not a model: load it with GptModel.load");
        Model model;
        try {
            model = ModelConfig.fromJson(tree);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new FileFormatException(file + ": " + CONFIG + ": " + e.getMessage(), e);
        }
        if (metadata.get("class_names") instanceof List<?> names) {
            List<String> classNames = new ArrayList<>();
            for (Object n : names) {
                if (!(n instanceof String s)) throw new FileFormatException(file + ": " + METADATA + ": \"class_names\" must be a list of strings");
                classNames.add(s);
            }
            model.classNames(classNames);
        } else if (metadata.get("class_names") != null) {
            throw new FileFormatException(file + ": " + METADATA + ": \"class_names\" must be a list of strings");
        }
        TrainingSnapshot saved = entries.containsKey(SnapshotFile.STATE) ? SnapshotFile.fromEntries(entries, file.toString()) : null;
        Map<String, Tensor> weights = saved != null ? saved.weights() : tensors(entries.get(WEIGHTS), file + ": " + WEIGHTS);
        if (!model.isBuilt() && model.inputs().isEmpty()) {
            if (!weights.isEmpty()) {
                throw new FileFormatException(file + ": the model has no input shape, so no weights, but " + WEIGHTS + " holds " + weights.size());
            }
            return model;
        }
        try {
            model.build();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file + ": " + e.getMessage(), e);
        }
        assign(model, weights, file + ": " + WEIGHTS);
        if (saved != null) restoreTrainingState(model, saved, file);
        return model;
    }

    private static Map<String, Tensor> tensors(byte[] bytes, String source) throws FileFormatException {
        if (bytes == null) throw new FileFormatException(source + ": the model file has no such entry");
        Safetensors.Contents contents = Safetensors.decode(bytes, source);
        try {
            return contents.tensors();
        } catch (IllegalArgumentException e) { // an integer tensor whose values float32 cannot hold exactly, say
            throw new FileFormatException(source + ": " + e.getMessage(), e);
        }
    }

    /** The optimizer's slots and step count, and the layers' random generators, as saved: training goes on as if never saved. */
    private static void restoreTrainingState(Model model, TrainingSnapshot saved, Path file) throws FileFormatException {
        try {
            Optimizer.State state = saved.optimizers().get("optimizer");
            if (saved.optimizers().size() > (state == null ? 0 : 1)) {
                throw new IllegalArgumentException("a model has one optimizer state, \"optimizer\"; got " + saved.optimizers().keySet());
            }
            if (state != null) {
                if (model.optimizer() == null) throw new IllegalArgumentException("the file has an optimizer state but no compile_config");
                model.optimizer().restoreState(state, model.weights());
            }
            model.restoreRandomStates(saved.randomStates());
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file + ": " + SnapshotFile.STATE + ": " + e.getMessage(), e);
        }
    }

    static void saveWeights(Model model, Path file) throws IOException {
        model.build();
        Safetensors.write(file, weights(model), Map.of("format", FORMAT));
    }

    static void loadWeights(Model model, Path file) throws IOException {
        model.build();
        Safetensors.Contents contents = Safetensors.read(file);
        Map<String, Tensor> weights;
        try {
            weights = contents.tensors();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file + ": " + e.getMessage(), e);
        }
        assign(model, weights, file.toString());
    }

    /** Every weight by its full name, in model order (the tensors themselves; the encoder copies their bytes). */
    private static Map<String, Tensor> weights(Model model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (model.inputs().isEmpty()) return out;
        for (Parameter p : model.weights()) {
            if (out.put(p.name(), p.value().contiguous()) != null) {
                throw new IllegalArgumentException("model '" + model.name() + "' has two weights named '" + p.name()
                        + "'; weight names identify weights in a file, so rename one of the layers before saving");
            }
        }
        return out;
    }

    /**
     * Copies the file's tensors into the model's weights after checking all of them: the same names, shapes
     * and no extra tensor; on any difference nothing is assigned, and the error names the first weight that
     * differs.
     */
    static void assign(Model model, Map<String, Tensor> tensors, String source) throws FileFormatException {
        List<Parameter> params = model.weights();
        Set<String> expected = new HashSet<>();
        for (Parameter p : params) {
            expected.add(p.name());
            Tensor t = tensors.get(p.name());
            if (t == null) {
                throw new FileFormatException(source + ": has no tensor for weight '" + p.name() + "' " + p.value().shape()
                        + " of model '" + model.name() + "' (the file has " + names(tensors) + ")");
            }
            if (!t.shape().equals(p.value().shape())) {
                throw new FileFormatException(source + ": tensor '" + p.name() + "' has shape " + t.shape()
                        + " but the model's weight has " + p.value().shape());
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.contains(name)) {
                throw new FileFormatException(source + ": holds tensor '" + name + "', which model '" + model.name() + "' has no weight for");
            }
        }
        try (var g = NoGrad.scope()) {
            for (Parameter p : params) {
                Tensor w = p.value(), v = tensors.get(p.name());
                w.assign(v.dtype() == w.dtype() ? v : v.to(w.dtype()));
            }
        }
    }

    private static String names(Map<String, Tensor> tensors) {
        List<String> names = List.copyOf(tensors.keySet());
        return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
    }

    private static Map<?, ?> metadata(Path file, Map<String, byte[]> entries) throws IOException {
        if (!entries.containsKey(METADATA) && !entries.containsKey(CONFIG)) {
            throw new FileFormatException(file + ": not a model file: it has neither " + METADATA + " nor " + CONFIG);
        }
        Object tree = json(file, entries, METADATA);
        if (!(tree instanceof Map<?, ?> m)) throw new FileFormatException(file + ": " + METADATA + " must be a JSON object");
        Object format = m.get("format");
        if (format == null && m.get("keras_version") != null) {
            throw new FileFormatException(file + " is a Keras file (Keras " + m.get("keras_version")
                    + "), not a Myelin model file: import it with the myelin-keras module");
        }
        if (!FORMAT.equals(format)) throw new FileFormatException(file + ": " + METADATA + ": \"format\" must be \"" + FORMAT + "\", got " + format);
        if (!(m.get("format_version") instanceof Long v) || v < 1) {
            throw new FileFormatException(file + ": " + METADATA + ": \"format_version\" must be a positive integer, got " + m.get("format_version"));
        }
        if (v > FORMAT_VERSION) {
            throw new FileFormatException(file + " was written in model format " + v + " (by Myelin " + m.get("myelin_version")
                    + "); this Myelin (" + MyelinVersion.get() + ") reads formats up to " + FORMAT_VERSION + ": upgrade Myelin to load it");
        }
        return m;
    }

    private static Object json(Path file, Map<String, byte[]> entries, String name) throws IOException {
        byte[] bytes = entries.get(name);
        if (bytes == null) throw new FileFormatException(file + ": the model file has no " + name + " entry");
        return Json.parseUtf8(bytes, file + ": " + name);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
