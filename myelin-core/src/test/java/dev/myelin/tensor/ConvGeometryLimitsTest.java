package dev.myelin.tensor;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input, family "convolution geometry": a dilation or stride so large that the padded image has no
 * int index fails before any kernel runs, naming the operation and the sizes; large geometry that does
 * fit computes the right values (no index wrapped around).
 */
class ConvGeometryLimitsTest {
    private static final RandomGenerator RNG = RandomGeneratorFactory.of("L64X128MixRandom").create(3);

    @ParameterizedTest(name = "conv2d {0}, dilation {1}, kernel {2}")
    @CsvSource({
        "SAME, 100000, 3", "SAME, 1000000000, 3", "SAME, 2147483647, 3", "VALID, 2147483647, 2",
        "SAME, 50000, 2", "SAME, 1073741824, 3", "VALID, 100000, 5", "SAME, 65536, 4"})
    void hugeDilationIsRejectedBeforeTheKernel(Padding padding, int dilation, int k) {
        Tensor x = Tensor.rand(RNG, 1, 8, 8, 2);
        Tensor kernel = Tensor.rand(RNG, k, k, 2, 3);
        ConvOptions options = ConvOptions.defaults().padding(padding).dilation(dilation);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.conv2d(kernel, options));
        assertTrue(e.getMessage().contains("dilation " + dilation) || e.getMessage().contains("conv2d: a " + k + "x" + k + " kernel with dilation"),
                e.getMessage());
        assertTrue(e.getMessage().contains("int index"), e.getMessage());
    }

    @ParameterizedTest(name = "conv2dTranspose strides {0}, dilation {1}")
    @CsvSource({"100000, 1", "1000000000, 1", "1, 100000", "70000, 70000"})
    void hugeTransposedGeometryIsRejected(int stride, int dilation) {
        Tensor x = Tensor.rand(RNG, 1, 8, 8, 2);
        Tensor kernel = Tensor.rand(RNG, 3, 3, 4, 2);
        ConvOptions options = ConvOptions.defaults().padding(Padding.SAME).strides(stride).dilation(dilation);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.conv2dTranspose(kernel, options));
        assertTrue(e.getMessage().startsWith("conv2dTranspose: ") && e.getMessage().contains("int index"), e.getMessage());
    }

    /** Indices that fit but a padded image the heap cannot hold once per thread: "needs N GB", not an OutOfMemoryError. */
    @Test
    void paddedImageBeyondTheHeapSaysHowMuchItNeeds() {
        assumeTrue(Runtime.getRuntime().maxMemory() < 7_500_000_000L, "the test heap could hold the padded image");
        Tensor x = Tensor.rand(RNG, 1, 8, 8, 1);
        Tensor kernel = Tensor.rand(RNG, 3, 3, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> x.conv2d(kernel, ConvOptions.defaults().padding(Padding.SAME).dilation(11_000)));
        assertTrue(e.getMessage().startsWith("conv2d: a 3x3 kernel with dilation (11000, 11000) padding a 8x8x1 image to 44010x44010 on ")
                && e.getMessage().contains(" needs "), e.getMessage());
    }

    /** Dilation 1000 under SAME on an 8x8 image: only the centre tap lands inside, so the result is x · k[1, 1]. */
    @Test
    void largeDilationThatFitsComputesTheCentreTap() {
        Tensor x = Tensor.rand(RNG, 2, 8, 8, 1);
        Tensor kernel = Tensor.rand(RNG, 3, 3, 1, 1);
        Tensor y = x.conv2d(kernel, ConvOptions.defaults().padding(Padding.SAME).dilation(1000));
        assertEquals(Shape.of(2, 8, 8, 1), y.shape());
        float centre = kernel.toFloatArray()[4];
        assertAllClose(x.mul(centre).toFloatArray(), y.toFloatArray(), 1e-6, 1e-6);
    }

    /** A pooling window and stride near Integer.MAX_VALUE under SAME: one window over the whole image, its maximum. */
    @Test
    void hugePoolUnderSameIsTheGlobalMaximum() {
        Tensor x = Tensor.rand(RNG, 2, 8, 8, 3);
        Tensor y = x.maxPool2d(PoolOptions.of(Integer.MAX_VALUE).strides(Integer.MAX_VALUE).padding(Padding.SAME));
        assertEquals(Shape.of(2, 1, 1, 3), y.shape());
        assertAllClose(x.max(1, 2).toFloatArray(), y.toFloatArray(), 0, 0);
    }

    /** A stride near Integer.MAX_VALUE under SAME used to wrap (in + stride − 1) negative; one output per axis. */
    @Test
    void hugeStrideUnderSameGivesOneOutput() {
        Tensor x = Tensor.rand(RNG, 1, 8, 8, 1);
        Tensor kernel = Tensor.rand(RNG, 3, 3, 1, 1);
        Tensor y = x.conv2d(kernel, ConvOptions.defaults().padding(Padding.SAME).strides(Integer.MAX_VALUE));
        assertEquals(Shape.of(1, 1, 1, 1), y.shape());
        assertEquals(1, Padding.SAME.outputSize(8, 3, Integer.MAX_VALUE));
        assertEquals(0, Padding.SAME.padBefore(8, 3, Integer.MAX_VALUE));
    }
}
