package dev.myelin.data;

import dev.myelin.backend.MemoryCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CIFAR-10 in its binary version ({@code cifar-10-binary.tar.gz} from the University of Toronto):
 * files {@code data_batch_1.bin} … {@code data_batch_5.bin} (training, 10,000 images each) and
 * {@code test_batch.bin} (10,000 test images). Each record is 3,073 bytes: one label byte (0..9), then
 * the 32×32 image as 1,024 red, 1,024 green and 1,024 blue bytes (channel-major, rows top to bottom).
 *
 * <p>Shapes and units: {@code x [n, 32, 32, 3]} channels-last (HWC: the planes are interleaved on
 * reading), raw values 0..255 as float32; {@code y [n]} class ids 0..9 whose names are
 * {@link #CLASS_NAMES}.
 *
 * <p>Example:
 * <pre>{@code
 * TrainTest cifar = Cifar10.load(Path.of("/data/cifar-10-batches-bin"));  // the folder or its parent
 * Normalization norm = Normalization.adapt(Normalization.scale(1 / 255.0).apply(cifar.train()).x());
 * }</pre>
 */
public final class Cifar10 {
    /** Class names by id. */
    public static final List<String> CLASS_NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    /** Training files, in order. */
    public static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";

    static final int SIDE = 32;
    static final int PIXELS = SIDE * SIDE;
    static final int RECORD = 1 + 3 * PIXELS;

    private Cifar10() {}

    /**
     * Reads the five training batches (concatenated in order: 50,000 samples) and the test batch from
     * {@code dir}, or from {@code dir/cifar-10-batches-bin} when that is where the files are (the archive's
     * layout). Missing files give a {@link NoSuchFileException} listing the expected names.
     */
    public static TrainTest load(Path dir) throws IOException {
        Path d = dir;
        if (!Files.isRegularFile(d.resolve(TEST_FILE)) && Files.isDirectory(d.resolve("cifar-10-batches-bin"))) {
            d = d.resolve("cifar-10-batches-bin");
        }
        List<String> missing = new ArrayList<>();
        for (String f : TRAIN_FILES) if (!Files.isRegularFile(d.resolve(f))) missing.add(f);
        if (!Files.isRegularFile(d.resolve(TEST_FILE))) missing.add(TEST_FILE);
        if (!missing.isEmpty()) {
            throw new NoSuchFileException(d.toString(), null, "missing " + String.join(", ", missing)
                    + "; a CIFAR-10 binary directory holds " + String.join(", ", TRAIN_FILES) + " and " + TEST_FILE);
        }
        List<byte[]> train = new ArrayList<>();
        int n = 0;
        for (String f : TRAIN_FILES) {
            byte[] b = readChecked(d.resolve(f));
            train.add(b);
            n += b.length / RECORD;
        }
        float[] x = new float[n * 3 * PIXELS];
        float[] y = new float[n];
        int at = 0;
        for (int i = 0; i < train.size(); i++) {
            at = decode(d.resolve(TRAIN_FILES.get(i)), train.get(i), x, y, at);
            train.set(i, null); // let the raw bytes go early
        }
        Dataset trainSet = new Dataset(x, new int[] {n, SIDE, SIDE, 3}, y, new int[] {n});
        return new TrainTest(trainSet, readBatch(d.resolve(TEST_FILE)));
    }

    /** One binary batch file as a dataset {@code x [n, 32, 32, 3]}, {@code y [n]}. */
    public static Dataset readBatch(Path file) throws IOException {
        byte[] b = readChecked(file);
        int n = b.length / RECORD;
        float[] x = new float[n * 3 * PIXELS];
        float[] y = new float[n];
        decode(file, b, x, y, 0);
        return new Dataset(x, new int[] {n, SIDE, SIDE, 3}, y, new int[] {n});
    }

    private static byte[] readChecked(Path file) throws IOException {
        long length = Files.size(file); // checked before reading: a multi-GB file is refused, not loaded
        if (length == 0 || length % RECORD != 0 || length > MemoryCheck.MAX_ARRAY_LENGTH) {
            long whole = length / RECORD;
            throw new IOException(file + ": " + length + " bytes is not a whole, non-zero number of " + RECORD
                    + "-byte CIFAR-10 records (1 label byte + 3072 pixel bytes); " + whole + " records would be "
                    + whole * RECORD + " bytes, " + (whole + 1) + " records " + (whole + 1) * RECORD
                    + (length > MemoryCheck.MAX_ARRAY_LENGTH ? "; and a batch file over 2 GB is not a CIFAR-10 batch (each holds 10,000 records)" : ""));
        }
        // raw bytes, then 4 bytes per value as float32
        String shortfall = MemoryCheck.shortfall(file + ": reading " + length / RECORD + " CIFAR-10 records", length * 5);
        if (shortfall != null) throw new IOException(shortfall);
        byte[] b = Files.readAllBytes(file);
        if (b.length != length) throw new IOException(file + ": changed while being read (" + length + " bytes, then " + b.length + ")");
        return b;
    }

    /** Decodes the records of {@code b} into samples {@code at, at+1, ...} of x (HWC) and y; returns the next sample index. */
    private static int decode(Path file, byte[] b, float[] x, float[] y, int at) throws IOException {
        int n = b.length / RECORD;
        for (int r = 0; r < n; r++) {
            int src = r * RECORD;
            int label = b[src] & 0xFF;
            if (label > 9) {
                throw new IOException(file + ": record " + r + " (byte offset " + src + ") has label " + label + ", expected 0..9");
            }
            int s = at + r;
            y[s] = label;
            int dst = s * 3 * PIXELS;
            for (int c = 0; c < 3; c++) {
                int plane = src + 1 + c * PIXELS;
                for (int p = 0; p < PIXELS; p++) x[dst + 3 * p + c] = b[plane + p] & 0xFF;
            }
        }
        return at + n;
    }
}
