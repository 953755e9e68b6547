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

class ModelSpecTest {
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
        Sequential m = ModelSpec.read(file);
        assertEquals(693_962, m.countParams());
        assertEquals(6, m.layers().size());
    }

    @Test
    void errorsNameTheFileTheLayerAndTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense\", \"units\": 2}, {\"type\": \"Dense\"}]}");
        var e = assertThrows(IOException.class, () -> ModelSpec.read(file));
        assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("units"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [{\"type\": \"Dense2\", \"units\": 2}]}");
        e = assertThrows(IOException.class, () -> ModelSpec.read(file));
        assertTrue(e.getMessage().contains("unknown layer type \"Dense2\""), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4], \"layers\": [");
        e = assertThrows(IOException.class, () -> ModelSpec.read(file));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        Files.writeString(file, "{\"input_shape\": [4, 4], \"layers\": [{\"type\": \"Conv2D\", \"filters\": 2, \"kernel_size\": 3}]}");
        e = assertThrows(IOException.class, () -> ModelSpec.read(file));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("conv2d"), e.getMessage());
    }

    @Test
    void plotsAreWrittenAsPngImages(@TempDir Path dir) throws IOException {
        History h = new History();
        h.onTrainBegin(null, null);
        h.onEpochEnd(0, Map.of("loss", 1.0, "accuracy", 0.5));
        h.onEpochEnd(1, Map.of("loss", 0.5, "accuracy", 0.8));
        Path curves = dir.resolve("c.png");
        Plots.curves(h, "test", curves);
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
