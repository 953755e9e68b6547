package dev.myelin.models;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** A model used as a layer of another (Keras: a model is a layer): forward, training, freezing, summary, errors. */
class NestedModelTest {
    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static float[] values(Parameter p) {
        return p.value().toFloatArray();
    }

    /** A small trained-looking base: 3 features → 4 (tanh) → 5 (relu). */
    private static Sequential base(Dense first, Dense second) {
        return new Sequential(first.inputShape(3), second).seed(1);
    }

    private static Tensor x() {
        return Tensor.uniform(rng(7), -1, 1, 16, 3);
    }

    private static Tensor y() {
        return Tensor.uniform(rng(8), 0, 1, 16, 2);
    }

    @Test
    void nestedForwardIsTheComposedForwardBitForBit() {
        Sequential base = base(new Dense(4, Activation.TANH), new Dense(5, Activation.RELU));
        Dense head = new Dense(2, Activation.SOFTMAX);
        Sequential outer = new Sequential(base.asLayer(), head).seed(2);
        Dense head2 = new Dense(2, Activation.SOFTMAX);
        SymbolicTensor in = Input.of(3);
        Model functional = new Model(in, head2.apply(base.apply(in)));
        functional.seed(3);
        Tensor x = x();
        try (var g = NoGrad.scope()) {
            assertAllClose(head.call(base.call(x, false), false).toFloatArray(), outer.call(x, false).toFloatArray(), 0, 0);
            assertAllClose(head2.call(base.call(x, false), false).toFloatArray(), functional.call(x, false).toFloatArray(), 0, 0);
        }
        assertEquals(Shape.of(5), base.asLayer().outputShape(Shape.of(3)));
        assertSame(base.asLayer(), base.asLayer());
    }

    @Test
    void theOuterModelTracksTheInnerWeightsUnderTheirOwnNames() {
        Dense first = new Dense(4, Activation.TANH), second = new Dense(5, Activation.RELU);
        Sequential base = base(first, second);
        Dense head = new Dense(2);
        Sequential outer = new Sequential(base.asLayer(), head).seed(2);
        List<Parameter> w = outer.weights();
        assertEquals(6, w.size());
        assertSame(first.kernel(), w.get(0));
        assertEquals(first.name() + "/kernel", w.get(0).name());
        assertEquals(second.name() + "/bias", w.get(3).name());
        assertEquals(base.countParams() + head.countParams(), outer.countParams());
        assertEquals(6, outer.weightValues().size());
    }

    @Test
    void trainingTheOuterModelTrainsTheNestedOne() {
        Dense first = new Dense(4, Activation.TANH), second = new Dense(5, Activation.RELU);
        Sequential base = base(first, second);
        Dense head = new Dense(2);
        Sequential outer = new Sequential(base.asLayer(), head).seed(2);
        outer.compile(new SGD(0.1), Loss.MSE);
        float[] k0 = values(first.kernel()), h0 = values(head.kernel());
        outer.fit(x(), y(), FitOptions.epochs(2).verbose(0).seed(1));
        assertNotEquals(k0[0], values(first.kernel())[0]);
        assertNotEquals(h0[0], values(head.kernel())[0]);
    }

    @Test
    void aFrozenBaseKeepsItsWeightsBitForBitWhileTheHeadLearnsAndTrainsAgainOnceUnfrozen() {
        Dense first = new Dense(4, Activation.TANH), second = new Dense(5, Activation.RELU);
        Sequential base = base(first, second);
        Dense head = new Dense(2);
        Sequential outer = new Sequential(base.asLayer(), head).seed(2);
        base.trainable(false);
        assertFalse(base.asLayer().isTrainable());
        assertEquals(List.of(head.kernel(), head.bias()), outer.trainableWeights());
        assertEquals(4, outer.nonTrainableWeights().size());
        outer.compile(new SGD(0.1), Loss.MSE);
        float[] k0 = values(first.kernel()), b0 = values(second.bias()), h0 = values(head.kernel());
        outer.fit(x(), y(), FitOptions.epochs(2).verbose(0).seed(1));
        assertAllClose(k0, values(first.kernel()), 0, 0);
        assertAllClose(b0, values(second.bias()), 0, 0);
        assertNotEquals(h0[0], values(head.kernel())[0]);

        base.trainable(true); // unfreeze: the same compiled optimizer picks the base's weights up
        assertEquals(6, outer.trainableWeights().size());
        outer.fit(x(), y(), FitOptions.epochs(2).verbose(0).seed(1));
        assertNotEquals(k0[0], values(first.kernel())[0]);
    }

    @Test
    void freezingTheWrapperFreezesEveryInnerLayer() {
        Dense first = new Dense(4, Activation.TANH), second = new Dense(5, Activation.RELU);
        Sequential base = base(first, second);
        Sequential outer = new Sequential(base.asLayer(), new Dense(2)).seed(2);
        base.asLayer().trainable(false);
        assertFalse(first.isTrainable());
        assertFalse(second.isTrainable());
        assertEquals(2, outer.trainableWeights().size());
        second.trainable(true); // fine-tune the top of the base only
        assertEquals(4, outer.trainableWeights().size());
    }

    @Test
    void aFrozenNestedBatchNormalizationKeepsItsMovingStatistics() {
        BatchNormalization bn = new BatchNormalization();
        Sequential base = new Sequential(new Dense(4).inputShape(3), bn).seed(1);
        Sequential outer = new Sequential(base.asLayer(), new Dense(2)).seed(2);
        base.trainable(false);
        outer.compile(new SGD(0.1), Loss.MSE);
        List<Parameter> stats = bn.weights().stream().filter(p -> p.shortName().startsWith("moving_")).toList();
        assertEquals(2, stats.size());
        List<float[]> stats0 = stats.stream().map(NestedModelTest::values).toList();
        outer.fit(x(), y(), FitOptions.epochs(1).verbose(0).seed(1));
        for (int i = 0; i < 2; i++) assertAllClose(stats0.get(i), values(stats.get(i)), 0, 0);
        // unfrozen, training updates them: the check above can fail
        base.trainable(true);
        outer.fit(x(), y(), FitOptions.epochs(1).verbose(0).seed(1));
        assertNotEquals(stats0.get(0)[0], values(stats.get(0))[0]);
    }

