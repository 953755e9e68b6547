package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.losses.Loss;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input, family "API contract": calls that used to train on the wrong thing silently or fail deep
 * inside (targets that do not match the outputs, nothing to train, mismatched sample counts, weights too
 * large to build) fail at once, naming the model, its layers and the counts or sizes involved.
 */
class ModelContractTest {
    private static final RandomGenerator RNG = RandomGeneratorFactory.of("L64X128MixRandom").create(5);

    private static Model twoOutputs() {
        SymbolicTensor in = Input.of(3);
        Layer a = new Dense(1).name("head_a");
        Layer b = new Dense(2).name("head_b");
        Model m = new Model(List.of(in), List.of(a.apply(in), b.apply(in)));
        m.seed(1);
        m.compile(new SGD(0.1), Loss.MSE);
        return m;
    }

    @Test
    void twoOutputsGivenOneTargetNamesBothCounts() {
        Model m = twoOutputs();
        Tensor x = Tensor.rand(RNG, 8, 3);
        IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
                () -> m.fit(List.of(x), List.of(Tensor.rand(RNG, 8, 1)), FitOptions.epochs(1).verbose(0)));
        assertTrue(fit.getMessage().contains("has 2 output(s) [head_a, head_b] but received 1 target(s)"), fit.getMessage());
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> m.fit(List.of(x), List.of(Tensor.rand(RNG, 8, 1), Tensor.rand(RNG, 8, 2), Tensor.rand(RNG, 8, 2)), FitOptions.epochs(1).verbose(0)));
        assertTrue(three.getMessage().contains("but received 3 target(s)"), three.getMessage());
        IllegalArgumentException evaluate = assertThrows(IllegalArgumentException.class,
                () -> Trainers.evaluate(m, List.of(x), List.of(Tensor.rand(RNG, 8, 1))));
        assertTrue(evaluate.getMessage().contains("received 1 target(s)"), evaluate.getMessage());
    }

    @Test
    void everyLayerFrozenIsAnErrorWithTheFix() {
        Dense d1 = new Dense(4, Activation.RELU);
        Dense d2 = new Dense(1);
        Sequential m = new Sequential(d1.inputShape(3), d2);
        m.seed(2);
        m.compile(new SGD(0.1), Loss.MSE);
        d1.trainable(false);
        d2.trainable(false);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.fit(Tensor.rand(RNG, 8, 3), Tensor.rand(RNG, 8, 1), FitOptions.epochs(1).verbose(0)));
        assertTrue(e.getMessage().contains("model '" + m.name() + "' has nothing to train")
                && e.getMessage().contains(d1.name()) && e.getMessage().contains(d2.name()) && e.getMessage().contains("trainable(true)"), e.getMessage());
        d2.trainable(true); // one trainable layer is enough
        m.fit(Tensor.rand(RNG, 8, 3), Tensor.rand(RNG, 8, 1), FitOptions.epochs(1).verbose(0));
    }

    @Test
    void noWeightsAtAllIsAnError() {
        Sequential m = new Sequential(new Flatten().inputShape(2, 2), new Dropout(0.5));
        m.compile(new SGD(0.1), Loss.MSE);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.fit(Tensor.rand(RNG, 8, 2, 2), Tensor.rand(RNG, 8, 4), FitOptions.epochs(1).verbose(0)));
        assertTrue(e.getMessage().contains("model '" + m.name() + "' has no weights to train") && e.getMessage().contains("Dense"), e.getMessage());
    }

    @ParameterizedTest(name = "x has 10 samples, y has {0}")
    @ValueSource(ints = {9, 11, 1, 0})
    void evaluateWithMismatchedSampleCountsNamesBoth(int ySamples) {
        Sequential m = new Sequential(new Dense(1).inputShape(3));
        m.compile(new SGD(0.1), Loss.MSE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.evaluate(Tensor.rand(RNG, 10, 3), Tensor.zeros(ySamples, 1)));
        assertTrue(e.getMessage().startsWith("evaluate: x has 10 samples but y has " + ySamples), e.getMessage());
        IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Tensor.rand(RNG, 10, 3), Tensor.zeros(ySamples, 1), FitOptions.epochs(1).verbose(0)));
        assertTrue(fit.getMessage().startsWith("fit: x has 10 samples but y has " + ySamples), fit.getMessage());
    }

    /** Units beyond any array: the weight shape overflows; the error names the model, the layer and the shape. */
    @ParameterizedTest(name = "Dense({0}) on 784 inputs")
    @ValueSource(ints = {100_000_000, 2_000_000_000, Integer.MAX_VALUE})
    void weightsBeyondAnArrayNameModelAndLayer(int units) {
        Dense dense = new Dense(units);
        Sequential m = new Sequential(dense.inputShape(784));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::build);
        assertTrue(e.getMessage().startsWith("model '" + m.name() + "': layer '" + dense.name() + "' (Dense): ")
                && e.getMessage().contains("[784, " + units + "]"), e.getMessage());
    }

    /** Dense(2700000) on 784 inputs fits an array but not the heap: "needs 8.5 GB", before anything is allocated. */
    @Test
    void weightsBeyondTheHeapSayHowMuchTheyNeed() {
        assumeTrue(Runtime.getRuntime().maxMemory() < 8_000_000_000L, "the test heap could hold 8.5 GB");
        Dense dense = new Dense(2_700_000);
        Sequential m = new Sequential(dense.inputShape(784));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::build);
        assertTrue(e.getMessage().startsWith("model '" + m.name() + "': layer '" + dense.name() + "' (Dense): weight 'kernel' [784, 2700000] needs 8.5 GB"),
                e.getMessage());
        assertEquals(false, m.isBuilt());
    }

    /** Model.evaluate only takes one target; the list form is Trainer's. */
    private static final class Trainers {
        static void evaluate(Model m, List<Tensor> xs, List<Tensor> ys) {
            dev.myelin.train.Trainer.evaluate(m, xs, ys, 4);
        }
    }
}
