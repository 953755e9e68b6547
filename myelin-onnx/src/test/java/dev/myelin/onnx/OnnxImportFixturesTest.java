package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real ONNX files reproduce their stored outputs (≤ 1e-5): the ONNX test data in
 * {@code shared/fixtures/interop/onnx} (a PyTorch 0.3 Conv, an ONNX Conv node test with strides and
 * padding, an ONNX LSTM node test) and the seed models exported by PyTorch's {@code torch.onnx.export}
 * ({@code scripts/torch_seed_models.py}, run here when Debian's python3-torch is installed).
 */
class OnnxImportFixturesTest {
    private static void assertClose(Tensor expected, Tensor got, String what) {
        double diff = OnnxRuntime.maxAbsDiff(expected, got);
        System.out.printf(java.util.Locale.ROOT, "%s: max abs difference %.2e%n", what, diff);
        assertTrue(diff <= 1e-5, what + ": max abs difference " + diff);
    }

    @Test
    void pytorchConv2dWithInitializers() throws IOException {
        Path dir = Fixtures.interop().resolve("onnx/test_Conv2d");
        Model m = OnnxImport.load(dir.resolve("model.onnx"));
        Tensor x = Fixtures.tensor(dir.resolve("test_data_set_0/input_0.pb")); // [2, 3, 7, 5]
        Tensor y = Fixtures.tensor(dir.resolve("test_data_set_0/output_0.pb")); // [2, 4, 5, 4]
        assertClose(Fixtures.toChannelsLast(y), m.predict(Fixtures.toChannelsLast(x)), "test_Conv2d");
    }

    @Test
    void convNodeTestWithStridesAndPaddingAndTheKernelBoundAsAConstant() throws IOException {
        Path dir = Fixtures.interop().resolve("onnx/test_conv_with_strides_padding");
        Tensor w = Fixtures.tensor(dir.resolve("test_data_set_0/input_1.pb"));
        Model m = OnnxImport.load(dir.resolve("model.onnx"), Map.of("W", w));
        Tensor x = Fixtures.tensor(dir.resolve("test_data_set_0/input_0.pb"));
        Tensor y = Fixtures.tensor(dir.resolve("test_data_set_0/output_0.pb"));
        assertClose(Fixtures.toChannelsLast(y), m.predict(Fixtures.toChannelsLast(x)), "test_conv_with_strides_padding");
    }

    @Test
    void lstmNodeTestWithWeightsBoundAsConstants() throws IOException {
        Path dir = Fixtures.interop().resolve("onnx/test_lstm_defaults");
        Model m = OnnxImport.load(dir.resolve("model.onnx"), Map.of("W", Fixtures.tensor(dir.resolve("test_data_set_0/input_1.pb")),
                "R", Fixtures.tensor(dir.resolve("test_data_set_0/input_2.pb"))));
        Tensor x = Fixtures.tensor(dir.resolve("test_data_set_0/input_0.pb")); // [T, N, F]
        Tensor yh = Fixtures.tensor(dir.resolve("test_data_set_0/output_0.pb")); // [1, N, U]
        Tensor got = m.predict(x.permute(1, 0, 2).contiguous());
        assertClose(yh.reshape(got.shape().toArray()), got, "test_lstm_defaults");
    }

    @Test
    void seedModelsExportedByPytorchImportAndGivePytorchsOutputs(@TempDir Path out) throws Exception {
        Fixtures.runPytorchScript("torch_seed_models.py", peersTorch(), out);
        for (String name : new String[] {"mlp", "cnn_mnist", "cnn_cifar", "lstm"}) {
            Path dir = out.resolve(name);
            Model m = OnnxImport.load(dir.resolve("model.onnx"));
            Tensor x = Fixtures.tensor(dir.resolve("test_data_set_0/input_0.pb"));
            Tensor y = Fixtures.tensor(dir.resolve("test_data_set_0/output_0.pb"));
            Tensor in = x.shape().rank() == 4 ? Fixtures.toChannelsLast(x) : x;
            assertClose(y, m.predict(in), "PyTorch " + name);
        }
    }

    /** ../shared/peers/torch (the PyTorch twins of the seed models); skips when absent. */
    private static Path peersTorch() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/peers/torch/models_torch.py");
            if (Files.isRegularFile(candidate)) return candidate.getParent();
        }
        assumeTrue(false, "skipped: no shared/peers/torch/models_torch.py above " + here + " (the PyTorch seed models are not in the repository)");
        return null;
    }
}
