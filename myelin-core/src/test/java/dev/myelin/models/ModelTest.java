package dev.myelin.models;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

class ModelTest {
    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Test
    void seedModelParameterCountsEqualKeras() {
        assertEquals(50_890, SeedModels.mlp().countParams());
        assertEquals(693_962, SeedModels.cnnMnist().countParams());
        assertEquals(167_562, SeedModels.cnnCifar().countParams());
    }

    @Test
    void summaryListsLayersShapesAndTotals() {
        Sequential cnn = SeedModels.cnnMnist();
        String s = cnn.summary();
        assertTrue(s.contains("(None, 26, 26, 32)"), s);
        assertTrue(s.contains("(None, 13, 13, 32)"), s);
        assertTrue(s.contains("(None, 5408)"), s);
        assertTrue(s.contains("692,352"), s);
        assertTrue(s.contains("Total params: 693,962 (2.65 MB)"), s);
        assertTrue(s.contains("Trainable params: 693,962"), s);
        assertTrue(s.contains("Non-trainable params: 0"), s);
        cnn.layers().get(3).trainable(false);
        String frozen = cnn.summary();
        assertTrue(frozen.contains("Trainable params: 1,610"), frozen);
        assertTrue(frozen.contains("Non-trainable params: 692,352"), frozen);
    }

    @Test
    void sequentialWithoutInputShapeBuildsFromTheFirstBatch() {
        Sequential m = new Sequential(new Dense(3, Activation.RELU), new Dense(2));
        m.seed(1);
        Tensor y = m.call(Tensor.ones(4, 5), false);
        assertEquals(Shape.of(4, 2), y.shape());
        assertEquals(5 * 3 + 3 + 3 * 2 + 2, m.countParams());
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        float[] a = SeedModels.mlp().seed(7).weights().get(0).value().toFloatArray();
        float[] b = SeedModels.mlp().seed(7).weights().get(0).value().toFloatArray();
        float[] c = SeedModels.mlp().seed(8).weights().get(0).value().toFloatArray();
        assertAllClose(a, b, 0, 0);
        assertNotEquals(a[0], c[0]);
    }

    @Test
    void sequentialForwardEqualsTheLayerMathByHand() {
        Dense d1 = new Dense(3, Activation.TANH);
        Dense d2 = new Dense(2, Activation.SOFTMAX);
        Sequential m = new Sequential(d1.inputShape(4), d2);
        m.seed(3);
        Tensor x = Tensor.uniform(rng(1), -1, 1, 5, 4);
        Tensor expected;
        try (var g = NoGrad.scope()) {
            Tensor h = x.matmul(d1.kernel().value()).add(d1.bias().value()).tanh();
            expected = h.matmul(d2.kernel().value()).add(d2.bias().value()).softmax(-1);
        }
        assertAllClose(expected.toFloatArray(), m.predict(x).toFloatArray(), 1e-6, 1e-7);
    }

    @Test
    void functionalModelWithTwoInputsAndTwoOutputs() {
        SymbolicTensor a = Input.of(3);
        SymbolicTensor b = Input.of(2);
        Dense da = new Dense(4);
        Dense db = new Dense(4);
        SymbolicTensor sum = new Add().apply(da.apply(a), db.apply(b));
        SymbolicTensor cat = new Concatenate().apply(sum, a);
        Dense head1 = new Dense(1);
        Dense head2 = new Dense(2, Activation.SOFTMAX);
        Model m = new Model(List.of(a, b), List.of(head1.apply(cat), head2.apply(sum)));
        m.seed(5);
        assertEquals(Shape.of(7), cat.shape());
        Tensor xa = Tensor.uniform(rng(2), -1, 1, 6, 3), xb = Tensor.uniform(rng(3), -1, 1, 6, 2);
        List<Tensor> out = m.call(List.of(xa, xb), false);
        try (var g = NoGrad.scope()) {
            Tensor s = xa.matmul(da.kernel().value()).add(da.bias().value()).add(xb.matmul(db.kernel().value()).add(db.bias().value()));
            Tensor o1 = Tensor.concat(List.of(s, xa), -1).matmul(head1.kernel().value()).add(head1.bias().value());
            Tensor o2 = s.matmul(head2.kernel().value()).add(head2.bias().value()).softmax(-1);
            assertAllClose(o1.toFloatArray(), out.get(0).toFloatArray(), 1e-6, 1e-6);
            assertAllClose(o2.toFloatArray(), out.get(1).toFloatArray(), 1e-6, 1e-6);
        }
        String summary = m.summary();
        assertTrue(summary.contains("Connected to"), summary);
        assertTrue(summary.contains("(Add)"), summary);
        // both outputs train: a step changes both heads
        m.compile(new SGD(0.1), Loss.MSE);
        float[] before1 = head1.kernel().value().toFloatArray(), before2 = head2.kernel().value().toFloatArray();
        m.fit(List.of(xa, xb), List.of(Tensor.zeros(6, 1), Tensor.ones(6, 2).mul(0.5)), FitOptions.epochs(1).verbose(0).seed(1));
        assertNotEquals(before1[0], head1.kernel().value().toFloatArray()[0]);
        assertNotEquals(before2[0], head2.kernel().value().toFloatArray()[0]);
    }

