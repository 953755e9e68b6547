package dev.myelin.nn.recurrent;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.recurrent.KerasReference.Cell;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.zoo.SeedModels;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Parameter counts against Keras, masks through models, wrappers' outputs, and bad-input errors. */
class RecurrentModelTest {
    private static RandomGenerator rng() {
        return RandomGenerator.of("L64X128MixRandom");
    }

    @Test
    void parameterCountsMatchKeras() {
        LSTM lstm = new LSTM(50);
        lstm.build(Shape.of(28, 28), rng());
        assertEquals(15_800, lstm.countParams()); // 4·50·(28 + 50 + 1)
        GRU gru = new GRU(50);
        gru.build(Shape.of(28, 28), rng());
        assertEquals(12_000, gru.countParams()); // 3·50·(28 + 50 + 2), reset_after
        assertEquals(Shape.of(2, 150), gru.bias().value().shape());
        SimpleRNN rnn = new SimpleRNN(50);
        rnn.build(Shape.of(28, 28), rng());
        assertEquals(3_950, rnn.countParams());

        Sequential seed = SeedModels.lstm();
        seed.build();
        assertEquals(36_510, seed.countParams()); // 15,800 + 20,200 + 510
        assertTrue(seed.summary().contains("(None, 28, 50)"), seed.summary());
    }

    @Test
    void lstmInitialization() {
        LSTM lstm = new LSTM(4);
        lstm.build(Shape.of(3, 2), rng());
        double[] b = lstm.bias().value().toDoubleArray();
        for (int j = 0; j < 16; j++) assertEquals(j >= 4 && j < 8 ? 1.0 : 0.0, b[j], "unit_forget_bias at " + j);
        // orthogonal recurrent kernel [4, 16]: rows orthonormal
        Tensor u = lstm.recurrentKernel().value();
        assertAllClose(u.matmul(u.mT()), Tensor.eye(4), 1e-5, 1e-5);
    }

    /** Post-padded ids with maskZero give the same last output as the unpadded prefix (masked steps carry the state). */
    @Test
    void embeddingMaskZeroThroughSequential() {
        Sequential model = new Sequential(new Embedding(6, 3).maskZero(true).inputShape(5), new LSTM(4), new Dense(2));
        model.seed(3);
        model.build();
        Tensor ids = Tensor.of(new float[] {1, 2, 3, 0, 0, 4, 5, 0, 0, 0}, 2, 5);
        Tensor y = model.predict(ids);
        Sequential prefixModel = new Sequential(new Embedding(6, 3).inputShape(3), new LSTM(4), new Dense(2));
        prefixModel.seed(3);
        prefixModel.build();
        Tensor y1 = prefixModel.predict(Tensor.of(new float[] {1, 2, 3}, 1, 3));
        Sequential prefix2 = new Sequential(new Embedding(6, 3).inputShape(2), new LSTM(4), new Dense(2));
        prefix2.seed(3);
        prefix2.build();
        Tensor y2 = prefix2.predict(Tensor.of(new float[] {4, 5}, 1, 2));
        assertAllClose(y.slice(0, 0, 1), y1, 1e-5, 1e-6);
        assertAllClose(y.slice(0, 1, 2), y2, 1e-5, 1e-6);
    }

    @Test
    void maskingLayerMasksPaddedSteps() {
        RecurrentLayer gru = new GRU(3).returnSequences(true);
        Sequential model = new Sequential(new Masking(0.0).inputShape(4, 2), gru);
        model.seed(1);
        model.build();
        Tensor x = Tensor.of(new float[] {1, 2, 0, 0, 3, 4, 0, 0}, 1, 4, 2);
        Tensor y = model.predict(x);
        // step 1 is padding: its output repeats step 0's; step 3 repeats step 2's
        assertAllClose(y.slice(1, 1, 2), y.slice(1, 0, 1), 0, 0);
        assertAllClose(y.slice(1, 3, 4), y.slice(1, 2, 3), 0, 0);
    }