    @Test
    void trainingFalseRunsTheNestedModelInInferenceModeWhileTheOuterTrains() {
        Sequential base = new Sequential(new Dense(6).inputShape(3), new Dropout(0.5)).seed(1);
        SymbolicTensor in = Input.of(3);
        Model outer = new Model(in, new Dense(2).apply(base.apply(in, false)));
        outer.seed(2);
        Tensor x = x();
        try (var g = NoGrad.scope()) {
            assertAllClose(outer.call(x, false).toFloatArray(), outer.call(x, true).toFloatArray(), 0, 0);
            assertEquals(Boolean.FALSE, base.asLayer().fixedTraining());
            base.asLayer().training(true); // pinned the other way: dropout is active, the outputs differ
            assertFalse(java.util.Arrays.equals(outer.call(x, false).toFloatArray(), outer.call(x, true).toFloatArray()));
        }
    }

    @Test
    void aNestedModelCalledTwiceSharesItsWeights() {
        Sequential base = base(new Dense(4, Activation.TANH), new Dense(5, Activation.RELU));
        SymbolicTensor left = Input.of(3), right = Input.of(3);
        Dense head = new Dense(1);
        Model siamese = new Model(List.of(left, right),
                List.of(head.apply(new dev.myelin.nn.layers.Add().apply(base.apply(left), base.apply(right)))));
        siamese.seed(2);
        assertEquals(base.countParams() + head.countParams(), siamese.countParams());
        assertEquals(6, siamese.weights().size());
        Tensor x = x();
        try (var g = NoGrad.scope()) {
            Tensor features = base.call(x, false);
            assertAllClose(head.call(features.add(features), false).toFloatArray(), siamese.call(List.of(x, x), false).getFirst().toFloatArray(), 0, 0);
        }
        var self = assertThrows(IllegalArgumentException.class, () -> base.add(base.asLayer()));
        assertEquals("model '" + base.name() + "' cannot contain itself", self.getMessage());
    }

    @Test
    void summaryShowsTheNestedModelAsOneRowWithItsParameterCount() {
        Dense first = new Dense(4, Activation.TANH), second = new Dense(5, Activation.RELU);
        Sequential base = base(first, second);
        Sequential outer = new Sequential(base.asLayer(), new Dense(2)).seed(2);
        base.trainable(false);
        String s = outer.summary();
        assertTrue(s.contains(" " + base.name() + " (Sequential)"), s);
        assertTrue(s.contains("(None, 5)"), s);
        assertTrue(s.contains("(None, 5)                 41 "), s); // 3*4+4 + 4*5+5
        assertFalse(s.contains(first.name() + " (Dense)"), s);
        assertTrue(s.contains("Total params: 53 "), s);
        assertTrue(s.contains("Trainable params: 12 "), s);
        assertTrue(s.contains("Non-trainable params: 41 "), s);
    }

    @Test
    void anUnbuiltNestedModelIsBuiltFromTheOuterSeed() {
        float[] a = new Sequential(new Sequential(new Dense(4).inputShape(3)).asLayer(), new Dense(2)).seed(5).weights().get(0).value().toFloatArray();
        float[] b = new Sequential(new Sequential(new Dense(4).inputShape(3)).asLayer(), new Dense(2)).seed(5).weights().get(0).value().toFloatArray();
        assertAllClose(a, b, 0, 0);
    }

    @Test
    void errorsNameTheModelAndTheShapes() {
        Sequential base = base(new Dense(4, Activation.TANH), new Dense(5, Activation.RELU));
        var wrongShape = assertThrows(IllegalArgumentException.class, () -> new Sequential(new Dense(7).inputShape(2), base.asLayer()));
        assertTrue(wrongShape.getMessage().contains("model '" + base.name() + "'"), wrongShape.getMessage());
        assertTrue(wrongShape.getMessage().contains("[batch, 3]"), wrongShape.getMessage());

        Sequential noShape = new Sequential(new Dense(4));
        var unknown = assertThrows(IllegalArgumentException.class, () -> noShape.apply(Input.of(3)));
        assertTrue(unknown.getMessage().contains("model '" + noShape.name() + "' has no input shape yet"), unknown.getMessage());

        SymbolicTensor a = Input.of(2), b = Input.of(2);
        Model twoInputs = new Model(List.of(a, b), List.of(new Dense(1).apply(a), new Dense(1).apply(b)));
        var multi = assertThrows(IllegalArgumentException.class, () -> twoInputs.apply(Input.of(2)));
        assertTrue(multi.getMessage().contains("model '" + twoInputs.name() + "' has 2 input(s) and 2 output(s)"), multi.getMessage());
    }

    @Test
    void twoWeightsOfOneNameAreRefusedNamingTheLayers() {
        Dense first = new Dense(4, Activation.TANH), second = new Dense(5, Activation.RELU);
        Sequential base = base(first, second);
        Dense clash = (Dense) new Dense(2).name(first.name());
        Sequential outer = new Sequential(base.asLayer(), clash);
        var e = assertThrows(IllegalArgumentException.class, outer::build);
        assertTrue(e.getMessage().contains("two weights named '" + first.name() + "/kernel'"), e.getMessage());
    }
}
