package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight data types in a Keras 3 file written here with jHDF's writer: float32, float64, integers, NaN. */
class KerasImportWeightsTest {
    @TempDir Path dir;

    /** A .keras file of one Dense(2) on 3 inputs, with the given kernel and bias arrays at layers/dense/vars/{0,1}. */
    private Path denseKeras(Object kernel, Object bias) throws Exception {
        Path h5 = dir.resolve("model.weights.h5");
        try (WritableHdfFile f = HdfFile.write(h5)) {
            f.putAttribute("name", "sequential");
            WritableGroup vars = f.putGroup("layers").putGroup("dense").putGroup("vars");
            vars.putAttribute("name", "dense");
            vars.putDataset("0", kernel);
            vars.putDataset("1", bias);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("metadata.json", "{\"keras_version\": \"3.16.0\"}".getBytes(StandardCharsets.UTF_8));
        entries.put("config.json", new Sequential(new Dense(2).name("dense").inputShape(3)).toJson().getBytes(StandardCharsets.UTF_8));
        entries.put("model.weights.h5", Files.readAllBytes(h5));
        Path file = dir.resolve("dense.keras");
        ZipArchive.write(file, entries);
        return file;
    }

    @Test
    void float32AndFloat64WeightsLoadExactly() throws Exception {
        float[][] kernel = {{1, 2}, {3, 4}, {5, 6}};
        Model model = KerasImport.load(denseKeras(kernel, new float[] {0.5f, -0.5f}));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, model.weights().get(0).value().toFloatArray());
        assertArrayEquals(new float[] {0.5f, -0.5f}, model.weights().get(1).value().toFloatArray());

        double[][] kernel64 = {{1, 2}, {3, 4}, {5, 6.25}};
        Model model64 = KerasImport.load(denseKeras(kernel64, new double[] {0.5, -0.5}));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6.25f}, model64.weights().get(0).value().toFloatArray());
    }

    @Test
    void integerWeightsAreRefusedNamingTheDataType() throws Exception {
        Path file = denseKeras(new int[][] {{1, 2}, {3, 4}, {5, 6}}, new float[] {0, 0});
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("layers/dense/vars/0") && e.getMessage().contains("expected float32 or float64 data"), e.getMessage());
    }

    @Test
    void nanInWeightsLoadsWithAWarningNamingTheWeight() throws Exception {
        Path file = denseKeras(new float[][] {{1, Float.NaN}, {3, 4}, {5, 6}}, new float[] {0, 0});
        PrintStream old = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            KerasImport.load(file);
        } finally {
            System.setErr(old);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("WARNING") && err.contains("layers/dense/vars/0") && err.contains("NaN"), err);
    }
}
