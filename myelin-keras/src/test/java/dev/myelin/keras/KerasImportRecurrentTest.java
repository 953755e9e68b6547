package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recurrent layers in a Keras 3 {@code .keras} file written here with jHDF's writer in Keras 3's layout:
 * a recurrent layer's variables under {@code layers/<key>/cell/vars}, Bidirectional's under
 * {@code forward_layer/cell/vars} and {@code backward_layer/cell/vars} (no real Keras 3 recurrent file with
 * outputs is among the fixtures). The imported model must predict what the same model with those weights
 * set directly predicts.
 */
class KerasImportRecurrentTest {
    @TempDir Path dir;

    private static Sequential model() {
        return new Sequential(
                new LSTM(3).recurrentActivation(Activation.HARD_SIGMOID).returnSequences(true).name("encoder").inputShape(4, 2),
                new GRU(2).returnSequences(true).name("middle"),
                new Bidirectional(new LSTM(2).returnSequences(true).name("both")),
                new SimpleRNN(2).name("last"),
                new Dense(1).name("head"));
    }

    /** Keras 3's path of each layer's variable groups, in the model's layer order. */
    private static final List<List<String>> GROUPS = List.of(
            List.of("layers/lstm/cell/vars"), List.of("layers/gru/cell/vars"),
            List.of("layers/bidirectional/forward_layer/cell/vars", "layers/bidirectional/backward_layer/cell/vars"),
            List.of("layers/simple_rnn/cell/vars"), List.of("layers/dense/vars"));

    private Path writeKeras(Sequential reference, boolean dropOneGroup) throws Exception {
        Path h5 = dir.resolve("model.weights.h5");
        try (WritableHdfFile f = HdfFile.write(h5)) {
            f.putAttribute("name", "sequential");
            List<Layer> layers = reference.layers();
            for (int l = 0; l < layers.size(); l++) {
                var weights = layers.get(l).weights();
                int perGroup = weights.size() / GROUPS.get(l).size();
                for (int g = 0; g < GROUPS.get(l).size(); g++) {
                    if (dropOneGroup && l == 2 && g == 1) continue;
                    WritableGroup vars = f;
                    for (String part : GROUPS.get(l).get(g).split("/")) vars = child(vars, part);
                    for (int i = 0; i < perGroup; i++) vars.putDataset(Integer.toString(i), array(weights.get(g * perGroup + i).value()));
                }
            }
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("metadata.json", "{\"keras_version\": \"3.16.0\"}".getBytes(StandardCharsets.UTF_8));
        entries.put("config.json", reference.toJson().getBytes(StandardCharsets.UTF_8));
        entries.put("model.weights.h5", Files.readAllBytes(h5));
        Path file = dir.resolve("recurrent.keras");
        ZipArchive.write(file, entries);
        return file;
    }

    private static WritableGroup child(WritableGroup parent, String name) {
        var existing = parent.getChild(name);
        if (existing instanceof WritableGroup g) return g;
        WritableGroup g = parent.putGroup(name);
        g.putAttribute("name", name);
        return g;
    }

    private static Object array(Tensor t) {
        float[] v = t.toFloatArray();
        if (t.rank() == 1) return v;
        int rows = t.dim(0), cols = t.dim(1);
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) System.arraycopy(v, r * cols, m[r], 0, cols);
        return m;
    }

    @Test
    void lstmGruSimpleRnnAndBidirectionalLoadFromTheirCells() throws Exception {
        Sequential reference = model();
        reference.build();
        Model imported = KerasImport.load(writeKeras(reference, false));
        assertEquals(Activation.HARD_SIGMOID, ((LSTM) imported.layer("encoder")).recurrentActivation());
        Tensor x = Tensor.uniform(new SplittableRandom(8), -2, 2, 3, 4, 2);
        assertArrayEquals(reference.predict(x).toFloatArray(), imported.predict(x).toFloatArray());
        for (int i = 0; i < reference.weights().size(); i++) {
            assertArrayEquals(reference.weights().get(i).value().toFloatArray(), imported.weights().get(i).value().toFloatArray(),
                    reference.weights().get(i).name());
        }
    }

    @Test
    void aMissingBackwardLayerGroupIsRefusedNamingIt() throws Exception {
        Sequential reference = model();
        reference.build();
        Path file = writeKeras(reference, true);
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("no group 'layers/bidirectional/backward_layer/cell/vars'"), e.getMessage());
    }
}
