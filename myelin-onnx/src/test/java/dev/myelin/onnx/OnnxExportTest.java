package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Layer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.TransformerDecoder;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.tensor.Shape;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
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

    /** A layer Myelin's export does not know (a user's own class). */
    private static final class Doubling extends Layer {
        Doubling() {
            super("doubling");
        }

        @Override
        protected Shape computeOutputShape(Shape inputShape) {
            return inputShape;
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return x.mul(2.0);
        }
    }

    @Test
    void unsupportedLayerIsRefusedByNameWithTheSupportedList() {
        Sequential model = new Sequential(new Dense(3).inputShape(5), new Doubling(), new Dense(2));
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(model));
        assertTrue(e.getMessage().contains("(Doubling)") && e.getMessage().contains("supported layers: Dense, Conv1D"), e.getMessage());
    }

    @Test
    void maskingEmbeddingIsRefusedWhereTheMaskIsApplied() {
        Sequential model = new Sequential(new Embedding(10, 3).maskZero(true).inputShape(4), new LSTM(2));
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(model));
        assertTrue(e.getMessage().contains("mask_zero") && e.getMessage().contains("(LSTM)"), e.getMessage());
    }

    /** A merge carries the mask on (Masks.merged), so an encoder after Embedding(mask_zero) + positions is refused too. */
    @Test
    void aMaskCarriedThroughAnAddIsStillRefusedWhereItIsApplied() {
        SymbolicTensor ids = dev.myelin.nn.Input.of(6);
        SymbolicTensor tokens = new Embedding(10, 4).maskZero(true).apply(ids);
        SymbolicTensor x = new dev.myelin.nn.layers.Add().apply(tokens, new dev.myelin.nn.attention.PositionEmbedding(6).apply(tokens));
        Model model = new Model(ids, new TransformerEncoder(8, 2).apply(x));
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(model));
        assertTrue(e.getMessage().contains("padding mask") && e.getMessage().contains("(TransformerEncoder)"), e.getMessage());
    }

    /** Every layer that applies an implicit mask is refused after Masking, also through a layer that passes the mask on (LayerNormalization). */
    @Test
    void layersThatApplyAMaskAreRefusedAfterMasking() {
        List<UnaryOperator<SymbolicTensor>> appliers = List.of(x -> new LSTM(2).apply(x), x -> new Bidirectional(new GRU(2)).apply(x),
                x -> new GlobalAveragePooling1D().apply(x), x -> new MultiHeadAttention(2, 2).apply(x, x), x -> new TransformerEncoder(4, 2).apply(x),
                x -> new TransformerDecoder(4, 2).apply(x));
        for (UnaryOperator<SymbolicTensor> applier : appliers) {
            Model model = ExportCases.functional(new int[] {5, 4}, x -> applier.apply(new LayerNormalization().apply(new Masking(0.0).apply(x))));
            String layer = model.outputs().getFirst().layer().getClass().getSimpleName();
            var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(model), layer);
            assertTrue(e.getMessage().contains("padding mask") && e.getMessage().contains("(" + layer + ")"), e.getMessage());
        }
    }

    @Test
    void masksStopAtLayersThatDropThem() throws Exception {
        // Dense drops the mask in Myelin, so the LSTM after it computes every step: exported, and equal
        Sequential model = TestModels.randomizeWeights(new Sequential(new Masking(0.0).inputShape(5, 4), new Dense(3), new LSTM(2)), 5);
        Tensor x = TestModels.input(6, 2, 5, 4);
        double diff = OnnxRuntime.maxAbsDiff(model.predict(x), OnnxRuntime.run(OnnxExport.toBytes(model), List.of(x)).getFirst());
        assertTrue(diff <= 1e-5, "differs by " + diff);
    }

    @Test
    void modelWithoutInputShapeIsRefused() {
        var e = assertThrows(IllegalStateException.class, () -> OnnxExport.toBytes(new Sequential(new Dense(3))));
        assertTrue(e.getMessage().contains("no input shape"), e.getMessage());
    }
}
