package dev.myelin.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.backend.DType;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused updates ({@code Backend.sgdUpdate}, {@code rmspropUpdate}, {@code adagradUpdate}, {@code adamUpdate})
 * against each optimizer's own tensor operations, which it takes for a weight that is not contiguous: the same
 * bits in the weight and in every slot after several steps, in float32 and float64, with 1 and 2 threads.
 */
class FusedUpdateTest {
    private static final int STEPS = 4;
    /** Odd, so that vector loops have tails, and over one parallel chunk of the CPU kernels. */
    private static final int SIZE = 40_003;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                c("SGD", () -> new SGD(0.05)),
                c("SGD momentum", () -> new SGD(0.05).momentum(0.9)),
                c("SGD nesterov", () -> new SGD(0.05).momentum(0.7).nesterov(true)),
                c("SGD momentum, weight decay, clipnorm", () -> new SGD(0.05).momentum(0.9).weightDecay(0.1).clipNorm(20)),
                c("RMSprop", () -> new RMSprop(0.01).rho(0.8).epsilon(1e-3)),
                c("RMSprop momentum", () -> new RMSprop(0.01).momentum(0.5)),
                c("RMSprop centered", () -> new RMSprop(0.01).centered(true).epsilon(1e-3)),
                c("RMSprop centered momentum, clipvalue", () -> new RMSprop(0.01).centered(true).momentum(0.5).clipValue(0.5)),
                c("Adagrad", () -> new Adagrad(0.1).initialAccumulatorValue(0.5).epsilon(1e-2)),
                c("Adagrad defaults, weight decay", () -> new Adagrad().weightDecay(0.1)),
                c("Adam", () -> new Adam(0.01)));
    }

    private static Arguments c(String name, Supplier<Optimizer> make) {
        return Arguments.of(name, make);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void fusedKernelGivesTheTensorOperationsBits(String name, Supplier<Optimizer> make) {
        for (DType type : DType.values()) {
            Run composed = run(make.get(), type, false, 1);
            assertFalse(composed.weight.value().isContiguous(), "the reference run must take the tensor operations");
            for (int threads : new int[] {1, 2}) {
                Run fused = run(make.get(), type, true, threads);
                assertTrue(fused.weight.value().isContiguous());
                String what = name + " " + type + " " + threads + " thread(s)";
                assertSameBits(what + " weight", composed.weight.value(), fused.weight.value());
                Map<String, Tensor> want = composed.optimizer.slots(composed.weight), got = fused.optimizer.slots(fused.weight);
                assertEquals(want.keySet(), got.keySet(), what + " slot names");
                for (String slot : want.keySet()) assertSameBits(what + " slot " + slot, want.get(slot), got.get(slot));
            }
        }
    }

    private record Run(Optimizer optimizer, Parameter weight) {}

    /**
     * {@value #STEPS} steps from the same start and gradients; the weight is a contiguous tensor, or every
     * other element of a tensor twice as long (not contiguous, so the optimizer cannot fuse).
     */
    private static Run run(Optimizer optimizer, DType type, boolean contiguous, int threads) {
        Backend backend = Backends.defaultBackend();
        int saved = backend.threads();
        backend.setThreads(threads);
        try {
            SplittableRandom rnd = new SplittableRandom(5);
            float[] start = random(rnd, SIZE, 1);
            Tensor w;
            if (contiguous) {
                w = Tensor.of(start, SIZE).to(type);
            } else {
                float[] spaced = new float[2 * SIZE];
                for (int i = 0; i < SIZE; i++) spaced[2 * i] = start[i];
                w = Tensor.of(spaced, 2 * SIZE).to(type).slice(0, 0, 2 * SIZE, 2);
            }
            Parameter p = Parameter.of("w", w);
            for (int step = 0; step < STEPS; step++) {
                Tensor g = Tensor.of(random(rnd, SIZE, 3), SIZE).to(type);
                optimizer.applyGradients(List.of(g), new ArrayList<>(List.of(p)));
            }
            return new Run(optimizer, p);
        } finally {
            backend.setThreads(saved);
        }
    }

    private static float[] random(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    private static void assertSameBits(String what, Tensor want, Tensor got) {
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        assertEquals(w.length, g.length, what);
        for (int i = 0; i < w.length; i++) {
            if (Double.doubleToLongBits(w[i]) != Double.doubleToLongBits(g[i])) {
                fail(what + ": element " + i + " " + w[i] + " (tensor operations) vs " + g[i] + " (fused)");
            }
        }
    }
}
