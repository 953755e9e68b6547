package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recurrent layers in model files: the seed LSTM on 28×28×1 images through a Reshape, as `myelin train` feeds them. */
class SequenceModelSpecTest {
    @Test
    void seedLstmFromJson(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("lstm.json");
        Files.writeString(file, """
                {"input_shape": [28, 28, 1],
                 "layers": [
                   {"type": "Reshape", "target_shape": [28, 28]},
                   {"type": "LSTM", "units": 50, "return_sequences": true},
                   {"type": "LSTM", "units": 50},
                   {"type": "Dense", "units": 10, "activation": "softmax"}]}
                """);
        Sequential m = ModelSpec.read(file);
        assertEquals(36_510, m.countParams());
    }

    @Test
    void textClassifierAndErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("text.json");
        Files.writeString(file, """
                {"input_shape": [20],
                 "layers": [
                   {"type": "Embedding", "input_dim": 100, "output_dim": 8, "mask_zero": true},
                   {"type": "Bidirectional", "layer": {"type": "GRU", "units": 4}, "merge_mode": "sum"},
                   {"type": "Dense", "units": 2, "activation": "softmax"}]}
                """);
        Sequential m = ModelSpec.read(file);
        assertEquals(800 + 2 * 3 * 4 * (8 + 4 + 2) + 10, m.countParams());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"input_shape": [20, 3], "layers": [{"type": "Bidirectional", "layer": {"type": "Dense", "units": 4}}]}
                """);
        var e = assertThrows(Exception.class, () -> ModelSpec.read(bad));
        assertTrue(e.getMessage().contains("LSTM, GRU or SimpleRNN"), e.getMessage());
    }
}
