package dev.myelin.nn.recurrent;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.autograd.NoGrad;
import dev.myelin.nn.recurrent.KerasReference.Cell;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * Forward outputs of SimpleRNN, LSTM and GRU (both reset_after settings) against {@link KerasReference} for hand-set weights, on
 * both paths (float64: composed tensor operations; float32: the fused kernel), with and without
 * goBackwards, a mask and initial states; returnSequences and the last output; the final states.
 */
class RecurrentForwardTest {
    static final int BATCH = 3, STEPS = 5, FEATURES = 4, UNITS = 3;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (Cell cell : Cell.values()) {
            for (DType type : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                s.add(Arguments.of(cell, type, false, false, false));
                s.add(Arguments.of(cell, type, true, false, false));
                s.add(Arguments.of(cell, type, false, true, false));
                s.add(Arguments.of(cell, type, false, false, true));
                s.add(Arguments.of(cell, type, true, true, true));
            }
        }
        return s.build();
    }

    @ParameterizedTest(name = "{0} {1} backwards={2} mask={3} init={4}")
    @MethodSource("cases")
    void matchesKerasEquations(Cell cell, DType type, boolean backwards, boolean masked, boolean init) {
        SplittableRandom rng = new SplittableRandom(cell.ordinal() * 31 + (masked ? 7 : 0) + (init ? 3 : 0));
        int g = gates(cell) * UNITS;
        double[][][] x = rand3(rng, BATCH, STEPS, FEATURES, 1.0);
        double[][] w = rand2(rng, FEATURES, g, 0.6);
        double[][] u = rand2(rng, UNITS, g, 0.6);
        double[] bias = rand2(rng, 1, cell == Cell.GRU ? 2 * g : g, 0.5)[0];
        double[][] h0 = init ? rand2(rng, BATCH, UNITS, 0.8) : null;
        double[][] c0 = init && cell == Cell.LSTM ? rand2(rng, BATCH, UNITS, 0.8) : null;
        // leading, inner and trailing padding; one row fully computed
        double[][] mask = masked ? new double[][] {{0, 1, 1, 0, 1}, {1, 1, 1, 1, 1}, {1, 0, 1, 1, 0}} : null;

        KerasReference.Result ref = KerasReference.run(cell, x, w, u, bias, h0, c0, mask, backwards);
        for (boolean sequences : new boolean[] {true, false}) {
            RecurrentLayer layer = layer(cell).returnSequences(sequences).goBackwards(backwards);
            layer.dtype(type);
            layer.build(Shape.of(STEPS, FEATURES), RandomGenerator.of("L64X128MixRandom"));
            try (var ng = NoGrad.scope()) {
                layer.kernel().value().assign(t(w, type));
                layer.recurrentKernel().value().assign(t(u, type));
                layer.bias().value().assign(Tensor.of(bias).reshape(layer.bias().value().shape().toArray()).to(type));
            }
            List<Tensor> initial = null;
            if (init) initial = cell == Cell.LSTM ? List.of(t(h0, type), t(c0, type)) : List.of(t(h0, type));
            RecurrentOutput out = layer.callWithState(t3(x, type), mask == null ? null : t(mask, type), initial, false);
            double rtol = type == DType.FLOAT64 ? 1e-10 : 1e-4, atol = type == DType.FLOAT64 ? 1e-12 : 2e-6;
            double[][][] expected = ref.outputs();
            if (sequences) {
                assertEquals(Shape.of(BATCH, STEPS, UNITS), out.output().shape());
                assertAllClose(out.output(), t3(expected, DType.FLOAT64), rtol, atol);
            } else {
                double[][] last = new double[BATCH][];
                for (int b = 0; b < BATCH; b++) last[b] = expected[b][STEPS - 1];
                assertEquals(Shape.of(BATCH, UNITS), out.output().shape());
                assertAllClose(out.output(), t(last, DType.FLOAT64), rtol, atol);
            }
            assertEquals(ref.states().length, out.states().size());
            for (int k = 0; k < ref.states().length; k++) assertAllClose(out.states().get(k), t(ref.states()[k], DType.FLOAT64), rtol, atol);
        }
    }

    static int gates(Cell cell) {
        return switch (cell) {
            case SIMPLE -> 1;
            case LSTM -> 4;
            case GRU, GRU_RESET_BEFORE -> 3;
        };
    }

    static RecurrentLayer layer(Cell cell) {
        return switch (cell) {
            case SIMPLE -> new SimpleRNN(UNITS);
            case LSTM -> new LSTM(UNITS);
            case GRU -> new GRU(UNITS);
            case GRU_RESET_BEFORE -> new GRU(UNITS).resetAfter(false);
        };
    }

    static double[][] rand2(SplittableRandom rng, int r, int c, double scale) {
        double[][] a = new double[r][c];
        for (double[] row : a) for (int j = 0; j < c; j++) row[j] = rng.nextDouble(-scale, scale);
        return a;
    }

    static double[][][] rand3(SplittableRandom rng, int a, int b, int c, double scale) {
        double[][][] x = new double[a][][];
        for (int i = 0; i < a; i++) x[i] = rand2(rng, b, c, scale);
        return x;
    }

    static Tensor t(double[][] a, DType type) {
        int r = a.length, c = a[0].length;
        double[] flat = new double[r * c];
        for (int i = 0; i < r; i++) System.arraycopy(a[i], 0, flat, i * c, c);
        return Tensor.of(flat, r, c).to(type);
    }

    static Tensor t3(double[][][] a, DType type) {
        int n = a.length, r = a[0].length, c = a[0][0].length;
        double[] flat = new double[n * r * c];
        for (int i = 0; i < n; i++) for (int j = 0; j < r; j++) System.arraycopy(a[i][j], 0, flat, (i * r + j) * c, c);
        return Tensor.of(flat, n, r, c).to(type);
    }
}
