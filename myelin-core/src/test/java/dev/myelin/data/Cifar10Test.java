package dev.myelin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path dir;

    /** Byte of record r, channel c, pixel p (row-major within the 32x32 plane). */
    static int value(int r, int c, int p) {
        return (r * 31 + c * 101 + p * 7) % 256;
    }

    /** n synthetic records in the CIFAR-10 binary layout: label, then R, G, B planes. */
    static byte[] records(int n, int firstLabel) {
        byte[] b = new byte[n * Cifar10.RECORD];
        for (int r = 0; r < n; r++) {
            int at = r * Cifar10.RECORD;
            b[at] = (byte) ((firstLabel + r) % 10);
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++) b[at + 1 + c * 1024 + p] = (byte) value(r, c, p);
        }
        return b;
    }

    @Test
    void convertsChwRecordsToHwcValueByValue() throws IOException {
        Path f = dir.resolve("test_batch.bin");
        Files.write(f, records(3, 4));
        Dataset d = Cifar10.readBatch(f);
        assertEquals(Shape.of(3, 32, 32, 3), d.xShape());
        assertArrayEquals(new float[] {4, 5, 6}, d.y().toFloatArray());
        float[] x = d.xData();
        for (int r = 0; r < 3; r++)
            for (int h = 0; h < 32; h++)
                for (int w = 0; w < 32; w++)
                    for (int c = 0; c < 3; c++) {
                        float got = x[((r * 32 + h) * 32 + w) * 3 + c];
                        assertEquals(value(r, c, h * 32 + w), got, "record " + r + " h " + h + " w " + w + " c " + c);
                    }
        // one hand-checked pixel: record 1, row 2, column 5, green = plane 1, pixel 69
        assertEquals((31 + 101 + 69 * 7) % 256, d.x().get(1, 2, 5, 1));
    }

    @Test
    void wrongLengthIsRejectedWithTheSizes() throws IOException {
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, Arrays.copyOf(records(2, 0), 2 * 3073 - 5));
        var ex = assertThrows(IOException.class, () -> Cifar10.readBatch(f));
        String m = ex.getMessage();
        assertTrue(m.contains(f.toString()) && m.contains("6141") && m.contains("3073"), m);

        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        assertThrows(IOException.class, () -> Cifar10.readBatch(empty));
    }

    @Test
    void badLabelIsRejected() throws IOException {
        byte[] b = records(2, 0);
        b[3073] = 12;
        Path f = dir.resolve("bad.bin");
        Files.write(f, b);
        var ex = assertThrows(IOException.class, () -> Cifar10.readBatch(f));
        assertTrue(ex.getMessage().contains("record 1") && ex.getMessage().contains("12"), ex.getMessage());
    }

    @Test
    void loadReadsFiveTrainingBatchesInOrderFromTheArchiveFolder() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("cifar-10-batches-bin"));
        for (int i = 1; i <= 5; i++) Files.write(sub.resolve("data_batch_" + i + ".bin"), records(2, 2 * (i - 1)));
        Files.write(sub.resolve("test_batch.bin"), records(1, 7));
        TrainTest d = Cifar10.load(dir);
        assertEquals(10, d.train().size());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, d.train().y().toFloatArray());
        assertEquals(1, d.test().size());
        assertEquals(value(1, 2, 1023), d.train().x().get(9, 31, 31, 2)); // batch 5, its record 1
    }

    @Test
    void missingFilesAreListed() throws IOException {
        Files.write(dir.resolve("data_batch_1.bin"), records(1, 0));
        var ex = assertThrows(NoSuchFileException.class, () -> Cifar10.load(dir));
        String m = ex.getMessage();
        assertTrue(m.contains("missing data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin"), m);
    }
}
