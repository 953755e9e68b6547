package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A functional MultiHeadAttention call with an {@code attention_mask} tensor: refused by the export, never exported as if unmasked. */
class OnnxExportAttentionMaskTest {
    @Test
    void aMaskedAttentionCallIsRefusedNamingTheLayerAndKeyword() {
        SymbolicTensor x = Input.named("x", 4, 6), mask = Input.named("mask", 4, 4);
        Model model = new Model(List.of(x, mask), List.of(new MultiHeadAttention(2, 3).name("masked").apply(x, x, null, mask, false)));
        model.seed(1);
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toProto(model));
        assertTrue(e.getMessage().contains("'masked'") && e.getMessage().contains("attention_mask"), e.getMessage());
    }
}
