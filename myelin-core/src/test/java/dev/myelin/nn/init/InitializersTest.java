package dev.myelin.nn.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

class InitializersTest {
    /** A conv kernel: fanIn = 3·3·32 = 288, fanOut = 3·3·64 = 576; 18,432 elements. */
    private static final Shape CONV = Shape.of(3, 3, 32, 64);
    private static final Shape DENSE = Shape.of(200, 300);

    private static RandomGenerator rng() {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(2024);
    }

    private record Stats(double mean, double std, double min, double max, int n) {}

    private static Stats stats(Initializer init, Shape shape) {
        double[] v = init.create(shape, DType.FLOAT64, rng()).toDoubleArray();
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
        return new Stats(mean, Math.sqrt(var), Arrays.stream(v).min().orElseThrow(), Arrays.stream(v).max().orElseThrow(), v.length);
    }

    /** Mean within 5 standard errors, standard deviation within 3% (its sampling error here is below 0.6%). */
    private static Stats assertMoments(Initializer init, Shape shape, double mean, double std) {
        Stats s = stats(init, shape);
        assertEquals(mean, s.mean(), 5 * std / Math.sqrt(s.n()), init + " mean");
        assertEquals(std, s.std(), 0.03 * std, init + " std");
        return s;
    }

    private static void assertUniform(Initializer init, Shape shape, double limit) {
        Stats s = assertMoments(init, shape, 0, limit / Math.sqrt(3));
        assertTrue(s.min() >= -limit && s.max() <= limit, init + " within ±" + limit + ": [" + s.min() + ", " + s.max() + "]");
        assertTrue(s.min() < -0.99 * limit && s.max() > 0.99 * limit, init + " reaches the limits");
    }

    /** Keras's truncated variance scaling: actual std sqrt(scale / n), samples within 2·sqrt(scale / n) / 0.8796. */
    private static void assertTruncated(Initializer init, Shape shape, double std) {
        Stats s = assertMoments(init, shape, 0, std);
        double bound = 2 * std / 0.87962566103423978;
        assertTrue(s.min() >= -bound && s.max() <= bound, init + " within ±" + bound + ": [" + s.min() + ", " + s.max() + "]");
        assertTrue(s.max() > 0.97 * bound, init + " reaches near the truncation bound");
    }

    @Test
    void varianceScalingFamilyOnConvKernel() {
        assertTruncated(new GlorotNormal(), CONV, Math.sqrt(2.0 / (288 + 576)));
        assertTruncated(new HeNormal(), CONV, Math.sqrt(2.0 / 288));
        assertTruncated(new LecunNormal(), CONV, Math.sqrt(1.0 / 288));
        assertUniform(new HeUniform(), CONV, Math.sqrt(6.0 / 288));
        assertUniform(new LecunUniform(), CONV, Math.sqrt(3.0 / 288));
        assertUniform(new GlorotUniform(), CONV, Math.sqrt(6.0 / (288 + 576)));
    }

    @Test
    void varianceScalingFamilyOnDenseKernel() {
        assertTruncated(new GlorotNormal(), DENSE, Math.sqrt(2.0 / 500));
        assertTruncated(new HeNormal(), DENSE, Math.sqrt(2.0 / 200));
        assertUniform(new HeUniform(), DENSE, Math.sqrt(6.0 / 200));
        assertMoments(new VarianceScaling(3.0, VarianceScaling.Mode.FAN_OUT, VarianceScaling.Distribution.UNTRUNCATED_NORMAL), DENSE, 0, Math.sqrt(3.0 / 300));
        assertUniform(new VarianceScaling(0.5, VarianceScaling.Mode.FAN_AVG, VarianceScaling.Distribution.UNIFORM), DENSE, Math.sqrt(1.5 / 250));
    }

    @Test
    void randomDistributions() {
        assertMoments(new RandomNormal(1.0, 2.0), DENSE, 1.0, 2.0);
        assertMoments(new RandomNormal(), DENSE, 0.0, 0.05);
        Stats u = assertMoments(new RandomUniform(-1, 3), DENSE, 1.0, 4 / Math.sqrt(12));
        assertTrue(u.min() >= -1 && u.max() < 3);
        Stats d = assertMoments(new RandomUniform(), DENSE, 0, 0.1 / Math.sqrt(12));
        assertTrue(d.min() >= -0.05 && d.max() < 0.05);
        Stats t = assertMoments(new TruncatedNormal(0.5, 0.2), DENSE, 0.5, 0.2 * 0.87962566103423978);
        assertTrue(t.min() >= 0.1 && t.max() <= 0.9, "within two stddev: [" + t.min() + ", " + t.max() + "]");
    }

    @Test
    void constants() {
        TensorAssert.assertValues(new Ones().create(Shape.of(2, 2), DType.FLOAT64, rng()), new double[] {1, 1, 1, 1}, 0);
        Tensor c = new Constant(2.5).create(Shape.of(3), DType.FLOAT64, rng());
        assertEquals(DType.FLOAT64, c.dtype());
        TensorAssert.assertValues(c, new double[] {2.5, 2.5, 2.5}, 0);
        TensorAssert.assertValues(new Constant().create(Shape.of(2), DType.FLOAT32, rng()), new double[] {0, 0}, 0);
    }

