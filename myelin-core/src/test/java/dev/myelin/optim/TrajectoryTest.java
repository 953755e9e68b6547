package dev.myelin.optim;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer and option over {@value #STEPS} steps of the {@link Quadratic} problem, against Keras's
 * equations in double ({@link KerasReference}), compared after every step. float64 runs must agree to
 * rounding error, which also catches an epsilon in the wrong place at Keras's default 1e-7; float32 runs
 * to float precision. Hyperparameters are chosen so each term moves the result (epsilon 1e-3 next to
 * gradients of 0.03 to 8).
 */
class TrajectoryTest {
    static final int STEPS = 10;

    static Stream<Arguments> cases() {
        return Stream.of(
                c("SGD defaults", SGD::new, KerasReference.sgd(0.01, 0, false, 0, STEPS)),
                c("SGD", () -> new SGD(0.05), KerasReference.sgd(0.05, 0, false, 0, STEPS)),
                c("SGD momentum", () -> new SGD(0.05).momentum(0.9), KerasReference.sgd(0.05, 0.9, false, 0, STEPS)),
                c("SGD nesterov", () -> new SGD(0.05).momentum(0.9).nesterov(true), KerasReference.sgd(0.05, 0.9, true, 0, STEPS)),
                c("SGD momentum, weight decay", () -> new SGD(0.05).momentum(0.8).weightDecay(0.2),
                        KerasReference.sgd(0.05, 0.8, false, 0.2, STEPS)),
                c("SGD nesterov without momentum", () -> new SGD(0.05).nesterov(true), KerasReference.sgd(0.05, 0, true, 0, STEPS)),
                c("Adam defaults", Adam::new, KerasReference.adam(1e-3, 0.9, 0.999, 1e-7, false, 0, STEPS)),
                c("Adam", () -> new Adam(0.1).beta1(0.8).beta2(0.99).epsilon(1e-3),
                        KerasReference.adam(0.1, 0.8, 0.99, 1e-3, false, 0, STEPS)),
                c("Adam amsgrad", () -> new Adam(0.1).beta1(0.8).beta2(0.6).epsilon(1e-3).amsgrad(true),
                        KerasReference.adam(0.1, 0.8, 0.6, 1e-3, true, 0, STEPS)),
                c("Adam weight decay", () -> new Adam(0.1).epsilon(1e-3).weightDecay(0.5),
                        KerasReference.adam(0.1, 0.9, 0.999, 1e-3, false, 0.5, STEPS)),
                c("AdamW defaults", AdamW::new, KerasReference.adam(1e-3, 0.9, 0.999, 1e-7, false, 0.004, STEPS)),
                c("AdamW", () -> new AdamW(0.1, 0.3).beta2(0.7).epsilon(1e-3).amsgrad(true),
                        KerasReference.adam(0.1, 0.9, 0.7, 1e-3, true, 0.3, STEPS)),
                c("RMSprop defaults", RMSprop::new, KerasReference.rmsprop(1e-3, 0.9, 0, 1e-7, false, 0, STEPS)),
                c("RMSprop", () -> new RMSprop(0.01).rho(0.8).epsilon(1e-3),
                        KerasReference.rmsprop(0.01, 0.8, 0, 1e-3, false, 0, STEPS)),
                c("RMSprop momentum", () -> new RMSprop(0.01).momentum(0.5).epsilon(1e-3),
                        KerasReference.rmsprop(0.01, 0.9, 0.5, 1e-3, false, 0, STEPS)),
                c("RMSprop centered", () -> new RMSprop(0.01).centered(true).epsilon(1e-3),
                        KerasReference.rmsprop(0.01, 0.9, 0, 1e-3, true, 0, STEPS)),
                c("RMSprop centered, momentum, weight decay", () -> new RMSprop(0.01).centered(true).momentum(0.5).weightDecay(0.3),
                        KerasReference.rmsprop(0.01, 0.9, 0.5, 1e-7, true, 0.3, STEPS)),
                c("Adagrad defaults", Adagrad::new, KerasReference.adagrad(1e-3, 0.1, 1e-7, 0, STEPS)),
                c("Adagrad", () -> new Adagrad(0.1).initialAccumulatorValue(0.5).epsilon(1e-2).weightDecay(0.1),
                        KerasReference.adagrad(0.1, 0.5, 1e-2, 0.1, STEPS)));
    }

    private static Arguments c(String name, Supplier<Optimizer> optimizer, double[][] reference) {
        return Arguments.of(name, optimizer, reference);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float64MatchesKerasEquations(String name, Supplier<Optimizer> optimizer, double[][] reference) {
        assertTrajectory(Quadratic.run(optimizer.get(), DType.FLOAT64, STEPS), reference, 1e-11, 1e-13);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float32MatchesKerasEquations(String name, Supplier<Optimizer> optimizer, double[][] reference) {
        assertTrajectory(Quadratic.run(optimizer.get(), DType.FLOAT32, STEPS), reference, 2e-5, 2e-6);
    }

    static void assertTrajectory(double[][] actual, double[][] expected, double rtol, double atol) {
        for (int s = 0; s < expected.length; s++) {
            int step = s + 1;
            try {
                assertAllClose(actual[s], expected[s], rtol, atol);
            } catch (AssertionError e) {
                throw new AssertionError("after step " + step + ": " + e.getMessage(), e);
            }
        }
    }

    /** The options must change the path on this problem, or the cases above would not test them. */
    @Test
    void optionsChangeTheTrajectory() {
        assertDiffer(KerasReference.adam(0.1, 0.8, 0.6, 1e-3, false, 0, STEPS), KerasReference.adam(0.1, 0.8, 0.6, 1e-3, true, 0, STEPS));
        assertDiffer(KerasReference.adam(0.1, 0.9, 0.7, 1e-3, false, 0.3, STEPS), KerasReference.adam(0.1, 0.9, 0.7, 1e-3, true, 0.3, STEPS));
        assertDiffer(KerasReference.sgd(0.05, 0.9, false, 0, STEPS), KerasReference.sgd(0.05, 0.9, true, 0, STEPS));
        assertDiffer(KerasReference.rmsprop(0.01, 0.9, 0, 1e-3, false, 0, STEPS), KerasReference.rmsprop(0.01, 0.9, 0, 1e-3, true, 0, STEPS));
        assertDiffer(KerasReference.rmsprop(0.01, 0.9, 0.5, 1e-3, false, 0, STEPS), KerasReference.rmsprop(0.01, 0.9, 0, 1e-3, false, 0, STEPS));
        // epsilon 1e-3 is visible at float32 tolerance
        assertDiffer(KerasReference.rmsprop(0.01, 0.8, 0, 1e-3, false, 0, STEPS), KerasReference.rmsprop(0.01, 0.8, 0, 0, false, 0, STEPS));
        assertDiffer(KerasReference.adam(0.1, 0.8, 0.99, 1e-3, false, 0, STEPS), KerasReference.adam(0.1, 0.8, 0.99, 0, false, 0, STEPS));
    }

    private static void assertDiffer(double[][] a, double[][] b) {
        double maxDiff = 0;
        for (int s = 0; s < a.length; s++) {
            for (int i = 0; i < a[s].length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[s][i] - b[s][i]));
        }
        assertTrue(maxDiff > 1e-2, "trajectories differ by only " + maxDiff + ", too little to test the option");
    }
}
