package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every exported model gives Myelin's outputs in ONNX Runtime (within 1e-5). */
class OnnxExportTest {
    static List<ExportCases.Case> cases() {
        return ExportCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void onnxRuntimeMatchesMyelin(ExportCases.Case c) throws Exception {
        Model model = c.model().get();
        List<Tensor> inputs = c.inputs().get();
        List<Tensor> expected = model.call(inputs, false);
        List<Tensor> got = OnnxRuntime.run(OnnxExport.toBytes(model), inputs);
        assertEquals(expected.size(), got.size(), "outputs");
        for (int i = 0; i < got.size(); i++) {
            double diff = OnnxRuntime.maxAbsDiff(expected.get(i), got.get(i));
            System.out.printf(java.util.Locale.ROOT, "%s: ONNX Runtime vs Myelin max abs difference %.2e%n", c.name(), diff);
            assertTrue(diff <= 1e-5, c.name() + ": output " + i + " differs from Myelin's by " + diff);
        }
    }

    @Test
    void writesIrVersion8Opset17AndReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mlp.onnx");
        OnnxExport.save(dev.myelin.zoo.SeedModels.mlp(), file);
        ModelProto back = ModelProto.parse(Files.readAllBytes(file), file.toString());
        assertEquals(8, back.irVersion());
        assertEquals(17, back.defaultOpset());
        assertEquals(List.of("Flatten", "Gemm", "Relu", "Gemm", "Softmax", "Identity"), back.graph().nodes().stream().map(n -> n.opType()).toList());
        assertEquals(4, back.graph().initializers().size());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void cnnKeepsChannelsFirstBetweenConvolutionAndPooling() throws Exception {
        ModelProto m = ModelProto.parse(OnnxExport.toBytes(dev.myelin.zoo.SeedModels.cnnCifar()), "cnn-cifar");
        List<String> ops = m.graph().nodes().stream().map(n -> n.opType()).toList();
        assertEquals(List.of("Transpose", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Relu", "Gemm", "Softmax", "Identity"), ops);
    }

    @Test
    void unsupportedLayerIsRefusedByNameWithTheSupportedList() {
        Sequential model = new Sequential(new Conv1D(3, 2).inputShape(5, 2), new Flatten(), new Dense(2));
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(model));
        assertTrue(e.getMessage().contains("(Conv1D)") && e.getMessage().contains("supported layers: Dense, Conv2D"), e.getMessage());
    }

    @Test
    void maskingEmbeddingIsRefused() {
        Sequential model = new Sequential(new Embedding(10, 3).maskZero(true).inputShape(4), new LSTM(2));
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(model));
        assertTrue(e.getMessage().contains("mask_zero"), e.getMessage());
    }

    @Test
    void modelWithoutInputShapeIsRefused() {
        var e = assertThrows(IllegalStateException.class, () -> OnnxExport.toBytes(new Sequential(new Dense(3))));
        assertTrue(e.getMessage().contains("no input shape"), e.getMessage());
    }
}
