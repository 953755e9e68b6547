package dev.myelin.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.myelin.backend.cpu.Parallel;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The fused kernel's outputs and gradients are bit-identical with 1 and 3 kernel threads (batch 64, enough to split work). */
class FusedDeterminismTest {
    private static List<float[]> run(int threads) {
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            LSTM lstm = new LSTM(40).returnSequences(true);
            lstm.build(Shape.of(12, 24), RandomGeneratorFactory.of("L64X128MixRandom").create(7));
            Tensor x = Tensor.rand(RandomGeneratorFactory.of("L64X128MixRandom").create(7), 64, 12, 24).requiresGrad(true);
            Tensor y = lstm.call(x, true);
            y.mul(y).sum().backward();
            List<float[]> out = new ArrayList<>(List.of(y.toFloatArray(), x.grad().toFloatArray()));
            for (var p : lstm.weights()) out.add(p.grad().toFloatArray());
            return out;
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void sameBitsForAnyThreadCount() {
        List<float[]> one = run(1), three = run(3);
        for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), three.get(i), "tensor " + i);
    }
}
