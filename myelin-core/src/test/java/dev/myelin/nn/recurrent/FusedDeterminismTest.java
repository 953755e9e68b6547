package dev.myelin.nn.recurrent;

import static dev.myelin.nn.recurrent.RecurrentForwardTest.rand2;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.rand3;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.t;
import static dev.myelin.nn.recurrent.RecurrentForwardTest.t3;
import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.backend.DType;
import dev.myelin.backend.cpu.Parallel;
import dev.myelin.nn.recurrent.KerasReference.Cell;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused kernel's outputs and gradients are bit-identical with 1, 2 and 3 kernel threads. With more than one
 * thread it runs the steps in parts of the batch rows, one part per thread, so these batches are large enough to
 * split, and odd (70 rows: parts of 32 and 38 rows) with masks, initial states and both dropouts on.
 */
class FusedDeterminismTest {
    private static <T> T withThreads(int threads, java.util.function.Supplier<T> body) {
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            return body.get();
        } finally {
            Parallel.setThreads(previous);
        }
    }

    private static List<float[]> lstm64(int threads) {
        return withThreads(threads, () -> {
            LSTM lstm = new LSTM(40).returnSequences(true);
            lstm.build(Shape.of(12, 24), RandomGeneratorFactory.of("L64X128MixRandom").create(7));
            Tensor x = Tensor.rand(RandomGeneratorFactory.of("L64X128MixRandom").create(7), 64, 12, 24).requiresGrad(true);
            Tensor y = lstm.call(x, true);
            y.mul(y).sum().backward();
            List<float[]> out = new ArrayList<>(List.of(y.toFloatArray(), x.grad().toFloatArray()));
            for (var p : lstm.weights()) out.add(p.grad().toFloatArray());
            return out;
        });
    }

    @Test
    void sameBitsForAnyThreadCount() {
        List<float[]> one = lstm64(1), three = lstm64(3);
        for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), three.get(i), "tensor " + i);
    }

    /**
     * Every option of the fused path on an odd batch: outputs, final states and the gradients of the input, the
     * weights and the initial states. {@code units} 160 makes LSTM's four gates 640 wide, more than SGEMM's K step,
     * for the per-step product with Uᵀ in backward.
     */
    private static List<float[]> everyOption(Cell cell, int units, boolean fused, int threads) {
        return withThreads(threads, () -> {
            int batch = 70, steps = 6, features = 5;
            RecurrentLayer base = switch (cell) {
                case SIMPLE -> new SimpleRNN(units);
                case LSTM -> new LSTM(units);
                default -> new GRU(units);
            };
            RecurrentLayer layer = base.returnSequences(true).goBackwards(cell == Cell.GRU).dropout(0.2).recurrentDropout(0.3)
                    .fused(fused).seed(5);
            layer.build(Shape.of(steps, features), RandomGeneratorFactory.of("L64X128MixRandom").create(3));
            SplittableRandom rng = new SplittableRandom(17);
            int u = layer.recurrentKernel().value().dim(0);
            double[][] mask = new double[batch][steps];
            for (double[] row : mask) for (int s = 0; s < steps; s++) row[s] = rng.nextDouble() < 0.25 ? 0 : 1;
            Tensor x = t3(rand3(rng, batch, steps, features, 1), DType.FLOAT32).requiresGrad(true);
            List<Tensor> init = new ArrayList<>();
            for (int k = 0; k < layer.stateCount(); k++) init.add(t(rand2(rng, batch, u, 1), DType.FLOAT32).requiresGrad(true));
            RecurrentOutput out = layer.callWithState(x, t(mask, DType.FLOAT32), init, true);
            Tensor wOut = t3(rand3(new SplittableRandom(11), batch, steps, u, 1), DType.FLOAT32);
            Tensor loss = out.output().mul(wOut).sum();
            for (Tensor s : out.states()) loss = loss.add(s.mul(s).sum());
            loss.backward();
            List<float[]> all = new ArrayList<>(List.of(out.output().toFloatArray()));
            for (Tensor s : out.states()) all.add(s.toFloatArray());
            all.add(x.grad().toFloatArray());
            for (var p : layer.weights()) all.add(p.grad().toFloatArray());
            for (Tensor s : init) all.add(s.grad().toFloatArray());
            return all;
        });
    }

    @ParameterizedTest
    @EnumSource(value = Cell.class, names = {"SIMPLE", "LSTM", "GRU"})
    void oddBatchInPartsHasTheSameBitsAsOneThread(Cell cell) {
        List<float[]> one = everyOption(cell, 7, true, 1);
        for (int threads : new int[] {2, 3}) {
            List<float[]> many = everyOption(cell, 7, true, threads);
            assertEquals(one.size(), many.size());
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), many.get(i), cell + " tensor " + i + ", " + threads + " threads");
        }
    }

    @Test
    void wideLstmInPartsHasTheSameBitsAsOneThread() {
        List<float[]> one = everyOption(Cell.LSTM, 160, true, 1), three = everyOption(Cell.LSTM, 160, true, 3);
        for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), three.get(i), "tensor " + i);
    }

    /** The parts together compute what the composed tensor path computes (itself checked by finite differences). */
    @ParameterizedTest
    @EnumSource(value = Cell.class, names = {"SIMPLE", "LSTM", "GRU"})
    void partsMatchTheComposedPath(Cell cell) {
        List<float[]> fused = everyOption(cell, 7, true, 3), composed = everyOption(cell, 7, false, 1);
        assertEquals(fused.size(), composed.size());
        for (int i = 0; i < fused.size(); i++) {
            assertAllClose(fused.get(i), composed.get(i), 1e-4, 1e-5);
        }
    }
}
