package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs whose size comes from outside and would not fit: refused with a message naming the file, before
 * anything large is allocated (no OutOfMemoryError, no hang).
 */
class OversizedInputTest {
    @TempDir Path dir;

    private static byte[] idxHeader(int type, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    /** A gzip file of {@code header} followed by {@code zeros} zero bytes (compresses ~1000:1). */
    private Path gzip(String name, byte[] header, long zeros) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f), 1 << 16)) {
            o.write(header);
            byte[] block = new byte[1 << 16];
            for (long left = zeros; left > 0; left -= block.length) o.write(block, 0, (int) Math.min(block.length, left));
        }
        return f;
    }

    @Test
    void gzipBombIsNotInflatedPastTheHeaderSize() throws IOException {
        // 64 MB of zeros after a header that declares 100 bytes: refused after reading ~101 bytes.
        Path bomb = gzip("bomb-idx1-ubyte.gz", idxHeader(0x08, 100), 64L << 20);
        assertTrue(Files.size(bomb) < 1 << 20, "the bomb is small on disk");
        IOException ex = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> Idx.read(bomb)));
        String m = ex.getMessage();
        assertTrue(m.contains(bomb.toString()) && m.contains("extra bytes") && m.contains("after gzip decompression"), m);
    }

    @Test
    void headerDeclaringMoreThanMemoryIsRefusedBeforeAllocating() throws IOException {
        // [2_100_000_000] bytes would need ~10.5 GB as bytes + floats: more than any test JVM's heap here;
        // with a bigger heap the stream's end shows the file truncated. Either way: an IOException, fast.
        Path f = gzip("huge-idx1-ubyte.gz", idxHeader(0x08, 2_100_000_000), 1000);
        IOException ex = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(IOException.class, () -> Idx.read(f)));
        String m = ex.getMessage();
        assertTrue(m.contains(f.toString()) && (m.contains("needs") && m.contains("GB") || m.contains("truncated")), m);
    }

    @Test
    void headerOverTwoBillionElementsIsRefused() throws IOException {
        Path f = dir.resolve("over-idx3-ubyte");
        Files.write(f, idxHeader(0x08, 70_000, 70_000, 1));
        IOException ex = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(ex.getMessage().contains("2^31") && ex.getMessage().contains(f.toString()), ex.getMessage());
    }

    @Test
    void plainFileSizeIsCheckedAgainstTheHeaderBeforeReading() throws IOException {
        Path f = dir.resolve("sparse-idx1-ubyte");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(idxHeader(0x08, 10));
            raf.setLength(3L << 30); // a 3 GB sparse file: costs nothing on disk
        }
        IOException ex = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> Idx.read(f)));
        assertTrue(ex.getMessage().contains("extra bytes") && ex.getMessage().contains(String.valueOf(3L << 30)), ex.getMessage());
    }

    @Test
    void multiGigabyteCifarFileIsRefusedWithoutReadingIt() throws IOException {
        Path f = dir.resolve("data_batch_1.bin");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(3073L * 1_000_000); // 3.07 GB sparse, a whole number of records
        }
        IOException ex = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> Cifar10.readBatch(f)));
        assertTrue(ex.getMessage().contains(f.toString()) && ex.getMessage().contains("over 2 GB"), ex.getMessage());
    }
}
