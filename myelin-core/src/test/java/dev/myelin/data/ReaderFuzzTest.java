package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the data readers: valid IDX (raw and gzip), CIFAR-10 and CSV files with bytes flipped,
 * inserted, deleted, truncated, header fields set to extreme values. Every case must end within a time
 * limit either with data or with an {@link IOException} or {@link IllegalArgumentException} that has a
 * message: never an {@link Error} (out of memory, stack overflow), never another unchecked exception.
 *
 * <p>CI runs {@value #DEFAULT_CASES} cases per format (seeded, repeatable). A longer run:
 * <pre>
 * ./mvnw -pl myelin-core test -Dtest=ReaderFuzzTest -Dmyelin.fuzz.cases=100000 -Dmyelin.fuzz.seed=7
 * </pre>
 * prints the counts of each outcome.
 */
class ReaderFuzzTest {
    static final int DEFAULT_CASES = 1500;
    private static final int CASES = Integer.getInteger("myelin.fuzz.cases", DEFAULT_CASES);
    private static final long SEED = Long.getLong("myelin.fuzz.seed", 20261206L);
    private static final long CASE_TIMEOUT_MS = 5_000;

    private static ExecutorService worker;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true); // a hung case must not keep the test JVM alive
            return t;
        });
    }

    @AfterAll
    static void stop() {
        worker.shutdownNow();
    }

    @FunctionalInterface
    interface Reader {
        void read(Path file) throws Exception;
    }

    private static byte[] idx(int n) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 16);
        b.putInt(0x00000803).putInt(n).putInt(4).putInt(4);
        for (int i = 0; i < n * 16; i++) b.put((byte) (i * 37));
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var z = new GZIPOutputStream(bytes)) {
            z.write(raw);
        }
        return bytes.toByteArray();
    }

    private static byte[] cifar(int n) {
        byte[] b = new byte[n * 3073];
        for (int r = 0; r < n; r++) {
            b[r * 3073] = (byte) (r % 10);
            for (int i = 1; i < 3073; i++) b[r * 3073 + i] = (byte) (i * 13 + r);
        }
        return b;
    }

    private static byte[] csvSeed() {
        return ("a,b,\"c d\",label\n1,2.5,-3e2,0\n4,\"5\",6,1\n7,8,9e-3,2\n").getBytes(StandardCharsets.UTF_8);
    }

    /** One random mutation (or a few) of {@code seed}. */
    private static byte[] mutate(byte[] seed, SplittableRandom rng) {
        byte[] b = seed.clone();
        int rounds = 1 + rng.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            if (b.length == 0) return new byte[] {(byte) rng.nextInt(256)};
            switch (rng.nextInt(7)) {
                case 0 -> b[rng.nextInt(b.length)] = (byte) rng.nextInt(256);                     // random byte
                case 1 -> b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));              // bit flip
                case 2 -> b = java.util.Arrays.copyOf(b, rng.nextInt(b.length));                 // truncate
                case 3 -> {                                                                       // insert bytes
                    int at = rng.nextInt(b.length + 1), len = 1 + rng.nextInt(8);
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at);
                    for (int i = 0; i < len; i++) c[at + i] = (byte) rng.nextInt(256);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
                case 4 -> {                                                                       // delete bytes
                    int at = rng.nextInt(b.length), len = Math.min(b.length - at, 1 + rng.nextInt(8));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
                case 5 -> {                                                                       // extreme int in the first 16 bytes (headers)
                    if (b.length >= 4) {
                        int at = rng.nextInt(Math.min(b.length, 16) - 3);
                        int v = switch (rng.nextInt(5)) {
                            case 0 -> Integer.MAX_VALUE;
                            case 1 -> Integer.MIN_VALUE;
                            case 2 -> -1;
                            case 3 -> 0;
                            default -> 1 << rng.nextInt(31);
                        };
                        ByteBuffer.wrap(b).putInt(at, v);
                    }
                }
                default -> {                                                                      // duplicate a chunk
                    int at = rng.nextInt(b.length), len = Math.min(b.length - at, 1 + rng.nextInt(64));
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    private Map<String, Integer> fuzz(String name, byte[] seed, boolean gzipAfter, Reader reader) throws Exception {
        SplittableRandom rng = new SplittableRandom(SEED ^ name.hashCode());
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        Path file = dir.resolve(name);
        for (int c = 0; c < CASES && failures.size() < 5; c++) {
            byte[] mutated = mutate(seed, rng);
            Files.write(file, gzipAfter ? gzip(mutated) : mutated);
            Future<?> f = worker.submit(() -> {
                reader.read(file);
                return null;
            });
            String outcome;
            try {
                f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                outcome = "read";
            } catch (TimeoutException e) {
                f.cancel(true);
                failures.add("case " + c + ": no answer within " + CASE_TIMEOUT_MS + " ms");
                continue;
            } catch (ExecutionException e) {
                Throwable t = e.getCause();
                boolean expected = t instanceof IOException || t instanceof IllegalArgumentException;
                if (!expected || t.getMessage() == null || t.getMessage().isBlank()) {
                    failures.add("case " + c + ": " + t);
                    if (failures.size() == 1) t.printStackTrace();
                    continue;
                }
                outcome = t.getClass().getSimpleName();
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        if (!failures.isEmpty()) fail(name + " (seed " + SEED + "): " + String.join("; ", failures));
        System.out.println("fuzz " + name + ": " + CASES + " cases, " + outcomes);
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
        return outcomes;
    }

    @Test
    void idx() throws Exception {
        fuzz("images-idx3-ubyte", idx(6), false, Idx::readImages);
    }

    @Test
    void idxGzipMutatedBeforeCompression() throws Exception {
        fuzz("labels-idx3-ubyte.gz", idx(3), true, Idx::read);
    }

    @Test
    void idxGzipMutatedAfterCompression() throws Exception {
        fuzz("raw-idx3-ubyte.gz", gzip(idx(4)), false, Idx::read);
    }

    @Test
    void cifar() throws Exception {
        fuzz("data_batch_1.bin", cifar(2), false, Cifar10::readBatch);
    }

    @Test
    void csv() throws Exception {
        fuzz("table.csv", csvSeed(), false, f -> CsvReader.of().header(true).label("label").read(f));
    }
}
