package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every exported test model reads back through {@link OnnxImport} into a model with the same outputs, except
 * those whose ONNX form has operators with no Myelin layer (GELU's Erf, swish's Mul, a reversed recurrence's
 * sequence, TimeDistributed's folding Reshape, Masking's Equal, attention's head-splitting Transpose, the position
 * layers' Shape), which are refused naming the operator.
 */
class OnnxImportRoundTripTest {
    /** Cases whose export uses an operator the importer refuses, and the word its message names. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("activation gelu", "'Div'"),
            Map.entry("activation gelu_approximate", "'Mul'"),
            Map.entry("activation swish", "'Mul'"),
            Map.entry("activations on images", "'Div'"),
            Map.entry("time distributed dense", "out of the batch"),
            Map.entry("time distributed conv2d", "out of the batch"),
            Map.entry("bidirectional lstm sequences concat", "direction reverse with its sequence Y read"),
            Map.entry("bidirectional simple rnn sequences ave, then mul", "direction reverse with its sequence Y read"),
            Map.entry("masking then dense and max pooling", "'Equal'"),
            Map.entry("transformer encoder pre-norm gelu", "'Div'"));

    static List<ExportCases.Case> cases() {
        return ExportCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exportedModelReadsBackWithTheSameOutputs(ExportCases.Case c) throws Exception {
        Model model = c.model().get();
        List<Tensor> inputs = c.inputs().get();
        byte[] onnx = OnnxExport.toBytes(model);
        if (REFUSED.containsKey(c.name())) {
            var e = assertThrows(FileFormatException.class, () -> OnnxImport.fromBytes(onnx, c.name(), Map.of()));
            assertTrue(e.getMessage().contains(REFUSED.get(c.name())) && e.getMessage().contains("Myelin imports"), e.getMessage());
            return;
        }
        Model back = OnnxImport.fromBytes(onnx, c.name(), Map.of());
        List<Tensor> expected = model.call(inputs, false);
        List<Tensor> got = back.call(inputs, false);
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            double diff = OnnxRuntime.maxAbsDiff(expected.get(i), got.get(i));
            assertTrue(diff <= 1e-5, c.name() + ": output " + i + " differs by " + diff);
        }
        assertEquals(model.countParams(), back.countParams(), "parameters");
    }
}
