package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.data.FiniteValues;
import dev.myelin.losses.Loss;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input, family "non-finite values": fit refuses NaN and ±∞ in inputs, targets and validation data
 * before the first step, naming which tensor, which sample and which index; predict warns once.
 */
class NonFiniteDataTest {
    private static Sequential model() {
        Sequential m = new Sequential(new Dense(1).inputShape(3));
        m.seed(1);
        m.compile(new SGD(0.1), Loss.MSE);
        return m;
    }

    private static Tensor with(int rows, int cols, int at, double value) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.01f;
        data[at] = (float) value;
        return Tensor.of(data, rows, cols);
    }

    @ParameterizedTest(name = "{0} at flat {1} = {2}")
    @CsvSource({
        "x, 0, NaN, 'NaN at sample 0 (index [0, 0])'",
        "x, 14, NaN, 'NaN at sample 4 (index [4, 2])'",
        "x, 29, Infinity, '+Infinity at sample 9 (index [9, 2])'",
        "x, 7, -Infinity, '-Infinity at sample 2 (index [2, 1])'",
        "y, 0, NaN, 'NaN at sample 0 (index [0, 0])'",
        "y, 5, Infinity, '+Infinity at sample 5 (index [5, 0])'",
        "y, 9, -Infinity, '-Infinity at sample 9 (index [9, 0])'"})
    void fitRefusesNonFiniteDataNamingThePosition(String which, int at, double value, String where) {
        Sequential m = model();
        float[] before = m.weights().get(0).value().toFloatArray();
        Tensor x = which.equals("x") ? with(10, 3, at, value) : with(10, 3, 0, 0);
        Tensor y = which.equals("y") ? with(10, 1, at, value) : with(10, 1, 0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(x, y, FitOptions.epochs(1).verbose(0)));
        assertEquals("fit: " + which + " has " + where + "; remove or replace non-finite values before training", e.getMessage());
        assertEquals(before[0], m.weights().get(0).value().toFloatArray()[0], "no step was taken");
    }

    @Test
    void severalInputsNameWhichOne() {
        Tensor good = with(4, 3, 0, 0), bad = with(4, 3, 5, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FiniteValues.requireFinite("fit", "x", List.of(good, bad)));
        assertEquals("fit: x 1 has NaN at sample 1 (index [1, 2]); remove or replace non-finite values before training", e.getMessage());
    }

    @Test
    void validationDataAreCheckedToo() {
        Sequential m = model();
        FitOptions options = FitOptions.epochs(1).verbose(0).validationData(with(4, 3, 0, 0), with(4, 1, 3, Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(with(10, 3, 0, 0), with(10, 1, 0, 0), options));
        assertTrue(e.getMessage().startsWith("validation data: y has NaN at sample 3"), e.getMessage());
    }

    @Test
    void fitFromADataLoaderIsCheckedOnceBeforeTraining() {
        Sequential m = model();
        var fromDataset = dev.myelin.data.DataLoader.of(dev.myelin.data.Dataset.of(with(10, 3, 7, Double.POSITIVE_INFINITY), with(10, 1, 0, 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(fromDataset, FitOptions.epochs(1).verbose(0)));
        assertTrue(e.getMessage().startsWith("fit: x has +Infinity at sample 2 (index [2, 1])"), e.getMessage());
        var badTargets = dev.myelin.data.DataLoader.of(dev.myelin.data.Dataset.of(with(10, 3, 0, 0), with(10, 1, 9, Double.NaN)));
        IllegalArgumentException ey = assertThrows(IllegalArgumentException.class, () -> m.fit(badTargets, FitOptions.epochs(1).verbose(0)));
        assertTrue(ey.getMessage().startsWith("fit: y has NaN at sample 9"), ey.getMessage());
        var fromTensors = dev.myelin.data.DataLoader.of(List.of(with(10, 3, 4, Double.NaN)), List.of(with(10, 1, 0, 0)));
        IllegalArgumentException et = assertThrows(IllegalArgumentException.class, () -> m.fit(fromTensors, FitOptions.epochs(1).verbose(0)));
        assertTrue(et.getMessage().startsWith("fit: x has NaN at sample 1 (index [1, 1])"), et.getMessage());
    }

    @Test
    void float64AndLargeFiniteValues() {
        Tensor d = Tensor.of(new double[] {1, 2, Double.NaN, 4}, 2, 2);
        assertEquals(DType.FLOAT64, d.dtype());
        assertEquals("NaN at sample 1 (index [1, 0])", FiniteValues.firstNonFinite(d));
        // finite values whose sum overflows float32 are fine: the scan has the last word
        Tensor big = Tensor.full(DType.FLOAT32, dev.myelin.tensor.Shape.of(4, 2), 3e38);
        assertNull(FiniteValues.firstNonFinite(big));
        assertNull(FiniteValues.firstNonFinite(Tensor.zeros(0, 3)));
    }

    @Test
    void predictWarnsOnceOnStandardError() {
        Sequential m = model();
        PrintStream old = System.err;
        var bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            m.predict(with(5, 3, 4, Double.NaN));
            m.predict(with(5, 3, 4, Double.NaN));
        } finally {
            System.setErr(old);
        }
        String err = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("model '" + m.name() + "' predict: the input has NaN at sample 1 (index [1, 1])"), err);
    }
}