    @Test
    void dtypeAndDeterminism() {
        for (Initializer init : new Initializer[] {new HeNormal(), new RandomUniform(), new Orthogonal(), new LecunUniform()}) {
            Tensor a = init.create(Shape.of(6, 4), DType.FLOAT32, rng());
            assertEquals(DType.FLOAT32, a.dtype());
            assertEquals(DType.FLOAT64, init.create(Shape.of(6, 4), DType.FLOAT64, rng()).dtype());
            TensorAssert.assertAllClose(init.create(Shape.of(6, 4), DType.FLOAT32, rng()), a, 0, 0);
        }
    }

    private static void assertOrthonormalColumns(double[] w, int rows, int cols, double gain) {
        for (int i = 0; i < cols; i++)
            for (int j = 0; j < cols; j++) {
                double dot = 0;
                for (int r = 0; r < rows; r++) dot += w[r * cols + i] * w[r * cols + j];
                assertEquals(i == j ? gain * gain : 0, dot, 1e-10, "WᵀW[" + i + "][" + j + "]");
            }
    }

    @Test
    void orthogonal() {
        assertOrthonormalColumns(new Orthogonal().create(Shape.of(64, 32), DType.FLOAT64, rng()).toDoubleArray(), 64, 32, 1);
        assertOrthonormalColumns(new Orthogonal().create(Shape.of(40, 40), DType.FLOAT64, rng()).toDoubleArray(), 40, 40, 1);
        assertOrthonormalColumns(new Orthogonal(2.0).create(Shape.of(3, 3, 16, 32), DType.FLOAT64, rng()).toDoubleArray(), 144, 32, 2);
        // fewer rows than columns: orthonormal rows, W Wᵀ = I
        Tensor wide = new Orthogonal().create(Shape.of(8, 50), DType.FLOAT64, rng());
        TensorAssert.assertAllClose(wide.matmul(wide.mT()), Tensor.eye(8).to(DType.FLOAT64), 1e-10, 1e-10);
        // float32 within float32 rounding
        Tensor w32 = new Orthogonal().create(Shape.of(30, 20), DType.FLOAT32, rng());
        TensorAssert.assertAllClose(w32.mT().matmul(w32), Tensor.eye(20), 1e-5, 1e-5);
        // entries of a 256-by-128 matrix with orthonormal columns have variance 1/256
        Stats s = stats(new Orthogonal(), Shape.of(256, 128));
        assertEquals(1 / 16.0, s.std(), 0.03 / 16);
    }

    @Test
    void byKerasName() {
        assertInstanceOf(GlorotUniform.class, Initializers.of("glorot_uniform"));
        assertInstanceOf(GlorotUniform.class, Initializers.of("GlorotUniform"));
        assertInstanceOf(GlorotNormal.class, Initializers.of("glorot_normal"));
        assertInstanceOf(HeNormal.class, Initializers.of("he_normal"));
        assertInstanceOf(HeUniform.class, Initializers.of("HeUniform"));
        assertInstanceOf(LecunNormal.class, Initializers.of("lecun_normal"));
        assertInstanceOf(LecunUniform.class, Initializers.of("lecun_uniform"));
        assertInstanceOf(Zeros.class, Initializers.of("zeros"));
        assertInstanceOf(Zeros.class, Initializers.of("zero"));
        assertInstanceOf(Ones.class, Initializers.of("Ones"));
        assertEquals(new Constant(0), Initializers.of("constant"));
        assertEquals(new RandomNormal(0, 0.05), Initializers.of("random_normal"));
        assertEquals(new RandomNormal(0, 0.05), Initializers.of("normal"));
        assertEquals(new RandomUniform(-0.05, 0.05), Initializers.of("RandomUniform"));
        assertEquals(new TruncatedNormal(0, 0.05), Initializers.of("truncated_normal"));
        assertEquals(new Orthogonal(1.0), Initializers.of("orthogonal"));
        assertEquals(new VarianceScaling(1.0, VarianceScaling.Mode.FAN_IN, VarianceScaling.Distribution.TRUNCATED_NORMAL),
                Initializers.of("variance_scaling"));
    }

    private static void assertMessage(Runnable r, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void errorMessages() {
        assertMessage(() -> Initializers.of("glorot_uniformm"), "glorot_uniformm", "he_normal");
        assertMessage(() -> new Orthogonal().create(Shape.of(5), DType.FLOAT32, rng()), "rank >= 2", "[5]");
        assertMessage(() -> new RandomNormal(0, -1), "stddev", "-1");
        assertMessage(() -> new TruncatedNormal(0, Double.NaN), "stddev", "NaN");
        assertMessage(() -> new RandomUniform(1, 1), "minval", "maxval");
        assertMessage(() -> new VarianceScaling(0, VarianceScaling.Mode.FAN_IN, VarianceScaling.Distribution.UNIFORM), "scale", "0");
        assertMessage(() -> new Constant(Double.POSITIVE_INFINITY), "Constant", "Infinity");
    }
}