    @Test
    void bidirectionalMatchesBothDirectionsOfTheReference() {
        Bidirectional bi = new Bidirectional(new SimpleRNN(3).returnSequences(true), Bidirectional.Merge.CONCAT);
        bi.dtype(DType.FLOAT64);
        bi.build(Shape.of(5, 4), rng());
        SplittableRandom r = new SplittableRandom(4);
        double[][][] x = RecurrentForwardTest.rand3(r, 2, 5, 4, 1);
        double[][][] outs = new double[2][][];
        for (int d = 0; d < 2; d++) {
            RecurrentLayer l = d == 0 ? bi.forwardLayer() : bi.backwardLayer();
            double[][] w = RecurrentForwardTest.rand2(r, 4, 3, 0.6), u = RecurrentForwardTest.rand2(r, 3, 3, 0.6);
            double[] b = RecurrentForwardTest.rand2(r, 1, 3, 0.3)[0];
            try (var ng = NoGrad.scope()) {
                l.kernel().value().assign(RecurrentForwardTest.t(w, DType.FLOAT64));
                l.recurrentKernel().value().assign(RecurrentForwardTest.t(u, DType.FLOAT64));
                l.bias().value().assign(Tensor.of(b));
            }
            KerasReference.Result ref = KerasReference.run(Cell.SIMPLE, x, w, u, b, null, null, null, d == 1);
            outs[d] = new double[2][];
            double[][][] seq = ref.outputs();
            double[] flat = new double[2 * 5 * 3];
            for (int i = 0; i < 2; i++) {
                for (int s = 0; s < 5; s++) {
                    int t = d == 1 ? 4 - s : s; // the backward sequence is reversed back to input order
                    System.arraycopy(seq[i][s], 0, flat, (i * 5 + t) * 3, 3);
                }
            }
            Tensor expected = Tensor.of(flat, 2, 5, 3);
            Tensor y = bi.call(RecurrentForwardTest.t3(x, DType.FLOAT64), false);
            assertEquals(Shape.of(2, 5, 6), y.shape());
            assertAllClose(y.slice(2, 3 * d, 3 * d + 3), expected, 1e-10, 1e-12);
        }
    }

    @Test
    void timeDistributedEqualsDenseOnEveryStep() {
        Dense dense = new Dense(3, Activation.TANH);
        TimeDistributed td = new TimeDistributed(dense);
        td.build(Shape.of(4, 2), rng());
        Tensor x = Tensor.rand(rng(), 5, 4, 2);
        Tensor y = td.call(x, false);
        assertEquals(Shape.of(5, 4, 3), y.shape());
        assertAllClose(y, x.matmul(dense.kernel().value()).add(dense.bias().value()).tanh(), 1e-6, 1e-6);
        assertEquals(2, td.weights().size());
    }

    @Test
    void returnStateGivesFinalStates() {
        LSTM lstm = new LSTM(3).returnState(true);
        lstm.build(Shape.of(4, 2), rng());
        RecurrentOutput out = lstm.callWithState(Tensor.rand(rng(), 2, 4, 2), null, null, false);
        assertEquals(2, out.states().size());
        assertAllClose(out.output(), out.states().get(0), 0, 0); // h is the last output when nothing is masked
        assertEquals(Shape.of(2, 3), out.states().get(1).shape());
    }

    // ---- bad input ----

    @Test
    void wrongRankOrFeatureSizeNamesLayerAndShapes() {
        LSTM lstm = (LSTM) new LSTM(5).name("encoder");
        lstm.build(Shape.of(28, 28), rng());
        var e = assertThrows(IllegalArgumentException.class, () -> lstm.call(Tensor.zeros(32, 28), false));
        assertTrue(e.getMessage().contains("'encoder'") && e.getMessage().contains("[batch, time, 28]") && e.getMessage().contains("[32, 28]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.call(Tensor.zeros(32, 28, 30), false));
        assertTrue(e.getMessage().contains("'encoder'") && e.getMessage().contains("[32, 28, 30]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GRU(3).outputShape(Shape.of(28)));
        assertTrue(e.getMessage().contains("[batch, time, features]") && e.getMessage().contains("[batch, 28]"), e.getMessage());
        var m = new Sequential(new SimpleRNN(4).inputShape(10, 3));
        m.build();
        e = assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.zeros(2, 10, 4)));
        assertTrue(e.getMessage().contains("[2, 10, 4]"), e.getMessage());
    }

    @Test
    void tokenIdsOutsideTheVocabulary() {
        Embedding emb = (Embedding) new Embedding(10, 4).name("tokens");
        emb.build(Shape.of(3), rng());
        var e = assertThrows(IllegalArgumentException.class, () -> emb.call(Tensor.of(new float[] {1, 10, 2}, 1, 3), false));
        assertTrue(e.getMessage().contains("'tokens'") && e.getMessage().contains("10.0") && e.getMessage().contains("[0, 10)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> emb.call(Tensor.of(new float[] {-1, 0, 2}, 1, 3), false));
        assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> emb.call(Tensor.of(new float[] {1.5f, 0, 2}, 1, 3), false));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }

    @Test
    void maskAndInitialStateShapeMismatch() {
        GRU gru = (GRU) new GRU(3).name("dec");
        gru.build(Shape.of(5, 2), rng());
        Tensor x = Tensor.zeros(4, 5, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> gru.callWithState(x, Tensor.ones(4, 6), null, false));
        assertTrue(e.getMessage().contains("'dec'") && e.getMessage().contains("mask shape [4, 6]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.callWithState(x, null, List.of(Tensor.zeros(4, 2)), false));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.callWithState(x, null, List.of(Tensor.zeros(4, 3), Tensor.zeros(4, 3)), false));
        assertTrue(e.getMessage().contains("1 initial state"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LSTM(0));
        assertThrows(IllegalArgumentException.class, () -> new LSTM(3).dropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 3));
    }
}
