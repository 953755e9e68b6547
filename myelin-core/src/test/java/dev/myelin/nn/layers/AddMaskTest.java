package dev.myelin.nn.layers;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Add carries the implicit masks of its inputs, as Keras's merge layers ({@code compute_mask}: the AND of the inputs' masks). */
class AddMaskTest {
    private static final Tensor A = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3, 1), B = Tensor.of(new double[] {6, 5, 4, 3, 2, 1}, 2, 3, 1);

    @Test
    void oneMaskedInputGivesItsMask() {
        Tensor mask = Tensor.of(new double[] {1, 1, 0, 1, 0, 0}, 2, 3);
        Tensor sum = new Add().call(List.of(Masks.attach(A.mul(1.0), mask), B), false);
        TensorAssert.assertAllClose(Masks.of(sum), mask, 0, 0);
        TensorAssert.assertAllClose(sum, Tensor.of(new double[] {7, 7, 7, 7, 7, 7}, 2, 3, 1), 0, 0);
    }

    @Test
    void twoMasksGiveTheirAnd() {
        Tensor m1 = Tensor.of(new double[] {1, 1, 0, 1, 0, 0}, 2, 3), m2 = Tensor.of(new double[] {1, 0, 1, 1, 1, 0}, 2, 3);
        Tensor sum = new Add().call(List.of(Masks.attach(A.mul(1.0), m1), Masks.attach(B.mul(1.0), m2)), false);
        TensorAssert.assertAllClose(Masks.of(sum), Tensor.of(new double[] {1, 0, 0, 1, 0, 0}, 2, 3), 0, 0);
    }

    @Test
    void noMaskGivesNone() {
        assertNull(Masks.of(new Add().call(List.of(A, B), false)));
    }

    /** Token embeddings (mask_zero) plus position embeddings, averaged: padded steps must not count. */
    @Test
    void paddingMaskSurvivesTheSumOfTokenAndPositionEmbeddings() {
        SymbolicTensor ids = Input.of(4);
        Embedding embedding = new Embedding(6, 3).maskZero(true);
        PositionEmbedding positions = new PositionEmbedding(4);
        SymbolicTensor tokens = embedding.apply(ids);
        Model model = new Model(ids, new GlobalAveragePooling1D().apply(new Add().apply(tokens, positions.apply(tokens))));
        model.seed(3);
        Tensor out = model.predict(Tensor.of(new float[] {3, 5, 0, 0}, 1, 4));
        Tensor e = embedding.embeddings().value(), p = positions.embeddings().value();
        Tensor expected = e.slice(0, 3, 4).add(p.slice(0, 0, 1)).add(e.slice(0, 5, 6)).add(p.slice(0, 1, 2)).mul(0.5);
        TensorAssert.assertAllClose(out, expected, 1e-6, 1e-6);
    }
}
