package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        AtomicFiles.write(f, out -> out.write(new byte[] {4}));
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(f));
        assertEquals(1, entries(), "no temporary file left");
    }

    @Test
    void failureLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("keep.txt");
        Files.writeString(f, "old");
        IOException ex = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("disk full", ex.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(1, entries());
    }

    @Test
    void staleTemporaryFileOfADeadProcessIsRemovedByTheNextWrite() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path stale = dir.resolve(AtomicFiles.tempName("model.bin", p.pid()));
        Files.writeString(stale, "half");
        Path live = dir.resolve(AtomicFiles.tempName("model.bin", ProcessHandle.current().pid()));
        Files.writeString(live, "being written");
        Path other = dir.resolve(AtomicFiles.tempName("best.v1.myelin", p.pid()));
        Files.writeString(other, "another target's, never written again");
        Path liveOther = dir.resolve(AtomicFiles.tempName("other.bin", ProcessHandle.current().pid()));
        Files.writeString(liveOther, "being written");
        Path notOurs = dir.resolve(".hidden.myelin-tmp");
        Files.writeString(notOurs, "someone else's");
        AtomicFiles.write(dir.resolve("model.bin"), out -> out.write(1));
        assertFalse(Files.exists(stale), "the dead writer's temporary file is gone");
        assertFalse(Files.exists(other), "a dead writer's temporary file for another target is gone too");
        assertTrue(Files.exists(live), "a live writer's temporary file is kept");
        assertTrue(Files.exists(liveOther), "a live writer's temporary file for another target is kept");
        assertTrue(Files.exists(notOurs), "a file without a writer's PID is not ours");
    }

    @Test
    void badTargetsNameThePath() throws IOException {
        var root = assertThrows(IOException.class, () -> AtomicFiles.write(Path.of("/"), out -> {}));
        assertTrue(root.getMessage().contains("names no file"), root.getMessage());
        var folder = assertThrows(IOException.class, () -> AtomicFiles.write(dir, out -> {}));
        assertTrue(folder.getMessage().contains(dir.toString()) && folder.getMessage().contains("folder"), folder.getMessage());
        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        var under = assertThrows(IOException.class, () -> AtomicFiles.write(file.resolve("child.png"), out -> {}));
        assertTrue(under.getMessage().contains("cannot be created"), under.getMessage());
    }

    @Test
    void pngWriterToTheRootIsAClearErrorNotANullPointer() {
        var ex = assertThrows(IOException.class, () -> PngWriter.write(Tensor.zeros(2, 2), 0, 1, Path.of("/")));
        assertTrue(ex.getMessage().contains("names no file"), ex.getMessage());
    }
}
