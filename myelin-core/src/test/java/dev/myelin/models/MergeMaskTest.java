package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merge layers carry their inputs' masks on, as Keras's {@code Merge.compute_mask} (logical AND of the masks present). */
class MergeMaskTest {
    private static final Tensor IDS = Tensor.of(new double[] {4, 2, 0, 0, 1, 3, 5, 0}, 2, 4);

    @Test
    void addOfAMaskedEmbeddingAndPositionsKeepsThePaddingMasked() {
        SymbolicTensor ids = Input.of(4);
        SymbolicTensor tokens = new Embedding(8, 3).maskZero(true).apply(ids);
        SymbolicTensor sum = new Add().apply(tokens, new PositionEmbedding(4).apply(tokens));
        Model model = new Model(ids, sum);
        model.seed(1);
        Tensor out = model.call(IDS, false);
        assertArrayEquals(new double[] {1, 1, 0, 0, 1, 1, 1, 0}, Masks.of(out).toDoubleArray());

        // and a mask-aware layer after the merge uses it: the mean skips the padded steps
        Model pooled = new Model(ids, new GlobalAveragePooling1D().apply(sum));
        double[] x = out.toDoubleArray(), mean = pooled.call(IDS, false).toDoubleArray();
        for (int c = 0; c < 3; c++) assertArrayEqualsWithin((x[c] + x[3 + c]) / 2, mean[c]);
    }

    @Test
    void twoMaskedBranchesGiveTheirLogicalAndAndUnmaskedInputsGiveNone() {
        SymbolicTensor a = Input.named("a", 4), b = Input.named("b", 4);
        SymbolicTensor ea = new Embedding(8, 2).maskZero(true).apply(a), eb = new Embedding(8, 2).maskZero(true).apply(b);
        Model model = new Model(List.of(a, b), List.of(new Concatenate().apply(ea, eb)));
        Tensor other = Tensor.of(new double[] {4, 0, 2, 1, 0, 3, 5, 6}, 2, 4);
        Tensor out = model.call(List.of(IDS, other), false).get(0);
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 1, 1, 0}, Masks.of(out).toDoubleArray());

        SymbolicTensor x = Input.of(4, 2), y = Input.of(4, 2);
        Model plain = new Model(List.of(x, y), List.of(new Add().apply(x, y)));
        assertNull(Masks.of(plain.call(List.of(Tensor.zeros(1, 4, 2), Tensor.zeros(1, 4, 2)), false).get(0)));
    }

    private static void assertArrayEqualsWithin(double expected, double actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual, 1e-6);
    }
}
