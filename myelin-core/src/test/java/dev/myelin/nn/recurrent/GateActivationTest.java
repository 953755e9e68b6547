package dev.myelin.nn.recurrent;

import static dev.myelin.nn.recurrent.RecurrentForwardTest.rand2;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.rand3;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.t;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.t3;
import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.recurrent.KerasReference.Cell;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LSTM and GRU with another {@code recurrent_activation} than sigmoid (Keras 3's and Keras 1/2's hard
 * sigmoid): forward against {@link KerasReference} in float64 and float32 (where the composed path runs,
 * since the fused kernel computes sigmoid gates only), float64 gradients by finite differences through the
 * layer harness, and a model file round trip that keeps the Keras name.
 */
class GateActivationTest {
    static final int BATCH = 3, STEPS = 5, FEATURES = 4, UNITS = 3;

    private static DoubleUnaryOperator reference(Activation a) {
        return switch (a) {
            case HARD_SIGMOID -> v -> Math.min(Math.max(v / 6 + 0.5, 0), 1);
            case LEGACY_HARD_SIGMOID -> v -> Math.min(Math.max(0.2 * v + 0.5, 0), 1);
            default -> throw new AssertionError(a);
        };
    }

    private static RecurrentLayer<?> layer(Cell cell, Activation gates) {
        return cell == Cell.LSTM ? new LSTM(UNITS).recurrentActivation(gates) : new GRU(UNITS).recurrentActivation(gates);
    }

    @Test
    void forwardMatchesKerasEquationsWithHardSigmoidGates() {
        for (Cell cell : new Cell[] {Cell.LSTM, Cell.GRU}) {
            for (Activation gates : new Activation[] {Activation.HARD_SIGMOID, Activation.LEGACY_HARD_SIGMOID}) {
                for (boolean masked : new boolean[] {false, true}) {
                    SplittableRandom rng = new SplittableRandom(cell.ordinal() * 17 + gates.ordinal() + (masked ? 5 : 0));
                    int g = (cell == Cell.LSTM ? 4 : 3) * UNITS;
                    // scales that drive some gates past the linear part (|z| > 3) and keep others inside
                    double[][][] x = rand3(rng, BATCH, STEPS, FEATURES, 2.0);
                    double[][] w = rand2(rng, FEATURES, g, 1.2);
                    double[][] u = rand2(rng, UNITS, g, 0.8);
                    double[] bias = rand2(rng, 1, cell == Cell.GRU ? 2 * g : g, 0.5)[0];
                    double[][] mask = masked ? RecurrentGradientTest.MASK : null;
                    KerasReference.Result ref = KerasReference.run(cell, x, w, u, bias, null, null, mask, false, reference(gates));
                    for (DType type : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                        RecurrentLayer<?> layer = layer(cell, gates).returnSequences(true);
                        layer.dtype(type);
                        layer.build(Shape.of(STEPS, FEATURES), RandomGenerator.of("L64X128MixRandom"));
                        try (var ng = NoGrad.scope()) {
                            layer.kernel().value().assign(t(w, type));
                            layer.recurrentKernel().value().assign(t(u, type));
                            layer.bias().value().assign(Tensor.of(bias).reshape(layer.bias().value().shape().toArray()).to(type));
                        }
                        Tensor out = layer.callWithState(t3(x, type), mask == null ? null : t(mask, type), null, false).output();
                        String what = cell + " " + gates + " " + type + (masked ? " masked" : "");
                        double rtol = type == DType.FLOAT64 ? 1e-10 : 1e-4, atol = type == DType.FLOAT64 ? 1e-12 : 2e-6;
                        assertEquals(Shape.of(BATCH, STEPS, UNITS), out.shape(), what);
                        assertAllClose(out, t3(ref.outputs(), DType.FLOAT64), rtol, atol);
                    }
                }
            }
        }
    }

    @Test
    void float32WithHardSigmoidGatesRunsComposedWhetherOrNotFusedIsAsked() {
        Tensor x = t3(rand3(new SplittableRandom(3), 2, 6, FEATURES, 2.0), DType.FLOAT32);
        for (Cell cell : new Cell[] {Cell.LSTM, Cell.GRU}) {
            RecurrentLayer<?> auto = layer(cell, Activation.LEGACY_HARD_SIGMOID).returnSequences(true);
            RecurrentLayer<?> fusedAsked = layer(cell, Activation.LEGACY_HARD_SIGMOID).returnSequences(true).fused(true);
            RecurrentLayer<?> composed = layer(cell, Activation.LEGACY_HARD_SIGMOID).returnSequences(true).fused(false);
            for (RecurrentLayer<?> l : new RecurrentLayer<?>[] {auto, fusedAsked, composed}) l.build(Shape.of(6, FEATURES), RandomGenerator.of("L64X128MixRandom"));
            try (var ng = NoGrad.scope()) {
                for (RecurrentLayer<?> l : new RecurrentLayer<?>[] {fusedAsked, composed}) {
                    for (int k = 0; k < 3; k++) l.weights().get(k).value().assign(auto.weights().get(k).value());
                }
            }
            float[] expected = composed.call(x, false).toFloatArray();
            assertArrayEquals(expected, auto.call(x, false).toFloatArray(), cell + " auto");
            assertArrayEquals(expected, fusedAsked.call(x, false).toFloatArray(), cell + " fused(true)");
        }
    }

    @Test
    void harnessChecksGradientsAndConfig() {
        for (Activation gates : new Activation[] {Activation.HARD_SIGMOID, Activation.LEGACY_HARD_SIGMOID}) {
            LayerTestHarness.of(() -> new LSTM(3).recurrentActivation(gates).returnSequences(true)).inputShape(4, 2)
                    .expectOutputShape(4, 3).expectWeights(3, 0).expectParams(4 * 3 * (2 + 3 + 1)).run();
            LayerTestHarness.of(() -> new GRU(3).recurrentActivation(gates)).inputShape(4, 2)
                    .expectOutputShape(3).expectWeights(3, 0).expectParams(3 * 3 * (2 + 3 + 2)).run();
            LayerTestHarness.of(() -> new Bidirectional(new LSTM(2).recurrentActivation(gates))).inputShape(3, 2)
                    .expectOutputShape(4).expectWeights(6, 0).run();
        }
    }

    @Test
    void modelFileRoundTripKeepsTheKerasName(@TempDir Path dir) throws Exception {
        Sequential model = new Sequential(new LSTM(4).recurrentActivation(Activation.HARD_SIGMOID).returnSequences(true).name("enc").inputShape(5, 3),
                new GRU(3).recurrentActivation(Activation.LEGACY_HARD_SIGMOID).name("dec"), new Dense(2, Activation.HARD_SIGMOID));
        String json = model.toJson();
        assertTrue(json.contains("\"recurrent_activation\": \"hard_sigmoid\""), json);
        assertTrue(json.contains("\"recurrent_activation\": \"legacy_hard_sigmoid\""), json);
        Tensor x = t3(rand3(new SplittableRandom(9), 2, 5, 3, 2.0), DType.FLOAT32);
        Path file = dir.resolve("gates.myelin");
        model.save(file);
        Model again = Model.load(file);
        assertEquals(Activation.HARD_SIGMOID, ((LSTM) again.layer("enc")).recurrentActivation());
        assertEquals(Activation.LEGACY_HARD_SIGMOID, ((GRU) again.layer("dec")).recurrentActivation());
        assertArrayEquals(model.predict(x).toFloatArray(), again.predict(x).toFloatArray());
    }
}
