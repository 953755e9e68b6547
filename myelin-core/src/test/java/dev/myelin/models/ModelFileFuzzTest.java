package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.io.Json;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged model files (seeded, repeatable): raw byte damage (bit flips, truncation, inserted and
 * deleted bytes) and edits to the JSON and safetensors entries re-zipped with valid CRCs, so that the config
 * and weight checks are reached. Each file either loads (and then predicts) or is refused with an
 * {@link IOException} carrying a message; anything else, an {@link Error} included, and any load over a few
 * seconds, fails the test with the mutation that caused it.
 */
class ModelFileFuzzTest {
    private static final int RAW_MUTANTS = 1500;
    private static final int JSON_MUTANTS = 2500;
    private static final int WEIGHT_MUTANTS = 500;

    @TempDir
    static Path dir;
    private static final ExecutorService LOADER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-loader");
        t.setDaemon(true);
        return t;
    });
    private static List<Map<String, byte[]>> seeds;
    private static List<byte[]> seedFiles;
    private static final Map<String, Integer> OUTCOMES = new java.util.TreeMap<>();
    private static final Map<String, String> SAMPLE_MESSAGES = new java.util.TreeMap<>();

    @BeforeAll
    static void saveSeedModels() throws IOException {
        List<Model> models = new ArrayList<>();
        Sequential cnn = new Sequential(new Conv2D(2, 3, Activation.RELU).inputShape(6, 6, 1), new BatchNormalization(), new MaxPooling2D(2),
                new Flatten(), new Dropout(0.2), new Dense(3, Activation.SOFTMAX));
        cnn.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        cnn.classNames(List.of("a", "b", "c"));
        models.add(cnn);
        SymbolicTensor a = Input.named("a", 4), b = Input.named("b", 4);
        Dense shared = new Dense(3);
        models.add(new Model(List.of(a, b), List.of(new Add().apply(shared.apply(a), shared.apply(b)), new Dense(2).apply(a))));
        models.add(new Sequential(new LSTM(3).inputShape(5, 2), new Dense(1)));
        seeds = new ArrayList<>();
        seedFiles = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            Path f = dir.resolve("seed" + i + ".myelin");
            models.get(i).seed(i).save(f);
            seeds.add(ModelFileTest.readZip(f));
            seedFiles.add(Files.readAllBytes(f));
        }
    }

    @AfterAll
    static void stop() {
        LOADER.shutdownNow();
        System.out.println("ModelFileFuzzTest outcomes: " + OUTCOMES);
        SAMPLE_MESSAGES.forEach((k, v) -> System.out.println("  e.g. " + k + ": " + v));
    }

    private static void count(String kind, String outcome, String message) {
        OUTCOMES.merge(kind + " " + outcome, 1, Integer::sum);
        if (message != null) SAMPLE_MESSAGES.putIfAbsent(kind + " " + outcome, message);
    }

    /** The fuzzing reached both outcomes for every kind of damage: some files still load, most are refused. */
    private static void assertBothOutcomes(String kind) {
        assertTrue(OUTCOMES.getOrDefault(kind + " refused", 0) > 0, kind + ": nothing was refused: " + OUTCOMES);
        assertTrue(OUTCOMES.getOrDefault(kind + " loaded", 0) > 0, kind + ": nothing loaded (is every file refused for one reason?): " + OUTCOMES);
    }

    @Test
    void rawByteDamageIsRefusedOrLoadsCorrectly() throws Exception {
        SplittableRandom r = new SplittableRandom(20261206);
        for (int i = 0; i < RAW_MUTANTS; i++) {
            byte[] bytes = seedFiles.get(i % seedFiles.size()).clone();
            String what;
            switch (r.nextInt(4)) {
                case 0 -> {
                    int flips = 1 + r.nextInt(4);
                    for (int k = 0; k < flips; k++) bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
                    what = flips + " bit flips";
                }
                case 1 -> {
                    int n = r.nextInt(bytes.length);
                    bytes = java.util.Arrays.copyOf(bytes, n);
                    what = "truncated to " + n;
                }
                case 2 -> {
                    int at = r.nextInt(bytes.length), n = 1 + r.nextInt(16);
                    byte[] out = new byte[bytes.length + n];
                    System.arraycopy(bytes, 0, out, 0, at);
                    for (int k = 0; k < n; k++) out[at + k] = (byte) r.nextInt(256);
                    System.arraycopy(bytes, at, out, at + n, bytes.length - at);
                    bytes = out;
                    what = n + " bytes inserted at " + at;
                }
                default -> {
                    int at = r.nextInt(bytes.length), n = Math.min(1 + r.nextInt(16), bytes.length - at);
                    byte[] out = new byte[bytes.length - n];
                    System.arraycopy(bytes, 0, out, 0, at);
                    System.arraycopy(bytes, at + n, out, at, bytes.length - at - n);
                    bytes = out;
                    what = n + " bytes deleted at " + at;
                }
            }
            Path f = dir.resolve("raw.myelin");
            Files.write(f, bytes);
            check(f, "raw", "raw mutant " + i + " (" + what + ")");
        }
        assertBothOutcomes("raw");
    }

    @Test
    void editedConfigAndMetadataAreRefusedOrLoadCorrectly() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < JSON_MUTANTS; i++) {
            Map<String, byte[]> entries = new LinkedHashMap<>(seeds.get(i % seeds.size()));
            String entry = r.nextInt(5) == 0 ? "metadata.json" : "config.json";
            Object tree = mutableCopy(Json.parse(new String(entries.get(entry), StandardCharsets.UTF_8)));
            String what = mutate(tree, r, 1 + r.nextInt(3));
            entries.put(entry, Json.write(tree).getBytes(StandardCharsets.UTF_8));
            Path f = dir.resolve("json.myelin");
            ModelFileTest.writeZipBytes(f, entries);
            check(f, "json", "JSON mutant " + i + " of " + entry + " (" + what + ")");
        }
        assertBothOutcomes("json");
    }

    @Test
    void editedWeightEntriesAreRefusedOrLoadCorrectly() throws Exception {
        SplittableRandom r = new SplittableRandom(99);
        for (int i = 0; i < WEIGHT_MUTANTS; i++) {
            Map<String, byte[]> entries = new LinkedHashMap<>(seeds.get(i % seeds.size()));
            byte[] w = entries.get("model.weights.safetensors").clone();
            long headerLength = 0;
            for (int k = 7; k >= 0; k--) headerLength = (headerLength << 8) | (w[k] & 0xff);
            String what;
            if (r.nextBoolean()) { // edit a digit or a quote inside the JSON header
                int at = 8 + r.nextInt((int) headerLength);
                byte[] choices = "0123456789-\"[],:e ".getBytes(StandardCharsets.US_ASCII);
                w[at] = choices[r.nextInt(choices.length)];
                what = "header byte " + at + " set to '" + (char) w[at] + "'";
            } else {
                int at = r.nextInt(w.length);
                w[at] ^= (byte) (1 << r.nextInt(8));
                what = "bit flip at " + at;
            }
            entries.put("model.weights.safetensors", w);
            Path f = dir.resolve("weights.myelin");
            ModelFileTest.writeZipBytes(f, entries);
            check(f, "weights", "weights mutant " + i + " (" + what + ")");
        }
        assertBothOutcomes("weights");
    }

    /** Loads within a time limit; a model that loads must also predict on an input of its shape. */
    private static void check(Path file, String kind, String what) throws Exception {
        Future<Throwable> outcome = LOADER.submit(() -> {
            try {
                Model m = Model.load(file);
                if (m.isBuilt() && m.inputs().size() == 1 && m.outputs().size() == 1) {
                    int[] shape = m.inputs().get(0).shape().toArray();
                    int[] batch = new int[shape.length + 1];
                    batch[0] = 2;
                    System.arraycopy(shape, 0, batch, 1, shape.length);
                    long n = 1;
                    for (int d : batch) n *= d;
                    if (n <= 1_000_000) m.predict(Tensor.zeros(batch));
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable t;
        try {
            t = outcome.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            outcome.cancel(true);
            fail(what + ": loading took over 10 s (a hang?)");
            return;
        }
        if (t == null) {
            count(kind, "loaded", null);
            return;
        }
        if (t instanceof IOException && t.getMessage() != null && !t.getMessage().isBlank()) {
            count(kind, "refused", t.getMessage());
            return;
        }
        throw new AssertionError(what + ": expected a refusal with a message or a model, got " + t, t);
    }

    /** Changes {@code count} random values of the tree in place; returns what it did. */
    @SuppressWarnings("unchecked")
    private static String mutate(Object tree, SplittableRandom r, int count) {
        StringBuilder did = new StringBuilder();
        for (int c = 0; c < count; c++) {
            List<Object[]> slots = new ArrayList<>(); // {container, key or index, path}
            collect(tree, "", slots);
            if (slots.isEmpty()) return did.toString();
            Object[] slot = slots.get(r.nextInt(slots.size()));
            Object value = replacement(r);
            if (slot[0] instanceof Map<?, ?> m) {
                if (r.nextInt(6) == 0) {
                    ((Map<String, Object>) m).remove((String) slot[1]);
                    did.append("removed ").append(slot[2]).append("; ");
                    continue;
                }
                ((Map<String, Object>) m).put((String) slot[1], value);
            } else {
                List<Object> l = (List<Object>) slot[0];
                int idx = (Integer) slot[1];
                if (r.nextInt(6) == 0) {
                    l.remove(idx);
                    did.append("removed ").append(slot[2]).append("; ");
                    continue;
                }
                l.set(idx, value);
            }
            did.append(slot[2]).append(" = ").append(value instanceof String s ? "\"" + s + "\"" : value).append("; ");
        }
        return did.toString();
    }

    private static Object mutableCopy(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) out.put((String) e.getKey(), mutableCopy(e.getValue()));
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(mutableCopy(o));
            return out;
        }
        return node;
    }

    private static void collect(Object node, String path, List<Object[]> slots) {
        if (node instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                String p = path + "/" + e.getKey();
                slots.add(new Object[] {m, e.getKey(), p});
                collect(e.getValue(), p, slots);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String p = path + "[" + i + "]";
                slots.add(new Object[] {l, i, p});
                collect(l.get(i), p, slots);
            }
        }
    }

    private static Object replacement(SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> null;
            case 1 -> 0L;
            case 2 -> -1L;
            case 3 -> 1L + r.nextInt(5);
            case 4 -> (long) Integer.MAX_VALUE + 7;
            case 5 -> 1L << 40;
            case 6 -> 0.5;
            case 7 -> -3.25e300;
            case 8 -> true;
            case 9 -> "";
            case 10 -> "Dense";
            case 11 -> "same";
            case 12 -> new ArrayList<>(java.util.Arrays.asList(null, 2L, 3L));
            default -> new LinkedHashMap<>(Map.of("class_name", "Sequential"));
        };
    }
}
