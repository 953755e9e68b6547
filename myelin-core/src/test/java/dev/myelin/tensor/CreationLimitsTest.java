package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.backend.DType;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input, family "a number from outside becomes an allocation": creation functions given sizes that
 * overflow an int, exceed the largest array, or the heap fail with an IllegalArgumentException naming the
 * call and its arguments, never a NegativeArraySizeException or an OutOfMemoryError.
 */
class CreationLimitsTest {
    private static final RandomGenerator RNG = RandomGeneratorFactory.of("L64X128MixRandom").create(1);

    static Stream<Arguments> oversized() {
        return Stream.of(
                Arguments.of("Tensor.eye(50000)", (Executable) () -> Tensor.eye(50_000)),
                Arguments.of("Tensor.eye(-3)", (Executable) () -> Tensor.eye(-3)),
                Arguments.of("Tensor.eye(2147483647)", (Executable) () -> Tensor.eye(Integer.MAX_VALUE)),
                Arguments.of("Tensor.arange(0.0, 1.0E12, 1.0)", (Executable) () -> Tensor.arange(0, 1e12, 1)),
                Arguments.of("Tensor.arange(0.0, 1.0, 1.0E-12)", (Executable) () -> Tensor.arange(0, 1, 1e-12)),
                Arguments.of("arange start and end must be finite", (Executable) () -> Tensor.arange(0, Double.POSITIVE_INFINITY, 1)),
                Arguments.of("arange start and end must be finite", (Executable) () -> Tensor.arange(Double.NaN, 5, 1)),
                Arguments.of("arange step must be finite and non-zero", (Executable) () -> Tensor.arange(0, 5, 0)),
                Arguments.of("arange step must be finite and non-zero", (Executable) () -> Tensor.arange(0, 5, Double.NaN)),
                Arguments.of("arange step must be finite and non-zero", (Executable) () -> Tensor.arange(0, 5, Double.POSITIVE_INFINITY)),
                Arguments.of("linspace count must be >= 0", (Executable) () -> Tensor.linspace(0, 1, -1)),
                Arguments.of("linspace start and end must be finite", (Executable) () -> Tensor.linspace(0, Double.NaN, 3)),
                Arguments.of("Tensor.zeros: shape [100000, 100000]", (Executable) () -> Tensor.zeros(100_000, 100_000)),
                Arguments.of("Tensor.zeros: negative dimension in shape [-1, 3]", (Executable) () -> Tensor.zeros(-1, 3)),
                Arguments.of("Tensor.ones: shape [65536, 65536]", (Executable) () -> Tensor.ones(65_536, 65_536)),
                Arguments.of("shape [4096, 4096, 4096]", (Executable) () -> Tensor.full(DType.FLOAT32, Shape.of(4096, 4096, 4096), 1)),
                Arguments.of("Tensor.uniform: shape [50000, 50000]", (Executable) () -> Tensor.rand(RNG, 50_000, 50_000)),
                Arguments.of("Tensor.uniform: shape [-2]", (Executable) () -> Tensor.uniform(RNG, 0, 1, -2)),
                Arguments.of("Tensor.normal: shape [50000, 50000]", (Executable) () -> Tensor.randn(RNG, 50_000, 50_000)),
                Arguments.of("Tensor.normal: shape [1000000, 1000000, 3]", (Executable) () -> Tensor.normal(RNG, 0, 1, 1_000_000, 1_000_000, 3)),
                Arguments.of("Tensor.truncatedNormal: shape [50000, 50000]", (Executable) () -> Tensor.truncatedNormal(RNG, 0, 1, 50_000, 50_000)),
                Arguments.of("Tensor.bernoulli: shape [50000, 50000]", (Executable) () -> Tensor.bernoulli(RNG, 0.5, 50_000, 50_000)),
                Arguments.of("Tensor.oneHot: 3 indices × depth 2000000000", (Executable) () -> Tensor.oneHot(Tensor.of(new float[] {0, 1, 2}, 3), 2_000_000_000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oversized")
    void oversizedCreationNamesTheCall(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** Within Java's array limit but beyond the heap: "needs N GB", naming the call, before any allocation. */
    @Test
    void beyondTheHeapSaysHowMuchItNeeds() {
        long max = Runtime.getRuntime().maxMemory();
        assumeTrue(max < 7_000_000_000L, "the test heap is large enough to hold the allocation");
        IllegalArgumentException eye = assertThrows(IllegalArgumentException.class, () -> Tensor.eye(46_000));
        assertTrue(eye.getMessage().startsWith("Tensor.eye(46000) needs 8.5 GB, but the JVM has"), eye.getMessage());
        IllegalArgumentException zeros = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(40_000, 50_000));
        assertTrue(zeros.getMessage().startsWith("a float32 tensor of shape [40000, 50000] needs 8.0 GB"), zeros.getMessage());
        IllegalArgumentException doubles = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT64, Shape.of(30_000, 30_000)));
        assertTrue(doubles.getMessage().startsWith("a float64 tensor of shape [30000, 30000] needs 7.2 GB"), doubles.getMessage());
    }

    @Test
    void sizesThatFitStillWork() {
        assertEquals(Shape.of(3, 3), Tensor.eye(3).shape());
        assertEquals(0, Tensor.eye(0).size());
        assertEquals(5, Tensor.arange(0, 5, 1).size());
        assertEquals(0, Tensor.arange(5, 0, 1).size());
        assertEquals(1, Tensor.linspace(2, 2, 1).size());
        assertEquals(Shape.of(2, 0), Tensor.zeros(2, 0).shape());
    }
}
