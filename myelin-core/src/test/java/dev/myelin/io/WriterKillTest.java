package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.data.Idx;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that keeps rewriting files through Myelin's writers at random moments (SIGKILL: no
 * shutdown hook, no finally block), and checks that the target paths never hold a partial file and that
 * the next write leaves no temporary file behind.
 */
class WriterKillTest {
    @TempDir Path dir;

    /** The victim: rewrites an IDX file and a PNG until killed, each write complete and self-checking. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        for (int round = 1; ; round++) {
            if (round == 2) {
                System.out.println("writing"); // the first round is done: the parent kills from here on
                System.out.flush();
            }
            float value = round % 256;
            // 2 MB: long enough to be killed in the middle of a write
            Idx.write(out.resolve("big-idx1-ubyte"), Tensor.full(DType.FLOAT32, Shape.of(2_000_000), value), false);
            PngWriter.write(Tensor.full(DType.FLOAT32, Shape.of(64, 64), value / 255.0), 0, 1, out.resolve("image.png"));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void killedWritersNeverLeavePartialFiles() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        SplittableRandom rng = new SplittableRandom(7);
        int leftovers = 0;
        // 12 kills at least; more (up to 60) until one lands inside a write, which on a fast disk can take a while
        for (int k = 0; k < 60 && (k < 12 || leftovers == 0); k++) {
            Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    WriterKillTest.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // wait for the first round to finish (the JVM has started), then kill at a random moment
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String ready = lines.readLine();
            assertEquals("writing", ready, "the writer process should report that it runs");
            Thread.sleep(rng.nextInt(1, 150));
            p.destroyForcibly().waitFor(); // SIGKILL
            leftovers += (int) list(dir).stream().filter(f -> f.getFileName().toString().endsWith(".myelin-tmp")).count();
            // whatever the moment, the targets are whole files
            Tensor t = Idx.read(dir.resolve("big-idx1-ubyte"));
            assertEquals(2_000_000, t.size());
            float first = (float) t.get(0);
            assertEquals(first, (float) t.get(1_999_999), "one round's values, not a mix");
            if (Files.exists(dir.resolve("image.png"))) {
                assertTrue(javax.imageio.ImageIO.read(dir.resolve("image.png").toFile()) != null, "a decodable PNG");
            }
        }
        // Some kills landed in the middle of a write (else this test proves nothing): their temporary files are
        // still there, and the next write of each target removes them.
        assertTrue(leftovers > 0, "no kill interrupted a write; the test needs longer writes");
        Idx.write(dir.resolve("big-idx1-ubyte"), Tensor.zeros(3), false);
        PngWriter.write(Tensor.zeros(2, 2), 0, 1, dir.resolve("image.png"));
        assertEquals(List.of(dir.resolve("big-idx1-ubyte"), dir.resolve("image.png")), list(dir));
    }
}
