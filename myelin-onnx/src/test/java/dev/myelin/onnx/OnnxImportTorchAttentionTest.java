package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PyTorch's {@code nn.MultiheadAttention}, {@code TransformerEncoderLayer} (post- and pre-norm) and
 * {@code TransformerDecoderLayer} exported by {@code torch.onnx.export} ({@code scripts/torch_attention_models.py},
 * run here when Debian's python3-torch is installed) import with each attention read as one
 * {@link MultiHeadAttention} layer, and give PyTorch's outputs to 1e-5. Packed self-attention, cross-attention
 * (k and v from one packed projection) and keys/values of other widths (three projections) are covered, all with
 * random biases; exports Myelin cannot hold are refused with the reason.
 */
class OnnxImportTorchAttentionTest {
    @TempDir
    static Path out;

    @BeforeAll
    static void export() throws Exception {
        Fixtures.runPytorchScript("torch_attention_models.py", out);
    }

    private static List<Tensor> inputs(Path dir) throws IOException {
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; Files.isRegularFile(dir.resolve("test_data_set_0/input_" + i + ".pb")); i++) xs.add(Fixtures.tensor(dir.resolve("test_data_set_0/input_" + i + ".pb")));
        return xs;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mha_self, 1", "mha_self_nobias, 1", "mha_cross, 1", "mha_separate, 1", "mha_static, 1", "encoder_post, 1", "encoder_pre, 1", "decoder_post, 2"})
    void importsAsMultiHeadAttentionAndGivesPytorchsOutputs(String name, int attentions) throws IOException {
        Path dir = out.resolve(name);
        Model m = OnnxImport.load(dir.resolve("model.onnx"));
        List<MultiHeadAttention> found = m.layers().stream().filter(l -> l instanceof MultiHeadAttention).map(l -> (MultiHeadAttention) l).toList();
        assertEquals(attentions, found.size(), "MultiHeadAttention layers in " + m.layers());
        Tensor want = Fixtures.tensor(dir.resolve("test_data_set_0/output_0.pb"));
        Tensor got = m.call(inputs(dir), false).getFirst();
        assertEquals(want.shape(), got.shape());
        double diff = OnnxRuntime.maxAbsDiff(want, got);
        System.out.printf(Locale.ROOT, "PyTorch %s: max abs difference %.2e%n", name, diff);
        assertTrue(diff <= 1e-5, name + ": max abs difference " + diff);
    }

    @Test
    void headsAndWidthsAreReadFromTheGraph() throws IOException {
        Model m = OnnxImport.load(out.resolve("mha_separate/model.onnx"));
        MultiHeadAttention mha = (MultiHeadAttention) m.layers().stream().filter(l -> l instanceof MultiHeadAttention).findFirst().orElseThrow();
        assertEquals(4, mha.numHeads());
        assertEquals(8, mha.keyDim()); // 32 / 4
        assertEquals(8, mha.valueDimOrKeyDim());
        assertEquals(32, mha.weights().stream().filter(p -> p.shortName().equals("attention_output/kernel")).findFirst().orElseThrow().value().dim(-1));
        assertEquals(24, mha.weights().stream().filter(p -> p.shortName().equals("key/kernel")).findFirst().orElseThrow().value().dim(0)); // kdim
        assertEquals(20, mha.weights().stream().filter(p -> p.shortName().equals("value/kernel")).findFirst().orElseThrow().value().dim(0)); // vdim
    }

    @Test
    void feedForwardReluIsAppliedByItsDenseLayer() throws IOException {
        Model m = OnnxImport.load(out.resolve("encoder_post/model.onnx"));
        assertTrue(m.layers().stream().noneMatch(l -> l instanceof ActivationLayer), "no separate activation layer: " + m.layers());
        List<Dense> dense = m.layers().stream().filter(l -> l instanceof Dense).map(l -> (Dense) l).toList();
        assertEquals(List.of(Activation.RELU, Activation.LINEAR), dense.stream().map(Dense::activation).toList());
    }

    @Test
    void timeMajorExportIsRefusedWithTheReason() {
        FileFormatException e = assertThrows(FileFormatException.class, () -> OnnxImport.load(out.resolve("mha_time_major/model.onnx")));
        assertTrue(e.getMessage().contains("MultiheadAttention with batch_first=False"), e.getMessage());
    }

    @Test
    void keyPaddingMaskIsRefusedNamingTheNode() {
        FileFormatException e = assertThrows(FileFormatException.class, () -> OnnxImport.load(out.resolve("mha_masked/model.onnx")));
        assertTrue(e.getMessage().contains("node '"), e.getMessage());
    }
}
