package dev.myelin.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that the target path never holds a partial file, whatever happens: the bytes go to a
 * temporary sibling, which is flushed to disk ({@code fsync}) and renamed over the target, and then the
 * folder is flushed so the rename itself survives a power cut. On any failure the temporary file is
 * deleted; a temporary file left by a process that was killed (its name carries the writer's process id)
 * is deleted by the next write into the same folder.
 *
 * <p>Every writer in Myelin (IDX files, PNG images and plots, training logs, model files) goes through
 * {@link #write}.
 *
 * <p>Example:
 * <pre>{@code
 * AtomicFiles.write(Path.of("out/log.csv"), out -> out.write(csv.getBytes(StandardCharsets.UTF_8)));
 * }</pre>
 */
public final class AtomicFiles {
    private static final String SUFFIX = ".myelin-tmp";

    private AtomicFiles() {}

    /** What fills the temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with what {@code content} writes, atomically. Creates the parent folders.
     *
     * @throws IOException naming the target when it is a folder, has no file name, or its folder cannot be
     *     created or written; or whatever {@code content} throws (the target is then untouched)
     */
    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name == null) throw new IOException("cannot write " + target + ": the path names no file");
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + target + ": it is a folder");
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": the folder " + dir + " cannot be created (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", e);
        }
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + target + ": the folder " + dir + " is not writable");
        removeStale(dir);
        Path tmp = dir.resolve(tempName(name.toString(), ProcessHandle.current().pid()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            syncFolder(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code .NAME.PID.RANDOM.myelin-tmp}: hidden, and it says which process wrote it. */
    static String tempName(String name, long pid) {
        return "." + name + "." + pid + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + SUFFIX;
    }

    /**
     * Deletes the temporary files in {@code dir} whose writing process no longer runs, whatever their target:
     * a process killed while writing a file it never writes again (a best-only checkpoint) leaves nothing
     * behind once anything else is written to that folder. A live writer's files are kept. Every
     * {@link #write} does this first; a writer that may write nothing more into its folder (a checkpoint
     * callback resumed after its last epoch) calls it when it starts. Best effort: a folder that cannot be
     * listed, or a file that cannot be deleted, is left as it is.
     */
    public static void removeLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) return;
        removeStale(dir);
    }

    private static void removeStale(Path dir) {
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, p -> {
            String f = p.getFileName().toString();
            return f.startsWith(".") && f.endsWith(SUFFIX);
        })) {
            for (Path p : siblings) {
                long pid = writerPid(p.getFileName().toString());
                if (pid < 0) continue; // not ours
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue; // a live writer's
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Best effort: a stale file we cannot list or delete does not stop this write.
        }
    }

    /** The PID in {@code .NAME.PID.RANDOM.myelin-tmp} (NAME may hold dots), or -1 when the name is not one of ours. */
    static long writerPid(String fileName) {
        String stem = fileName.substring(0, fileName.length() - SUFFIX.length());
        int randomDot = stem.lastIndexOf('.');
        int pidDot = randomDot <= 0 ? -1 : stem.lastIndexOf('.', randomDot - 1);
        if (pidDot <= 0) return -1;
        try {
            return Long.parseLong(stem.substring(pidDot + 1, randomDot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Flushes the folder entry of a rename to disk (Linux and macOS allow opening a folder for this). */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some systems (Windows) cannot open a folder: the rename is still atomic, only its durability waits.
        }
    }
}
