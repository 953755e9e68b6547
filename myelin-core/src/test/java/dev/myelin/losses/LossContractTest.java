package dev.myelin.losses;

import static dev.myelin.losses.LossValuesTest.t;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Names, constants, Loss.of, and error messages that say what was expected and what was received. */
class LossContractTest {

    private static void assertMessage(Executable e, String... parts) {
        RuntimeException ex = assertThrows(RuntimeException.class, e);
        for (String p : parts) assertTrue(ex.getMessage().contains(p), "message '" + ex.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void constantsAndNames() {
        assertEquals("mean_squared_error", Loss.MSE.name());
        assertEquals("mean_absolute_error", Loss.MAE.name());
        assertEquals("huber_loss", Loss.HUBER.name());
        assertEquals(new Huber(1.0), Loss.HUBER);
        assertEquals("binary_crossentropy", Loss.BINARY_CROSSENTROPY.name());
        assertEquals("categorical_crossentropy", Loss.CATEGORICAL_CROSSENTROPY.name());
        assertEquals("sparse_categorical_crossentropy", Loss.SPARSE_CATEGORICAL_CROSSENTROPY.name());
        assertFalse(((BinaryCrossentropy) Loss.BINARY_CROSSENTROPY).fromLogits(), "Keras default: probabilities");
        assertEquals(0.0, ((CategoricalCrossentropy) Loss.CATEGORICAL_CROSSENTROPY).labelSmoothing());
    }

    @Test
    void ofAcceptsKerasNamesAndAliases() {
        assertSame(Loss.MSE, Loss.of("mse"));
        assertSame(Loss.MSE, Loss.of("mean_squared_error"));
        assertSame(Loss.MSE, Loss.of("MeanSquaredError"));
        assertSame(Loss.MAE, Loss.of("MAE"));
        assertSame(Loss.MAE, Loss.of("mean_absolute_error"));
        assertSame(Loss.HUBER, Loss.of("huber"));
        assertSame(Loss.HUBER, Loss.of("huber_loss"));
        assertSame(Loss.BINARY_CROSSENTROPY, Loss.of("binary_crossentropy"));
        assertSame(Loss.BINARY_CROSSENTROPY, Loss.of("bce"));
        assertSame(Loss.CATEGORICAL_CROSSENTROPY, Loss.of("categorical_crossentropy"));
        assertSame(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Loss.of(" sparse_categorical_crossentropy "));
        for (Loss l : new Loss[] {Loss.MSE, Loss.MAE, Loss.HUBER, Loss.BINARY_CROSSENTROPY, Loss.CATEGORICAL_CROSSENTROPY,
                Loss.SPARSE_CATEGORICAL_CROSSENTROPY}) {
            assertEquals(l, Loss.of(l.name()), "round trip of " + l.name());
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertMessage(() -> Loss.of("crossentropy"), "'crossentropy'", "mse", "sparse_categorical_crossentropy", "huber");
        assertMessage(() -> Loss.of(null), "null", "mean_squared_error");
    }

    @Test
    void labelOutOfRangeNamesValuePositionAndClassCount() {
        Tensor logits = Tensor.zeros(3, 4);
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(new double[] {0, 4, 1}, 3), logits),
                "sparse_categorical_crossentropy", "label 4", "position [1]", "4 classes", "[0, 4)");
        assertMessage(() -> new SparseCategoricalCrossentropy(true).compute(t(new double[] {-1, 0, 1}, 3), logits),
                "label -1", "position [0]");
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(new double[] {0, 1, 2, 3, 1, 7}, 2, 3), Tensor.zeros(2, 3, 5)),
                "label 7", "position [1, 2]", "5 classes");
    }

    @Test
    void nonIntegerLabel() {
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(new double[] {0, 1.5, 1}, 3), Tensor.zeros(3, 4)),
                "sparse_categorical_crossentropy", "label 1.5", "position [1]", "not an integer");
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(t(new double[] {Double.NaN}, 1), Tensor.zeros(1, 4)),
                "label NaN", "not an integer");
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        assertMessage(() -> Loss.MSE.compute(Tensor.zeros(4, 3), Tensor.zeros(4, 2)), "mean_squared_error", "[4, 3]", "[4, 2]");
        assertMessage(() -> Loss.MAE.compute(Tensor.zeros(4), Tensor.zeros(4, 2)), "mean_absolute_error", "[4]", "[4, 2]");
        assertMessage(() -> Loss.BINARY_CROSSENTROPY.compute(Tensor.zeros(3, 1), Tensor.zeros(4, 1)), "binary_crossentropy", "[3, 1]", "[4, 1]");
        assertMessage(() -> Loss.CATEGORICAL_CROSSENTROPY.compute(Tensor.zeros(8), Tensor.zeros(8, 10)),
                "categorical_crossentropy", "[8]", "[8, 10]", "use sparse_categorical_crossentropy");
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(Tensor.zeros(8, 10), Tensor.zeros(8, 10)),
                "sparse_categorical_crossentropy", "[8, 10]", "[8]", "use categorical_crossentropy");
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(Tensor.zeros(7), Tensor.zeros(8, 10)), "[7]", "[8, 10]");
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(Tensor.zeros(8), Tensor.zeros(8)), "[8]", "[batch, classes]");
    }

    @Test
    void emptyBatch() {
        assertMessage(() -> Loss.MSE.compute(Tensor.zeros(0, 3), Tensor.zeros(0, 3)), "mean_squared_error", "empty batch", "[0, 3]");
        assertMessage(() -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(Tensor.zeros(0), Tensor.zeros(0, 3)), "sparse_categorical_crossentropy", "empty batch");
        assertMessage(() -> Loss.CATEGORICAL_CROSSENTROPY.compute(Tensor.zeros(0, 3), Tensor.zeros(0, 3)), "empty batch");
        assertMessage(() -> Loss.MSE.compute(Tensor.scalar(1), Tensor.scalar(1)), "scalar");
    }

    @Test
    void badSettings() {
        assertMessage(() -> new CategoricalCrossentropy(false, 1.5), "labelSmoothing", "1.5");
        assertMessage(() -> new BinaryCrossentropy(false, -0.1), "labelSmoothing", "-0.1");
        assertMessage(() -> new Huber(0), "delta", "0.0");
        assertMessage(() -> new Huber(Double.NaN), "delta", "NaN");
        assertMessage(() -> Loss.MSE.compute(null, Tensor.zeros(1)), "yTrue is null");
    }
}
