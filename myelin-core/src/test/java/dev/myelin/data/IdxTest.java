package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** [n, rows, cols] unsigned bytes: value (i * 7 + r * 3 + c) % 256. */
    static Tensor images(int n, int rows, int cols) {
        float[] v = new float[n * rows * cols];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) v[(i * rows + r) * cols + c] = (i * 7 + r * 3 + c) % 256;
        return Tensor.of(v, n, rows, cols);
    }

    static byte[] gzip(byte[] b) throws IOException {
        var bos = new ByteArrayOutputStream();
        try (var g = new GZIPOutputStream(bos)) {
            g.write(b);
        }
        return bos.toByteArray();
    }

    @Test
    void roundTripRawAndGzip() throws IOException {
        Tensor imgs = images(5, 4, 3);
        Tensor labels = Tensor.of(new float[] {0, 9, 255, 3, 1}, 5);
        for (boolean gz : new boolean[] {false, true}) {
            Path fi = dir.resolve("imgs" + gz), fl = dir.resolve("labels" + gz);
            Idx.write(fi, imgs, gz);
            Idx.write(fl, labels, gz);
            byte[] head = Arrays.copyOf(Files.readAllBytes(fi), 2);
            assertEquals(gz, (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b, "gzip magic");
            Tensor back = Idx.readImages(fi);
            assertEquals(Shape.of(5, 4, 3, 1), back.shape());
            assertArrayEquals(imgs.toFloatArray(), back.toFloatArray());
            assertEquals(Shape.of(5, 4, 3), Idx.read(fi).shape());
            Tensor lb = Idx.readLabels(fl);
            assertEquals(Shape.of(5), lb.shape());
            assertArrayEquals(labels.toFloatArray(), lb.toFloatArray());
        }
        // The header is the documented one: 0 0 8 rank, big-endian dims.
        byte[] raw = Files.readAllBytes(dir.resolve("imgsfalse"));
        assertEquals(16 + 60, raw.length);
        assertArrayEquals(new byte[] {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3}, Arrays.copyOf(raw, 16));
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        Path f = dir.resolve("labels.gz");
        Idx.write(f, Tensor.of(new float[] {1, 2}, 2), false); // plain bytes under a .gz name
        assertArrayEquals(new float[] {1, 2}, Idx.readLabels(f).toFloatArray());
        Path g = dir.resolve("labels.idx");
        Idx.write(g, Tensor.of(new float[] {3}, 1), true); // gzip under a plain name
        assertArrayEquals(new float[] {3}, Idx.readLabels(g).toFloatArray());
        Path h = dir.resolve("named.gz");
        Idx.write(h, Tensor.of(new float[] {4}, 1)); // the name picks compression when writing
        assertEquals(0x1f, Files.readAllBytes(h)[0] & 0xFF);
    }

    @Test
    void writeRejectsValuesThatAreNotBytesAndLeavesNoFile() {
        Path f = dir.resolve("bad");
        var ex = assertThrows(IllegalArgumentException.class, () -> Idx.write(f, Tensor.of(new float[] {1, 256}, 2), false));
        assertTrue(ex.getMessage().contains("256") && ex.getMessage().contains("index 1"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Idx.write(f, Tensor.of(new float[] {0.5f}, 1), false));
        assertThrows(IllegalArgumentException.class, () -> Idx.write(f, Tensor.of(new float[] {-1}, 1), false));
        assertFalse(Files.exists(f));
    }

    @Test
    void writeReplacesAtomicallyWithoutLeftovers() throws IOException {
        Path f = dir.resolve("l");
        Idx.write(f, Tensor.of(new float[] {1, 2, 3}, 3), false);
        Idx.write(f, Tensor.of(new float[] {4}, 1), false);
        assertArrayEquals(new float[] {4}, Idx.readLabels(f).toFloatArray());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary files left behind");
        }
    }

    @Test
    void wrongMagicNamesTheFile() throws IOException {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "hello, world");
        var ex = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(ex.getMessage().contains(f.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("0x68 0x65") && ex.getMessage().contains("0x00 0x00"), ex.getMessage());

        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {0, 0});
        assertTrue(assertThrows(IOException.class, () -> Idx.read(tiny)).getMessage().contains("2 bytes"));
    }

    @Test
    void unsupportedTypeIsRejectedWithItsCode() throws IOException {
        Path f = dir.resolve("weird");
        Files.write(f, new byte[] {0, 0, 0x0A, 1, 0, 0, 0, 1, 5});
        var ex = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(ex.getMessage().contains("0x0a") && ex.getMessage().contains(f.toString()), ex.getMessage());
    }

    @Test
    void otherTypesAreReadBigEndian() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 3 * 4);
        b.put(new byte[] {0, 0, 0x0D, 1}).putInt(3).putFloat(1.5f).putFloat(-2f).putFloat(1e6f);
        Path f = dir.resolve("floats");
        Files.write(f, b.array());
        assertArrayEquals(new float[] {1.5f, -2f, 1e6f}, Idx.read(f).toFloatArray());

        ByteBuffer s = ByteBuffer.allocate(4 + 4 + 2 * 2);
        s.put(new byte[] {0, 0, 0x0B, 1}).putInt(2).putShort((short) -300).putShort((short) 7);
        Path g = dir.resolve("shorts");
        Files.write(g, s.array());
        assertArrayEquals(new float[] {-300, 7}, Idx.read(g).toFloatArray());

        Path sb = dir.resolve("sbytes");
        Files.write(sb, new byte[] {0, 0, 0x09, 1, 0, 0, 0, 2, -1, 127});
        assertArrayEquals(new float[] {-1, 127}, Idx.read(sb).toFloatArray());
    }

    @Test
    void truncatedFilesNameTheFileAndTheSizes() throws IOException {
        Path full = dir.resolve("full");
        Idx.write(full, images(10, 4, 4), false); // 16 + 160 bytes
        byte[] b = Files.readAllBytes(full);

        Path cut = dir.resolve("train-images-idx3-ubyte");
        Files.write(cut, Arrays.copyOf(b, 100));
        var ex = assertThrows(IOException.class, () -> Idx.readImages(cut));
        String m = ex.getMessage();
        assertTrue(m.contains(cut.toString()) && m.contains("176") && m.contains("100") && m.contains("truncated"), m);

        Path header = dir.resolve("header");
        Files.write(header, Arrays.copyOf(b, 9));
        assertTrue(assertThrows(IOException.class, () -> Idx.read(header)).getMessage().contains("header"));

        Path longer = dir.resolve("longer");
        Files.write(longer, Arrays.copyOf(b, 180));
        assertTrue(assertThrows(IOException.class, () -> Idx.read(longer)).getMessage().contains("extra bytes"));

        Path gzCut = dir.resolve("cut.gz");
        byte[] gz = gzip(b);
        Files.write(gzCut, Arrays.copyOf(gz, gz.length / 2));
        var gex = assertThrows(IOException.class, () -> Idx.read(gzCut));
        assertTrue(gex.getMessage().contains(gzCut.toString()) && gex.getMessage().contains("gzip"), gex.getMessage());

        Path gzShort = dir.resolve("short.gz"); // valid gzip of a truncated IDX file
        Files.write(gzShort, gzip(Arrays.copyOf(b, 100)));
        var sex = assertThrows(IOException.class, () -> Idx.read(gzShort));
        assertTrue(sex.getMessage().contains("after gzip decompression") && sex.getMessage().contains("truncated"), sex.getMessage());
    }

    @Test
    void readImagesAndLabelsCheckTheRank() throws IOException {
        Path labels = dir.resolve("labels");
        Idx.write(labels, Tensor.of(new float[] {1, 2}, 2), false);
        var ex = assertThrows(IOException.class, () -> Idx.readImages(labels));
        assertTrue(ex.getMessage().contains("3 dimensions") && ex.getMessage().contains(labels.toString()), ex.getMessage());
        Path imgs = dir.resolve("imgs");
        Idx.write(imgs, images(2, 2, 2), false);
        assertThrows(IOException.class, () -> Idx.readLabels(imgs));
    }

    @Test
    void missingFileIsAnIOException() {
        assertThrows(NoSuchFileException.class, () -> Idx.read(dir.resolve("nope")));
    }

    // ---- MnistFormat ----

    @Test
    void mnistFormatLoadsTheFourFilesPlainOrGzip() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte.gz"), images(6, 3, 3));
        Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 6));
        Idx.write(dir.resolve("t10k-images-idx3-ubyte"), images(2, 3, 3));
        Idx.write(dir.resolve("t10k-labels-idx1-ubyte"), Tensor.of(new float[] {9, 8}, 2));
        TrainTest d = MnistFormat.load(dir);
        assertEquals(Shape.of(6, 3, 3, 1), d.train().xShape());
        assertEquals(Shape.of(2), d.test().yShape());
        assertArrayEquals(new float[] {9, 8}, d.test().y().toFloatArray());
        assertArrayEquals(images(6, 3, 3).toFloatArray(), d.train().x().toFloatArray());
    }

    @Test
    void mnistFormatListsMissingAndExpectedNames() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte.gz"), images(2, 3, 3));
        var ex = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir));
        String m = ex.getMessage();
        assertTrue(m.contains(dir.toString()), m);
        assertTrue(m.contains("missing train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]"), m);
        for (String name : MnistFormat.FILE_NAMES) assertTrue(m.contains(name), m);

        var noDir = assertThrows(NoSuchFileException.class, () -> MnistFormat.load(dir.resolve("absent")));
        assertTrue(noDir.getMessage().contains("no such directory"), noDir.getMessage());
    }

    @Test
    void mnistFormatChecksImageAndLabelCounts() throws IOException {
        Idx.write(dir.resolve("train-images-idx3-ubyte"), images(3, 2, 2));
        Idx.write(dir.resolve("train-labels-idx1-ubyte"), Tensor.of(new float[] {0, 1}, 2));
        Idx.write(dir.resolve("t10k-images-idx3-ubyte"), images(1, 2, 2));
        Idx.write(dir.resolve("t10k-labels-idx1-ubyte"), Tensor.of(new float[] {0}, 1));
        var ex = assertThrows(IOException.class, () -> MnistFormat.load(dir));
        assertTrue(ex.getMessage().contains("3 images") && ex.getMessage().contains("2 labels"), ex.getMessage());
    }
}
