package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Sequential;
import dev.myelin.train.History;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @Test
    void jsonDescribesTheSeedCnn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cnn.json");
        Files.writeString(file, """
                {"input_shape": [28, 28, 1],
                 "layers": [
                   {"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"},
                   {"type": "MaxPooling2D", "pool_size": 2},
                   {"type": "Flatten"},
                   {"type": "Dense", "units": 128, "activation": "relu"},
                   {"type": "Dropout", "rate": 0.25},
                   {"type": "Dense", "units": 10, "activation": "softmax"}]}
                """);
        Sequential m = ModelFile.read(file);
        assertEquals(693_962, m.countParams());
        assertEquals(6, m.layers().size());
    }

    @Test
    void errorsNameTheFileTheLayerAndTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense\", \"units\": 2}, {\"type\": \"Dense\"}]}");
        var e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("units"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense2\", \"units\": 2}]}");
        e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("unknown layer type \"Dense2\""), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [");
        e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4, 4], \"layers\": [{\"type\": \"Conv2D\", \"filters\": 2, \"kernel_size\": 3}]}");
        e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("conv2d"), e.getMessage());
    }

    @Test
    void kerasClassNameConfigFormAndEveryOldLayerType(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("all.json");
        Files.writeString(file, """
                {"input_shape": [8, 8, 2],
                 "layers": [
                   {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": [3, 3], "padding": "same", "dilation_rate": 2, "use_bias": false}},
                   {"type": "BatchNormalization"},
                   {"type": "Activation", "activation": "relu"},
                   {"type": "Conv2D", "filters": 4, "kernel_size": 3, "strides": [2, 1], "activation": "tanh"},
                   {"type": "LeakyReLU", "negative_slope": 0.1},
                   {"type": "MaxPooling2D", "pool_size": [2, 2], "strides": 1, "padding": "same"},
                   {"type": "AveragePooling2D"},
                   {"type": "Dropout", "rate": 0.1},
                   {"type": "Reshape", "target_shape": [3, 2, 2]},
                   {"type": "GlobalMaxPooling2D"},
                   {"type": "Dense", "units": 3, "activation": "softmax"}]}
                """);
        Sequential m = ModelFile.read(file);
        assertEquals(11, m.layers().size());
        // conv 3·3·2·4 (no bias) + batch norm 4·4 + conv 3·3·4·4 + 4 + dense 2·3 + 3 (after [1, 3, 4] → [3, 2, 2] → 2 channels)
        assertEquals(72 + 16 + 148 + 9, m.countParams());
        Files.writeString(file, """
                {"input_shape": [4, 4, 1],
                 "layers": [{"type": "GlobalAveragePooling2D"}, {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}}]}
                """);
        assertEquals(4, ModelFile.read(file).countParams());
    }

    @Test
    void errorsNameTheArgumentAndWhatWasExpected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense\", \"units\": 2, \"activaton\": \"relu\"}]}");
        var e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("unknown argument 'activaton'")
                && e.getMessage().contains("activation"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense\", \"units\": \"2\"}]}");
        e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("'units' expected an integer"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4, \"x\"], \"layers\": [{\"type\": \"Dense\", \"units\": 2}]}");
        e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("\"input_shape\" must be an array of positive ints"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [], \"optimizer\": \"adam\"}");
        e = assertThrows(IOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains("unknown key \"optimizer\""), e.getMessage());
    }

    @Test
    void plotsAreWrittenAsPngImages(@TempDir Path dir) throws IOException {
        History h = new History();
        h.onTrainBegin(null, null);
        h.onEpochEnd(0, Map.of("loss", 1.0, "accuracy", 0.5));
        h.onEpochEnd(1, Map.of("loss", 0.5, "accuracy", 0.8));
        Path curves = dir.resolve("c.png");
        Plots.curves(h, null, "test", curves);
        BufferedImage img = ImageIO.read(curves.toFile());
        assertEquals(1040, img.getWidth());
        Path cm = dir.resolve("m.png");
        Plots.confusion(new int[][] {{5, 1}, {2, 7}}, List.of("a", "b"), "cm", cm);
        assertTrue(ImageIO.read(cm.toFile()).getWidth() > 100);
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }
}
