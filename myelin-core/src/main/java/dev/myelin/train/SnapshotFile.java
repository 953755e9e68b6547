package dev.myelin.train;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.MyelinVersion;
import dev.myelin.io.Safetensors;
import dev.myelin.io.ZipArchive;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TrainingSnapshot} as a file (what {@link BackupAndRestore} writes), and as entries of a model
 * file (which carries its optimizer and random states the same way). A zip of stored entries, written
 * atomically:
 * <ul>
 *   <li>{@code metadata.json}: {@code format} ({@value #FORMAT}), {@code format_version}, the Myelin version;</li>
 *   <li>{@code training_state.json}: epochs done, History, data seed, random states (by layer) and, per
 *       optimizer role, its iteration count, learning rate and schedule scale (numbers written exactly:
 *       a double's shortest round-tripping decimal; non-finite History values as the strings
 *       {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"});</li>
 *   <li>the weights, {@code model.weights.safetensors}, by full name;</li>
 *   <li>{@code optimizer.safetensors} (a GAN: {@code optimizer.generator.safetensors} and
 *       {@code optimizer.discriminator.safetensors}): the slots, by {@code weight name/slot name}.</li>
 * </ul>
 */
public final class SnapshotFile {
    /** The {@code format} of a snapshot file's metadata. */
    public static final String FORMAT = "myelin.training-snapshot";
    public static final int FORMAT_VERSION = 1;
    /** The entry that holds the training state, in snapshot files and model files alike. */
    public static final String STATE = "training_state.json";
    /** The weights entry, in snapshot files and model files alike. */
    public static final String WEIGHTS = "model.weights.safetensors";
    private static final String METADATA = "metadata.json";
    private static final String OPTIMIZER_PREFIX = "optimizer.";
    private static final String OPTIMIZER_SUFFIX = ".safetensors";
    private static final long JSON_LIMIT = Json.MAX_CHARS;
    private static final long TENSORS_LIMIT = Integer.MAX_VALUE - 16L;

    private SnapshotFile() {}

    /** Writes {@code snapshot} to {@code file}, atomically (the previous file stays whole until the new one is complete). */
    public static void write(Path file, TrainingSnapshot snapshot) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", (long) FORMAT_VERSION);
        metadata.put("myelin_version", MyelinVersion.get());
        entries.put(METADATA, Json.write(metadata).getBytes(StandardCharsets.UTF_8));
        entries.putAll(entries(snapshot));
        ZipArchive.write(file, entries);
    }

    /**
     * Reads a snapshot file written by {@link #write}.
     *
     * @throws FileFormatException naming the file and entry when it is not a snapshot file, is damaged, or is
     *     from a newer format
     */
    public static TrainingSnapshot read(Path file) throws IOException {
        Map<String, byte[]> entries = ZipArchive.read(file, limits(List.of(METADATA)));
        Object metadata = json(entries, METADATA, file.toString());
        if (!(metadata instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format"))) {
            throw new FileFormatException(file + ": not a training snapshot (" + METADATA + " must have \"format\": \"" + FORMAT + "\")");
        }
        if (!(m.get("format_version") instanceof Long v) || v < 1 || v > FORMAT_VERSION) {
            throw new FileFormatException(file + ": snapshot format version " + m.get("format_version") + " (written by Myelin "
                    + m.get("myelin_version") + "); this Myelin (" + MyelinVersion.get() + ") reads versions 1 to " + FORMAT_VERSION);
        }
        return fromEntries(entries, file.toString());
    }

    /** The entries (training state, weights, optimizer slots) that hold {@code snapshot}, for a snapshot or model file. */
    public static Map<String, byte[]> entries(TrainingSnapshot snapshot) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epochs_done", (long) snapshot.epochsDone());
        state.put("data_seed", snapshot.dataSeed());
        Map<String, Object> history = new LinkedHashMap<>();
        snapshot.history().forEach((k, values) -> history.put(k, values.stream().map(SnapshotFile::number).toList()));
        state.put("history", history);
        Map<String, Object> random = new LinkedHashMap<>();
        snapshot.randomStates().forEach((k, s) -> {
            List<Object> longs = new ArrayList<>();
            for (long x : s) longs.add(x);
            random.put(k, longs);
        });
        state.put("random_states", random);
        Map<String, Object> optimizers = new LinkedHashMap<>();
        snapshot.optimizers().forEach((role, o) -> {
            Map<String, Object> scalars = new LinkedHashMap<>();
            scalars.put("iterations", o.iterations());
            scalars.put("learning_rate", o.learningRate());
            scalars.put("schedule_scale", o.scheduleScale());
            optimizers.put(role, scalars);
        });
        state.put("optimizers", optimizers);
        entries.put(STATE, Json.write(state).getBytes(StandardCharsets.UTF_8));
        entries.put(WEIGHTS, Safetensors.encode(snapshot.weights(), Map.of()));
        snapshot.optimizers().forEach((role, o) -> entries.put(slotsEntry(role), Safetensors.encode(o.slots(), Map.of())));
        return entries;
    }

    /** The size limits of every entry a snapshot may have, plus {@code extra} JSON entries, for {@link ZipArchive#read}. */
    public static Map<String, Long> limits(List<String> extraJsonEntries) {
        Map<String, Long> limits = new LinkedHashMap<>();
        for (String e : extraJsonEntries) limits.put(e, JSON_LIMIT);
        limits.put(STATE, JSON_LIMIT);
        limits.put(WEIGHTS, TENSORS_LIMIT);
        for (String role : List.of("optimizer", "generator", "discriminator")) limits.put(slotsEntry(role), TENSORS_LIMIT);
        return limits;
    }

    /**
     * The snapshot the entries hold (as {@link #entries} writes them).
     *
     * @throws FileFormatException naming {@code source} and the entry when one is missing or malformed
     */
    public static TrainingSnapshot fromEntries(Map<String, byte[]> entries, String source) throws FileFormatException {
        Object tree = json(entries, STATE, source);
        String where = source + ": " + STATE;
        try {
            if (!(tree instanceof Map<?, ?> state)) throw new FileFormatException(where + " must be a JSON object");
            int epochs = (int) integer(state.get("epochs_done"), where, "epochs_done", 0, Integer.MAX_VALUE);
            Object seed = state.get("data_seed");
            if (seed != null && !(seed instanceof Long)) throw new FileFormatException(where + ": \"data_seed\" must be an integer or null, got " + seed);
            Map<String, List<Double>> history = new LinkedHashMap<>();
            for (var e : object(state.get("history"), where, "history").entrySet()) {
                if (!(e.getValue() instanceof List<?> values)) throw new FileFormatException(where + ": history '" + e.getKey() + "' must be a list");
                List<Double> row = new ArrayList<>();
                for (Object v : values) row.add(number(v, where + ": history '" + e.getKey() + "'"));
                history.put((String) e.getKey(), row);
            }
            Map<String, long[]> random = new LinkedHashMap<>();
            for (var e : object(state.get("random_states"), where, "random_states").entrySet()) {
                if (!(e.getValue() instanceof List<?> values) || values.isEmpty() || values.size() > 1024) {
                    throw new FileFormatException(where + ": random state '" + e.getKey() + "' must be a list of integers");
                }
                long[] s = new long[values.size()];
                for (int i = 0; i < s.length; i++) {
                    if (!(values.get(i) instanceof Long l)) throw new FileFormatException(where + ": random state '" + e.getKey() + "' must be a list of integers");
                    s[i] = l;
                }
                random.put((String) e.getKey(), s);
            }
            byte[] weightBytes = entries.get(WEIGHTS);
            if (weightBytes == null) throw new FileFormatException(source + ": has no " + WEIGHTS + " entry");
            Map<String, Tensor> weights = tensors(weightBytes, source + ": " + WEIGHTS);
            Map<String, Optimizer.State> optimizers = new LinkedHashMap<>();
            for (var e : object(state.get("optimizers"), where, "optimizers").entrySet()) {
                String role = (String) e.getKey();
                Map<?, ?> scalars = object(e.getValue(), where, "optimizers/" + role);
                long iterations = integer(scalars.get("iterations"), where, "optimizers/" + role + "/iterations", 0, Long.MAX_VALUE);
                double lr = number(scalars.get("learning_rate"), where + ": optimizers/" + role + "/learning_rate");
                double scale = number(scalars.get("schedule_scale"), where + ": optimizers/" + role + "/schedule_scale");
                String slotsEntry = slotsEntry(role);
                byte[] slotBytes = entries.get(slotsEntry);
                if (slotBytes == null) throw new FileFormatException(source + ": has no " + slotsEntry + " entry for optimizer '" + role + "'");
                optimizers.put(role, new Optimizer.State(iterations, lr, scale, tensors(slotBytes, source + ": " + slotsEntry)));
            }
            return new TrainingSnapshot(epochs, history, (Long) seed, weights, optimizers, random);
        } catch (IllegalArgumentException e) { // a record's own check: a History longer than the epochs, a negative rate
            throw new FileFormatException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code optimizer.safetensors} for a model's optimizer, {@code optimizer.ROLE.safetensors} for a GAN's two. */
    private static String slotsEntry(String role) {
        return role.equals("optimizer") ? "optimizer.safetensors" : OPTIMIZER_PREFIX + role + OPTIMIZER_SUFFIX;
    }

    private static Map<String, Tensor> tensors(byte[] bytes, String source) throws FileFormatException {
        Safetensors.Contents contents = Safetensors.decode(bytes, source);
        try {
            return contents.tensors();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(source + ": " + e.getMessage(), e);
        }
    }

    private static Object number(double v) {
        if (Double.isFinite(v)) return v;
        return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }

    private static double number(Object v, String where) throws FileFormatException {
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l;
        if (v instanceof String s) {
            switch (s) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new FileFormatException(where + ": expected a number, got " + v);
    }

    private static long integer(Object v, String where, String key, long min, long max) throws FileFormatException {
        if (!(v instanceof Long l) || l < min || l > max) throw new FileFormatException(where + ": \"" + key + "\" must be an integer in [" + min + ", " + max + "], got " + v);
        return l;
    }

    private static Map<?, ?> object(Object v, String where, String key) throws FileFormatException {
        if (v == null) return Map.of();
        if (!(v instanceof Map<?, ?> m)) throw new FileFormatException(where + ": \"" + key + "\" must be an object");
        return m;
    }

    private static Object json(Map<String, byte[]> entries, String name, String source) throws FileFormatException {
        byte[] bytes = entries.get(name);
        if (bytes == null) throw new FileFormatException(source + ": has no " + name + " entry");
        return Json.parseUtf8(bytes, source + ": " + name);
    }
}
