package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.io.Json;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged Keras files (seeded, repeatable), made from the real {@code .h5} and {@code .keras}
 * fixtures in {@code shared/fixtures/interop} and from {@code .keras} files Myelin exports itself: raw byte
 * damage to whole files (bit flips, truncation, inserted and deleted bytes); edits to a {@code .keras} file's
 * {@code config.json} / {@code metadata.json} values re-zipped with valid CRCs; byte damage to the
 * {@code model.weights.h5} entry alone, re-zipped, so that jHDF itself reads the damage; and same-length
 * edits to the {@code model_config} JSON text inside a legacy {@code .h5}, so that the HDF5 structure stays
 * intact and the config checks are reached. Each file either imports (and then predicts) or is refused with
 * an {@link IOException} carrying a message; anything else, an {@link Error} or an unchecked exception
 * included, and any import over a few seconds, fails the test naming the mutation that caused it.
 */
class KerasFileFuzzTest {
    private static final int RAW_MUTANTS = 1200;
    private static final int JSON_MUTANTS = 1500;
    private static final int WEIGHTS_ENTRY_MUTANTS = 800;
    private static final int H5_CONFIG_MUTANTS = 800;
    private static final int TIMEOUT_SECONDS = 10;

    @TempDir
    static Path dir;
    private static final ExecutorService LOADER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "keras-fuzz-loader");
        t.setDaemon(true);
        return t;
    });
    /** Seed files by name: the fixtures' model files and the exported ones. */
    private static final Map<String, byte[]> SEED_FILES = new TreeMap<>();
    private static final Map<String, Integer> OUTCOMES = new TreeMap<>();
    private static final Map<String, String> SAMPLE_MESSAGES = new TreeMap<>();
    private static final Map<String, Integer> MESSAGE_KINDS = new TreeMap<>();

    private static final java.io.PrintStream STDERR = System.err;
    private static final int[] WARNINGS = {0};

    @BeforeAll
    static void readSeeds() throws IOException {
        // damaged weights warn (NaN values, compile settings dropped): count the warnings instead of printing thousands
        System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()) {
            @Override
            public void println(String x) {
                WARNINGS[0]++;
            }
        });
        Path interop = Fixtures.interop();
        try (Stream<Path> files = Files.walk(interop)) {
            for (Path f : files.sorted().toList()) {
                String name = interop.relativize(f).toString();
                boolean model = name.endsWith(".keras") || (name.endsWith(".h5") && !name.contains("inputs_and_outputs"));
                if (model) SEED_FILES.put(name, Files.readAllBytes(f));
            }
        }
        for (var e : ExportedSeeds.files(dir).entrySet()) SEED_FILES.put(e.getKey(), Files.readAllBytes(e.getValue()));
        assertTrue(SEED_FILES.keySet().stream().anyMatch(n -> n.endsWith(".h5")), "no .h5 seed in " + interop);
        assertTrue(SEED_FILES.keySet().stream().anyMatch(n -> n.endsWith(".keras")), "no .keras seed in " + interop);
    }

    @AfterAll
    static void stop() {
        LOADER.shutdownNow();
        System.setErr(STDERR);
        System.out.println("KerasFileFuzzTest: " + WARNINGS[0] + " warnings printed by imports (not shown)");
        System.out.println("KerasFileFuzzTest seeds: " + SEED_FILES.keySet());
        System.out.println("KerasFileFuzzTest outcomes: " + OUTCOMES);
        SAMPLE_MESSAGES.forEach((k, v) -> System.out.println("  e.g. " + k + ": " + v));
        // every kind of refusal (numbers as N), counted, for reading what the messages say
        List<String> lines = new ArrayList<>();
        MESSAGE_KINDS.forEach((k, v) -> lines.add(v + " x " + k));
        try {
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target/keras-fuzz-refusals.txt"), lines);
        } catch (IOException e) {
            System.out.println("could not write target/keras-fuzz-refusals.txt: " + e);
        }
    }

    @Test
    void rawByteDamageIsRefusedOrImports() throws Exception {
        SplittableRandom r = new SplittableRandom(20261206);
        List<String> names = List.copyOf(SEED_FILES.keySet());
        for (int i = 0; i < RAW_MUTANTS; i++) {
            String seed = names.get(i % names.size());
            byte[] bytes = SEED_FILES.get(seed).clone();
            StringBuilder what = new StringBuilder();
            bytes = damage(bytes, r, what);
            String suffix = seed.endsWith(".keras") ? ".keras" : ".h5";
            Path f = dir.resolve("raw" + suffix);
            Files.write(f, bytes);
            check(f, "raw" + suffix, "raw mutant " + i + " of " + seed + " (" + what + ")");
        }
        assertOutcomes("raw.h5", true);
        assertOutcomes("raw.keras", false); // a stored zip's CRCs catch nearly every raw change
    }

    @Test
    void editedConfigAndMetadataOfKerasFilesAreRefusedOrImport() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        List<String> names = kerasSeeds();
        for (int i = 0; i < JSON_MUTANTS; i++) {
            String seed = names.get(i % names.size());
            Map<String, byte[]> entries = entries(seed);
            String entry = r.nextInt(5) == 0 ? "metadata.json" : "config.json";
            Object tree = JsonMutations.mutableCopy(Json.parse(new String(entries.get(entry), StandardCharsets.UTF_8)));
            String what = JsonMutations.mutate(tree, r, 1 + r.nextInt(3));
            entries.put(entry, Json.write(tree).getBytes(StandardCharsets.UTF_8));
            Path f = dir.resolve("json.keras");
            ZipArchive.write(f, entries);
            check(f, "json", "JSON mutant " + i + " of " + seed + " " + entry + " (" + what + ")");
        }
        assertOutcomes("json", true);
    }

    @Test
    void damagedWeightsEntryOfKerasFilesIsRefusedOrImports() throws Exception {
        SplittableRandom r = new SplittableRandom(99);
        List<String> names = kerasSeeds();
        for (int i = 0; i < WEIGHTS_ENTRY_MUTANTS; i++) {
            String seed = names.get(i % names.size());
            Map<String, byte[]> entries = entries(seed);
            StringBuilder what = new StringBuilder();
            byte[] w = entries.get("model.weights.h5").clone();
            // mostly small damage (bit flips) so that the superblock check passes and jHDF reads the damage
            if (r.nextInt(4) == 0) {
                w = damage(w, r, what);
            } else {
                int flips = 1 + r.nextInt(3);
                for (int k = 0; k < flips; k++) {
                    int at = r.nextInt(w.length);
                    w[at] ^= (byte) (1 << r.nextInt(8));
                    what.append("bit flip at ").append(at).append("; ");
                }
            }
            entries.put("model.weights.h5", w);
            Path f = dir.resolve("weights.keras");
            ZipArchive.write(f, entries);
            check(f, "weights", "weights mutant " + i + " of " + seed + " (" + what + ")");
        }
        assertOutcomes("weights", true);
    }

    @Test
    void editedModelConfigTextInsideLegacyH5IsRefusedOrImports() throws Exception {
        SplittableRandom r = new SplittableRandom(31);
        List<String> names = SEED_FILES.keySet().stream().filter(n -> n.endsWith(".h5")).toList();
        byte[] choices = "0123456789-\"[]{},:.e nNtf".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < H5_CONFIG_MUTANTS; i++) {
            String seed = names.get(i % names.size());
            byte[] bytes = SEED_FILES.get(seed).clone();
            int[] span = jsonSpan(bytes, "{\"class_name\":", "{\"config\":");
            if (span == null) throw new AssertionError(seed + ": no model_config JSON text found in its bytes");
            StringBuilder what = new StringBuilder();
            int edits = 1 + r.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = span[0] + r.nextInt(span[1] - span[0]);
                bytes[at] = choices[r.nextInt(choices.length)];
                what.append("config byte ").append(at).append(" = '").append((char) bytes[at]).append("'; ");
            }
            Path f = dir.resolve("config.h5");
            Files.write(f, bytes);
            check(f, "h5config", "model_config mutant " + i + " of " + seed + " (" + what + ")");
        }
        assertOutcomes("h5config", true);
    }

    private static List<String> kerasSeeds() {
        return SEED_FILES.keySet().stream().filter(n -> n.endsWith(".keras")).toList();
    }

    private static Map<String, byte[]> entries(String seed) throws IOException {
        Path f = dir.resolve("seed.keras");
        Files.write(f, SEED_FILES.get(seed));
        Map<String, Long> limits = new LinkedHashMap<>();
        for (String name : new String[] {"metadata.json", "config.json", "model.weights.h5"}) limits.put(name, 1L << 24);
        return new LinkedHashMap<>(ZipArchive.read(f, limits));
    }

    /** The span [start, end) of the JSON text starting with one of {@code starts} (the model_config attribute), or null. */
    private static int[] jsonSpan(byte[] b, String... starts) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        for (String start : starts) {
            int at = text.indexOf(start);
            if (at < 0) continue;
            int depth = 0;
            boolean inString = false;
            for (int i = at; i < text.length(); i++) {
                char c = text.charAt(i);
                if (inString) {
                    if (c == '\\') i++;
                    else if (c == '"') inString = false;
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    return new int[] {at, i + 1};
                }
            }
        }
        return null;
    }

    /** One random kind of raw damage: bit flips, truncation, inserted or deleted bytes; appends what it did. */
    private static byte[] damage(byte[] bytes, SplittableRandom r, StringBuilder what) {
        switch (r.nextInt(4)) {
            case 0 -> {
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
                what.append(flips).append(" bit flips");
                return bytes;
            }
            case 1 -> {
                int n = r.nextInt(bytes.length);
                what.append("truncated to ").append(n);
                return Arrays.copyOf(bytes, n);
            }
            case 2 -> {
                int at = r.nextInt(bytes.length), n = 1 + r.nextInt(16);
                byte[] out = new byte[bytes.length + n];
                System.arraycopy(bytes, 0, out, 0, at);
                for (int k = 0; k < n; k++) out[at + k] = (byte) r.nextInt(256);
                System.arraycopy(bytes, at, out, at + n, bytes.length - at);
                what.append(n).append(" bytes inserted at ").append(at);
                return out;
            }
            default -> {
                int at = r.nextInt(bytes.length), n = Math.min(1 + r.nextInt(16), bytes.length - at);
                byte[] out = new byte[bytes.length - n];
                System.arraycopy(bytes, 0, out, 0, at);
                System.arraycopy(bytes, at + n, out, at, bytes.length - at - n);
                what.append(n).append(" bytes deleted at ").append(at);
                return out;
            }
        }
    }

    private static void count(String kind, String outcome, String message) {
        OUTCOMES.merge(kind + " " + outcome, 1, Integer::sum);
        if (message != null) {
            SAMPLE_MESSAGES.putIfAbsent(kind + " " + outcome, message);
            String shape = message.replace(dir.toString(), "").replaceAll("\\d+", "N");
            MESSAGE_KINDS.merge(shape.length() > 160 ? shape.substring(0, 160) : shape, 1, Integer::sum);
        }
    }

    /** The fuzzing refused some files of this kind and, when {@code someLoad}, imported others. */
    private static void assertOutcomes(String kind, boolean someLoad) {
        assertTrue(OUTCOMES.getOrDefault(kind + " refused", 0) > 0, kind + ": nothing was refused: " + OUTCOMES);
        if (someLoad) assertTrue(OUTCOMES.getOrDefault(kind + " imported", 0) > 0, kind + ": nothing imported (is every file refused for one reason?): " + OUTCOMES);
    }

    /** Imports within a time limit; a model that imports must also predict on an input of its shape. */
    private static void check(Path file, String kind, String what) throws Exception {
        Future<Throwable> outcome = LOADER.submit(() -> {
            try {
                Model m = KerasImport.load(file);
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
            t = outcome.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            outcome.cancel(true);
            fail(what + ": importing took over " + TIMEOUT_SECONDS + " s (a hang?)");
            return;
        }
        if (t == null) {
            count(kind, "imported", null);
            return;
        }
        if (t instanceof IOException && t.getMessage() != null && !t.getMessage().isBlank()
                && !t.getMessage().endsWith(": null") && !t.getMessage().contains("(null)")) {
            count(kind, "refused", t.getMessage());
            return;
        }
        throw new AssertionError(what + ": expected a refusal with a message or a model, got " + t, t);
    }
}
