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
class SequenceModelFileTest {
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
        Sequential m = ModelFile.read(file);
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
        Sequential m = ModelFile.read(file);
        assertEquals(800 + 2 * 3 * 4 * (8 + 4 + 2) + 10, m.countParams());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"input_shape": [20, 3], "layers": [{"type": "Bidirectional", "layer": {"type": "Dense", "units": 4}}]}
                """);
        var e = assertThrows(Exception.class, () -> ModelFile.read(bad));
        assertTrue(e.getMessage().contains("LSTM, GRU or SimpleRNN"), e.getMessage());
    }

    @Test
    void recurrentArgumentsAndMasking(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rnn.json");
        Files.writeString(file, """
                {"input_shape": [6, 3],
                 "layers": [
                   {"type": "Masking", "mask_value": -1.0},
                   {"type": "SimpleRNN", "units": 4, "return_sequences": true, "go_backwards": true, "dropout": 0.1, "recurrent_dropout": 0.2},
                   {"class_name": "LSTM", "config": {"units": 2, "unit_forget_bias": false, "seed": 5}}]}
                """);
        Sequential m = ModelFile.read(file);
        var rnn = (dev.myelin.nn.recurrent.SimpleRNN) m.layers().get(1);
        assertTrue(rnn.returnSequences() && rnn.goBackwards());
        assertEquals(0.1, rnn.dropout());
        assertEquals(0.2, rnn.recurrentDropout());
        assertEquals(4 * (3 + 4 + 1) + 4 * 2 * (4 + 2 + 1), m.countParams());
        var lstm = (dev.myelin.nn.recurrent.LSTM) m.layers().get(2);
        assertEquals(false, lstm.config().unitForgetBias());
        assertEquals(5L, lstm.config().recurrent().seed());
    }
}
