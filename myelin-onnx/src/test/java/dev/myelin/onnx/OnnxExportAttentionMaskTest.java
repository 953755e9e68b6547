package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.onnx.proto.ModelProto;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A functional MultiHeadAttention call with an {@code attention_mask} tensor exports with the mask applied (the
 * cases in {@link ExportCases#attentionCases()} compare ONNX Runtime with Myelin), not as if it were absent.
 */
class OnnxExportAttentionMaskTest {
    @Test
    void theMaskIsAGraphInputThatTheScoresRead() throws Exception {
        SymbolicTensor x = Input.named("x", 4, 6), mask = Input.named("mask", 4, 4);
        MultiHeadAttention mha = new MultiHeadAttention(2, 3).name("masked");
        Model model = new Model(List.of(x, mask), List.of(mha.apply(x, x, null, mask, false)));
        model.seed(1);
        ModelProto proto = ModelProto.parse(OnnxExport.toBytes(model), "masked");
        List<String> ops = proto.graph().nodes().stream().map(n -> n.opType()).toList();
        assertTrue(ops.contains("Greater") && ops.contains("Unsqueeze") && ops.contains("Where"), ops.toString());
        assertTrue(proto.graph().inputs().stream().anyMatch(v -> v.name().equals("mask")), "the mask is an input of the graph");

        Tensor xs = TestModels.input(3, 2, 4, 6);
        float[] diagonal = new float[2 * 4 * 4];
        for (int b = 0; b < 2; b++) for (int t = 0; t < 4; t++) diagonal[(b * 4 + t) * 4 + t] = 1; // each query sees itself only
        Tensor keep = Tensor.of(diagonal, 2, 4, 4);
        Tensor got = OnnxRuntime.run(OnnxExport.toBytes(model), List.of(xs, keep)).getFirst();
        Tensor unmasked = mha.call(xs, xs, null, null, false, false);
        assertTrue(OnnxRuntime.maxAbsDiff(got, mha.call(xs, xs, null, keep, false, false)) <= 1e-5);
        assertTrue(OnnxRuntime.maxAbsDiff(got, unmasked) > 1e-3, "the mask changes what ONNX Runtime computes");
    }
}
