package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.models.Sequential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of model files ({@code myelin train --model FILE.json}): a valid file with characters
 * replaced, inserted, deleted, tokens swapped for other JSON tokens and numbers for extreme ones. Each
 * case is read and built within a time limit and ends with a model or an {@link IOException} /
 * {@link IllegalArgumentException} with a message: never an {@link Error}, never another exception.
 * Longer runs: {@code -Dmyelin.fuzz.cases=100000 -Dmyelin.fuzz.seed=N}.
 */
class ModelFileFuzzTest {
    private static final int CASES = Integer.getInteger("myelin.fuzz.cases", 2000);
    private static final long SEED = Long.getLong("myelin.fuzz.seed", 20261206L);

    private static final String VALID = """
            {"input_shape": [8, 8, 1],
             "layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu", "padding": "same"},
                        {"type": "MaxPooling2D", "pool_size": 2},
                        {"class_name": "Dropout", "config": {"rate": 0.25}},
                        {"type": "Flatten"},
                        {"type": "Dense", "units": 10, "activation": "softmax", "use_bias": true}]}
            """;
    private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-1", "0", "1.5",
        "4294967306", "1e999", "-0", "99999999999999999999", "2147483647", "\"units\"", "\"type\"", "\"LSTM\"", "\"Lambda\"",
        "\\u0000", "\u00e9", "NaN", "[[[[[[[[", "}}}}"};

    @TempDir Path dir;

    private static String mutate(String s, SplittableRandom rng) {
        StringBuilder b = new StringBuilder(s);
        int rounds = 1 + rng.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            if (b.isEmpty()) b.append(TOKENS[rng.nextInt(TOKENS.length)]);
            int at = rng.nextInt(b.length());
            switch (rng.nextInt(5)) {
                case 0 -> b.setCharAt(at, (char) (32 + rng.nextInt(95)));
                case 1 -> b.insert(at, TOKENS[rng.nextInt(TOKENS.length)]);
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + rng.nextInt(6)));
                case 3 -> { // replace a number with an extreme one
                    int d = indexOfDigit(b, at);
                    if (d >= 0) {
                        int end = d;
                        while (end < b.length() && (Character.isDigit(b.charAt(end)) || b.charAt(end) == '.')) end++;
                        b.replace(d, end, TOKENS[12 + rng.nextInt(6)]);
                    }
                }
                default -> b.setLength(at); // truncate
            }
        }
        return b.toString();
    }

    private static int indexOfDigit(CharSequence s, int from) {
        for (int i = from; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) return i;
        return -1;
    }

    @Test
    void mutatedModelFilesFailCleanly() throws Exception {
        SplittableRandom rng = new SplittableRandom(SEED);
        Path file = dir.resolve("model.json");
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int c = 0; c < CASES && failures.size() < 5; c++) {
                String text = mutate(VALID, rng);
                Files.writeString(file, text, StandardCharsets.UTF_8);
                Future<?> f = worker.submit(() -> {
                    Sequential m = ModelFile.read(file);
                    m.build();
                    return null;
                });
                try {
                    f.get(10, TimeUnit.SECONDS);
                    outcomes.merge("built", 1, Integer::sum);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    failures.add("case " + c + ": no answer within 10 s: " + text);
                } catch (ExecutionException e) {
                    Throwable t = e.getCause();
                    if (!(t instanceof IOException || t instanceof IllegalArgumentException) || t.getMessage() == null || t.getMessage().isBlank()) {
                        failures.add("case " + c + ": " + t + " for " + text);
                        if (failures.size() == 1) t.printStackTrace();
                    } else {
                        outcomes.merge(t.getClass().getSimpleName(), 1, Integer::sum);
                    }
                }
            }
        } finally {
            worker.shutdownNow();
        }
        if (!failures.isEmpty()) fail("seed " + SEED + ": " + String.join("\n", failures));
        System.out.println("fuzz model files: " + CASES + " cases, " + outcomes);
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void numbersAreNotConvertedSilently() throws IOException {
        for (String units : new String[] {"1.5", "4294967306", "-3", "1e999", "\"10\""}) {
            Path f = dir.resolve("units.json");
            Files.writeString(f, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense\", \"units\": " + units + "}]}");
            var ex = assertThrows(IOException.class, () -> ModelFile.read(f).build(), units);
            assertTrue(ex.getMessage().contains(f.toString()), ex.getMessage());
            if (units.equals("1e999")) {
                assertTrue(ex.getMessage().contains("line 1:") && ex.getMessage().contains("out of range"), ex.getMessage()); // refused by the JSON reader
            } else {
                assertTrue(ex.getMessage().contains("layer 1") && ex.getMessage().contains("units"), units + ": " + ex.getMessage());
            }
        }
    }

    @Test
    void endlessOrNonTextFilesAreRefused() throws IOException {
        var zero = assertThrows(IOException.class, () -> ModelFile.read(Path.of("/dev/zero")));
        assertTrue(zero.getMessage().contains("/dev/zero") && zero.getMessage().contains("not a regular file"), zero.getMessage());
        Path binary = dir.resolve("model.bin");
        Files.write(binary, new byte[] {'{', (byte) 0xff, 0, 1});
        var bin = assertThrows(IOException.class, () -> ModelFile.read(binary));
        assertTrue(bin.getMessage().contains("not UTF-8") && bin.getMessage().contains("offset 1"), bin.getMessage());
        var folder = assertThrows(IOException.class, () -> ModelFile.read(dir));
        assertTrue(folder.getMessage().contains("a folder"), folder.getMessage());
    }
}
