package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.ZipArchive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged and unsupported Keras files are refused with a message naming the file and the problem. */
class KerasImportBadInputTest {
    @TempDir Path dir;

    @Test
    void snakeCaseFollowsKeras() {
        assertEquals("conv2d", KerasV3File.snakeCase("Conv2D"));
        assertEquals("max_pooling2d", KerasV3File.snakeCase("MaxPooling2D"));
        assertEquals("batch_normalization", KerasV3File.snakeCase("BatchNormalization"));
        assertEquals("leaky_re_lu", KerasV3File.snakeCase("LeakyReLU"));
        assertEquals("global_average_pooling2d", KerasV3File.snakeCase("GlobalAveragePooling2D"));
        assertEquals("lstm", KerasV3File.snakeCase("LSTM"));
        assertEquals("simple_rnn", KerasV3File.snakeCase("SimpleRNN"));
    }

    @Test
    void aFileThatIsNeitherZipNorHdf5IsRefused() throws Exception {
        Path file = dir.resolve("model.keras");
        Files.writeString(file, "not a model at all");
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("not a Keras file"), e.getMessage());
    }

    @Test
    void superblockEndOfFilePastTheBytesIsRefusedBeforeOpening() {
        byte[] b = new byte[96];
        byte[] sig = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        System.arraycopy(sig, 0, b, 0, 8);
        b[8] = 2; // superblock version 2: offsets size at 9, addresses from 12
        b[9] = 8;
        b[10] = 8;
        b[12 + 16] = (byte) 200; // end-of-file address 200 > 96 bytes
        var e = assertThrows(FileFormatException.class, () -> Hdf5Files.checkSuperblock(b, "x.h5"));
        assertTrue(e.getMessage().contains("x.h5: HDF5 file is truncated: its superblock declares 200 bytes but there are 96"), e.getMessage());
        b[12 + 16] = 96;
        assertTrue(assertDoesNotThrow(b));
    }

    private static boolean assertDoesNotThrow(byte[] b) {
        try {
            Hdf5Files.checkSuperblock(b, "x.h5");
            return true;
        } catch (FileFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void truncatedLegacyH5IsRefusedNamingTheSizes() throws Exception {
        Path source = Fixtures.interop().resolve("keras2/cnn_batch_norm/cnn_batch_norm.h5");
        byte[] bytes = Files.readAllBytes(source);
        Path file = dir.resolve("truncated.h5");
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("truncated.h5: HDF5 file is truncated: its superblock declares " + bytes.length + " bytes but there are " + bytes.length / 2), e.getMessage());
    }

    @Test
    void truncatedWeightsInsideAKerasZipAreRefused() throws Exception {
        Map<String, byte[]> entries = syntheticEntries();
        byte[] h5 = entries.get("model.weights.h5");
        entries.put("model.weights.h5", Arrays.copyOf(h5, h5.length - 100));
        Path file = write(entries);
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("model.weights.h5: HDF5 file is truncated"), e.getMessage());
    }

    @Test
    void aWeightOfTheWrongShapeIsRefusedNamingTheLayerAndBothShapes() throws Exception {
        Map<String, byte[]> entries = syntheticEntries();
        String config = new String(entries.get("config.json"), StandardCharsets.UTF_8);
        assertTrue(config.contains("\"units\": 3"));
        entries.put("config.json", config.replace("\"units\": 3", "\"units\": 5").getBytes(StandardCharsets.UTF_8));
        Path file = write(entries);
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("layers/dense/vars/0") && e.getMessage().contains("layer 'dense' expects shape [36, 5] but the file holds [36, 3]"), e.getMessage());
    }

    @Test
    void aLambdaLayerIsRefusedNamingItAndTheSupportedLayers() throws Exception {
        Map<String, byte[]> entries = syntheticEntries();
        String config = new String(entries.get("config.json"), StandardCharsets.UTF_8);
        entries.put("config.json", config.replace("\"class_name\": \"Flatten\"", "\"class_name\": \"Lambda\"").getBytes(StandardCharsets.UTF_8));
        Path file = write(entries);
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("\"Lambda\"") && e.getMessage().contains("Conv2D, Conv2DTranspose, Dense"), e.getMessage());
    }

    @Test
    void missingWeightsAreRefusedNamingTheLayer() throws Exception {
        Map<String, byte[]> entries = syntheticEntries();
        String config = new String(entries.get("config.json"), StandardCharsets.UTF_8);
        // a second Dense takes the path layers/dense_1, which the file does not have
        int end = config.lastIndexOf("]", config.indexOf("\"build_input_shape\""));
        int start = config.lastIndexOf("{\"module\": \"keras.layers\", \"class_name\": \"Dense\"");
        String dense = config.substring(start, end).replace("\"name\": \"dense\"", "\"name\": \"dense_extra\"");
        entries.put("config.json", (config.substring(0, end) + ", " + dense + config.substring(end)).getBytes(StandardCharsets.UTF_8));
        Path file = write(entries);
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("no group 'layers/dense_1/vars' for layer 'dense_extra'"), e.getMessage());
    }

    private Map<String, byte[]> syntheticEntries() throws Exception {
        Path source = Fixtures.interop().resolve("keras3_synthetic/cnn_seed.keras");
        Map<String, Long> limits = new LinkedHashMap<>();
        for (String name : new String[] {"metadata.json", "config.json", "model.weights.h5"}) limits.put(name, 1L << 20);
        return new LinkedHashMap<>(ZipArchive.read(source, limits));
    }

    private Path write(Map<String, byte[]> entries) throws Exception {
        Path file = dir.resolve("changed.keras");
        ZipArchive.write(file, entries);
        return file;
    }
}
