package dev.myelin.models;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** Taking a trained model's layers into a new model: pop, layer(name).output(), reuse of built layers, freezing. */
class TransferLearningTest {
    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static float[] values(Parameter p) {
        return p.value().toFloatArray();
    }

    private static Tensor x() {
        return Tensor.uniform(rng(7), -1, 1, 16, 4);
    }

    @Test
    void popRemovesTheHeadAndAddPutsANewOneOnTheTrainedLayers() {
        Dense hidden = new Dense(6, Activation.RELU), oldHead = new Dense(3, Activation.SOFTMAX);
        Sequential m = new Sequential(hidden.inputShape(4), oldHead).seed(1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        m.fit(x(), Tensor.of(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16), FitOptions.epochs(1).verbose(0).seed(1));
        Parameter hiddenKernel = hidden.kernel();

        assertSame(oldHead, m.pop());
        assertEquals(List.of(hidden), m.layers());
        assertEquals(Shape.of(6), m.outputs().getFirst().shape());
        assertEquals(List.of(hidden.kernel(), hidden.bias()), m.weights());

        Dense newHead = new Dense(2);
        m.add(newHead); // on a built model: the new layer builds on next use, the old keep their weights
        assertEquals(Shape.of(2), m.outputs().getFirst().shape());
        assertEquals(4 * 6 + 6 + 6 * 2 + 2, m.countParams());
        assertSame(hiddenKernel, m.weights().getFirst());

        hidden.trainable(false);
        float[] k0 = values(hidden.kernel());
        m.compile(new SGD(0.1), Loss.MSE);
        m.fit(x(), Tensor.zeros(16, 2), FitOptions.epochs(2).verbose(0).seed(1));
        assertAllClose(k0, values(hidden.kernel()), 0, 0);
        try (var g = NoGrad.scope()) { // the model is now hidden → newHead
            Tensor x = x();
            assertAllClose(newHead.call(hidden.call(x, false), false).toFloatArray(), m.call(x, false).toFloatArray(), 0, 0);
        }
    }

    @Test
    void popOnAnEmptyModelNamesTheModel() {
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.pop();
        assertEquals(List.of(), m.layers());
        var e = assertThrows(IllegalStateException.class, m::pop);
        assertEquals("model '" + m.name() + "' has no layers to pop", e.getMessage());
        m.add(new Dense(5)); // the input shape stays
        assertEquals(Shape.of(5), m.outputs().getFirst().shape());
    }

    @Test
    void everythingButTheHeadWithANewHeadReusesTheTrainedLayers() {
        Sequential base = SeedModels.cnnMnist().seed(3);
        Layer flatten = base.layer(base.layers().get(2).name());
        Dense newHead = new Dense(5, Activation.SOFTMAX);
        Model transfer = new Model(base.inputs().getFirst(), newHead.apply(flatten.output()));
        transfer.seed(4);
        List<Parameter> baseWeights = base.weights();
        List<Parameter> w = transfer.weights();
        assertSame(baseWeights.get(0), w.get(0)); // the conv kernel: the same object, not a copy
        assertSame(baseWeights.get(1), w.get(1));
        assertEquals(4, w.size());
        assertEquals(32 * 9 + 32 + 5408 * 5 + 5, transfer.countParams());

        for (Layer l : base.layers()) l.trainable(false);
        transfer.compile(new SGD(0.05), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        Tensor images = Tensor.uniform(rng(5), 0, 1, 8, 28, 28, 1);
        Tensor labels = Tensor.of(new float[] {0, 1, 2, 3, 4, 0, 1, 2}, 8);
        float[] conv0 = values(w.get(0)), head0 = values(newHead.kernel());
        transfer.fit(images, labels, FitOptions.epochs(1).verbose(0).seed(1));
        assertAllClose(conv0, values(w.get(0)), 0, 0);
        assertNotEquals(head0[0], values(newHead.kernel())[0]);

        base.trainable(true); // unfreeze to fine-tune: the same optimizer now updates the conv base
        transfer.fit(images, labels, FitOptions.epochs(1).verbose(0).seed(1));
        assertNotEquals(conv0[0], values(w.get(0))[0]);
    }

    @Test
    void layerOutputIsTheFirstCallsOutputAndNamesTheLayerBeforeAnyCall() {
        Dense d = new Dense(3);
        var e = assertThrows(IllegalStateException.class, d::output);
        assertTrue(e.getMessage().startsWith("layer '" + d.name() + "' has not been called"), e.getMessage());
        SymbolicTensor in = Input.of(2);
        SymbolicTensor out = d.apply(in);
        d.apply(Input.of(2));
        assertSame(out, d.output());
        // a Sequential's layers are wired once, so their outputs hang on the model's own input
        Sequential s = new Sequential(new Dense(2).inputShape(4), new Dense(3), new Dense(1));
        assertSame(s.inputs().getFirst(), s.layers().get(0).output().inputs().getFirst());
        assertSame(s.outputs().getFirst(), s.layers().get(2).output());
    }

    @Test
    void aBuiltLayerReusedWithAnotherInputShapeIsRefusedAtTheCallNamingIt() {
        Dense d = new Dense(3);
        new Sequential(d.inputShape(4)).build();
        var e = assertThrows(IllegalArgumentException.class, () -> d.apply(Input.of(6)));
        assertTrue(e.getMessage().contains("layer '" + d.name() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("built for input shape " + Shape.of(4)), e.getMessage());
        assertTrue(e.getMessage().contains("applied to " + Shape.of(6)), e.getMessage());
        assertEquals(Shape.of(3), d.apply(Input.of(4)).shape()); // the same shape is fine
    }
}
