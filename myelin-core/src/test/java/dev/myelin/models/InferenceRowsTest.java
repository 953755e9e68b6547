package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.Trainer;
import dev.myelin.zoo.SeedModels;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** predict and evaluate run a large batch through the model in chunks ({@link Model#inferenceRows}) and get what one pass gets. */
class InferenceRowsTest {
    @AfterEach
    void defaultLimit() {
        System.clearProperty("myelin.inference.rows");
    }

    private static <T> T withRows(int rows, Supplier<T> run) {
        System.setProperty("myelin.inference.rows", Integer.toString(rows));
        try {
            return run.get();
        } finally {
            System.clearProperty("myelin.inference.rows");
        }
    }

    private static Tensor uniform(long seed, int... shape) {
        return Tensor.uniform(RandomGeneratorFactory.of("L64X128MixRandom").create(seed), 0, 1, shape);
    }

    @Test
    void limitIsTheSmallerOfTheBatchAndTheProperty() {
        assertEquals(128, Model.inferenceRows(1000));
        assertEquals(32, Model.inferenceRows(32));
        assertEquals(1000, withRows(0, () -> Model.inferenceRows(1000)));
        assertEquals(7, withRows(7, () -> Model.inferenceRows(1000)));
    }

    @Test
    void cnnPredictionsAndEvaluationAreTheSameInChunks() {
        Sequential cnn = SeedModels.cnnMnist().seed(3);
        cnn.compile(new SGD(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        Tensor x = uniform(5, 300, 28, 28, 1).mul(300); // confident predictions: below the clip of the probability form, only the logit form gives this loss
        float[] labels = new float[300];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor y = Tensor.of(labels, 300);

        float[] whole = withRows(0, () -> cnn.predict(x, 300)).toFloatArray();
        float[] chunked = withRows(64, () -> cnn.predict(x, 300)).toFloatArray();
        assertArrayEquals(whole, chunked, "each sample's prediction does not depend on the chunk it ran in");
        assertNull(withRows(64, () -> cnn.predict(x, 300)).softmaxLogits(), "predict's joined result holds no second copy of the logits");

        Map<String, Double> one = withRows(0, () -> cnn.evaluate(x, y, 300)).values();
        Map<String, Double> five = withRows(64, () -> cnn.evaluate(x, y, 300)).values();
        assertEquals(one, five, "the chunks' softmax outputs are joined with their logits: the same sparse cross-entropy");
    }

    @Test
    void twoOutputModelJoinsEachOutputAndItsLogits() {
        SymbolicTensor in = Input.of(6);
        SymbolicTensor hidden = new Dense(8, Activation.RELU).apply(in);
        Model m = new Model(List.of(in), List.of(new Dense(3, Activation.SOFTMAX).apply(hidden), new Dense(2, Activation.SIGMOID).apply(hidden)));
        m.seed(9);
        m.compile(new SGD(0.1), Loss.BINARY_CROSSENTROPY, Metric.ACCURACY);
        Tensor x = uniform(1, 50, 6).mul(300); // saturated sigmoids: the probability form would clip them
        List<Tensor> ys = List.of(uniform(2, 50, 3).gt(0.5), uniform(4, 50, 2).gt(0.5));
        Evaluation one = withRows(0, () -> Trainer.evaluate(m, List.of(x), ys, 50));
        Evaluation chunked = withRows(16, () -> Trainer.evaluate(m, List.of(x), ys, 50));
        assertEquals(one.values(), chunked.values());
    }

    @Test
    void concatKeepsTheLogitsOfSoftmaxAndSigmoidParts() {
        try (var g = NoGrad.scope()) {
            Tensor a = uniform(1, 2, 4), b = uniform(2, 3, 4);
            Tensor joined = Tensor.concat(List.of(a.softmax(-1), b.softmax(-1)), 0);
            assertNotNull(joined.softmaxLogits());
            assertArrayEquals(Tensor.concat(List.of(a, b), 0).toFloatArray(), joined.softmaxLogits().toFloatArray());
            assertNull(Tensor.concat(List.of(a.softmax(-1), a.softmax(-1)), 1).softmaxLogits(), "joined along the softmax's own axis: not a softmax of the joined logits");
            assertNull(Tensor.concat(List.of(a.softmax(-1), b.sigmoid()), 0).softmaxLogits(), "mixed parts keep nothing");
            assertNull(Tensor.concat(List.of(a.softmax(-1), b), 0).softmaxLogits());
            Tensor sig = Tensor.concat(List.of(a.sigmoid(), b.sigmoid()), 0);
            assertArrayEquals(Tensor.concat(List.of(a, b), 0).toFloatArray(), sig.sigmoidLogits().toFloatArray());
        }
        Tensor w = uniform(3, 2, 4).requiresGrad(true);
        assertNull(Tensor.concat(List.of(w.softmax(-1), w.softmax(-1)), 0).softmaxLogits(), "in a graph the loss must not reach the logits a second way");
    }
}