    @Test
    void summaryColumnsStayAlignedForLongLayerNames() {
        SymbolicTensor in = Input.of(3);
        SymbolicTensor h = new Dense(4).name("a_rather_long_projection_layer_name").apply(in);
        Model m = new Model(in, new Dense(2).apply(h));
        List<String> rows = m.summary().lines().filter(l -> l.contains("(None, ")).toList();
        assertEquals(3, rows.size(), m.summary());
        for (String row : rows) assertEquals(rows.getFirst().indexOf("(None, "), row.indexOf("(None, "), m.summary());
        assertTrue(rows.get(1).contains("a_rather_long_projection_layer_name (Dense) "), m.summary());
    }

    @Test
    void graphErrorsNameTheProblem() {
        SymbolicTensor a = Input.of(3);
        SymbolicTensor other = Input.of(3);
        SymbolicTensor out = new Dense(2).apply(other);
        var e = assertThrows(IllegalArgumentException.class, () -> new Model(a, out));
        assertTrue(e.getMessage().contains("not among the model's inputs"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Add().apply(Input.of(3), Input.of(4)));
        assertTrue(e2.getMessage().contains("one shape"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new Sequential(new Dense(2).inputShape(3), new Dense(2).inputShape(2)));
        assertTrue(e3.getMessage().contains("only the first layer"), e3.getMessage());
    }

    @Test
    void wrongInputShapeNamesTheModelTheFirstLayerAndBothShapes() {
        Sequential m = SeedModels.cnnMnist();
        m.compile(new SGD(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        var e = assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.zeros(4, 784)));
        assertTrue(e.getMessage().contains("conv2d"), e.getMessage());
        assertTrue(e.getMessage().contains("[batch, 28, 28, 1]"), e.getMessage());
        assertTrue(e.getMessage().contains("[4, 784]"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> m.fit(Tensor.zeros(4, 28, 28, 3), Tensor.zeros(4), FitOptions.epochs(1).verbose(0)));
        assertTrue(f.getMessage().contains("[4, 28, 28, 3]"), f.getMessage());
    }

    @Test
    void layerShapeErrorNamesTheLayerAtConstruction() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Sequential(new Flatten().inputShape(4, 4), new Dense(3), new dev.myelin.nn.layers.Conv2D(2, 3)));
        assertTrue(e.getMessage().contains("conv2d"), e.getMessage());
    }

    @Test
    void frozenLayersKeepTheirWeights() {
        Dense frozen = new Dense(8, Activation.RELU);
        Dense head = new Dense(1);
        Sequential m = new Sequential(frozen.inputShape(4), head);
        m.seed(11);
        frozen.trainable(false);
        assertEquals(2, m.trainableWeights().size());
        assertEquals(2, m.nonTrainableWeights().size());
        float[] k0 = frozen.kernel().value().toFloatArray(), h0 = head.kernel().value().toFloatArray();
        m.compile(new SGD(0.05), Loss.MSE);
        Tensor x = Tensor.uniform(rng(4), -1, 1, 64, 4);
        m.fit(x, x.sum(new int[] {1}, true), FitOptions.epochs(2).verbose(0).seed(2));
        assertAllClose(k0, frozen.kernel().value().toFloatArray(), 0, 0);
        assertNotEquals(h0[0], head.kernel().value().toFloatArray()[0]);
    }

    @Test
    void weightValuesRoundTrip() {
        Sequential m = SeedModels.mlp().seed(1);
        var saved = m.weightValues();
        Parameter k = m.weights().get(0);
        try (var g = NoGrad.scope()) {
            k.value().fill(0);
        }
        m.setWeightValues(saved);
        assertAllClose(saved.get(k.name()).toFloatArray(), k.value().toFloatArray(), 0, 0);
    }
}
