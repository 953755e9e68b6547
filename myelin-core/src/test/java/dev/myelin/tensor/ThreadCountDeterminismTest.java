package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.cpu.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/**
 * A few training steps of a small CNN give bit-identical weights with 1 and with 2 kernel threads, and
 * the same seed gives the same run. Sizes are large enough that the kernels take their parallel paths.
 */
class ThreadCountDeterminismTest {

    private static List<float[]> train(int threads, long seed) {
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
            Tensor x = Tensor.rand(rng, 16, 20, 20, 3);
            Tensor y = Tensor.oneHot(labels(rng), 10);
            List<Tensor> params = new ArrayList<>(List.of(
                    Tensor.normal(rng, 0, 0.2, 3, 3, 3, 16).requiresGrad(true),
                    Tensor.zeros(16).requiresGrad(true),
                    Tensor.normal(rng, 0, 0.02, 9 * 9 * 16, 64).requiresGrad(true),
                    Tensor.zeros(64).requiresGrad(true),
                    Tensor.normal(rng, 0, 0.1, 64, 10).requiresGrad(true)));
            for (int step = 0; step < 3; step++) {
                Tensor h = x.conv2d(params.get(0), ConvOptions.defaults()).add(params.get(1)).relu()
                        .maxPool2d(PoolOptions.of(2)).flatten();
                Tensor logits = h.matmul(params.get(2)).add(params.get(3)).tanh().matmul(params.get(4));
                Tensor loss = logits.logSoftmax(-1).mul(y).sum(1).mean().neg().add(params.get(2).square().sum().mul(1e-4));
                loss.backward();
                try (var s = NoGrad.scope()) {
                    for (Tensor p : params) {
                        p.subInPlace(p.grad().mul(0.1));
                        p.zeroGrad();
                    }
                }
            }
            return params.stream().map(Tensor::toFloatArray).toList();
        } finally {
            Parallel.setThreads(previous);
        }
    }

    private static Tensor labels(RandomGenerator rng) {
        float[] v = new float[16];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(10);
        return Tensor.of(v, 16);
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalWeights() {
        List<float[]> one = train(1, 5);
        List<float[]> two = train(2, 5);
        for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), "parameter " + i);
    }

    @Test
    void sameSeedSameRun() {
        List<float[]> a = train(2, 9);
        List<float[]> b = train(2, 9);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
    }
}
