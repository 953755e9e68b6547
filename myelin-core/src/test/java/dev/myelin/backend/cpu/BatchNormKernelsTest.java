package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.DoubleStorage;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused float32 batch-normalization kernels against the backend's definition (the composed default,
 * run by the reference in double on the same values), on channel counts that are and are not multiples
 * of the vector length and row counts that cross the kernels' period and block boundaries; and 1 vs 2
 * threads bit-identical.
 */
class BatchNormKernelsTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final double EPS = 1e-3;

    /**
     * rows × channels: 1, odd, lane-sized, wide; rows crossing the 256-period blocks (2048 rows for odd channels);
     * channel counts whose period is widened to 4 vectors (8, 16, 32) with a partial last period.
     */
    private static final int[][] SHAPES = {
        {1, 1}, {3, 1}, {7, 5}, {5, 3}, {37, 8}, {40, 9}, {2100, 7}, {3000, 1}, {600, 32}, {300, 17},
        {129, 64}, {128, 512}, {20, 1000}, {20, 1001}, {700, 33}, {1029, 16}, {1027, 32},
    };

    private record Data(int rows, int channels, float[] x, float[] dy, float[] gamma, float[] beta, float[] mean, float[] variance) {
        static Data random(int rows, int channels, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] x = new float[rows * channels], dy = new float[rows * channels];
            float[] gamma = new float[channels], beta = new float[channels], mean = new float[channels], variance = new float[channels];
            for (int i = 0; i < x.length; i++) {
                int c = i % channels;
                x[i] = (float) (3 + c % 5 + (1 + c % 3) * r.nextGaussian());  // off-centre, per-channel spread
                dy[i] = (float) r.nextDouble(-1, 1);
            }
            for (int c = 0; c < channels; c++) {
                gamma[c] = (float) r.nextDouble(-2, 2);
                beta[c] = (float) r.nextDouble(-1, 1);
                mean[c] = (float) r.nextDouble(-1, 4);
                variance[c] = (float) r.nextDouble(0.1, 3);
            }
            return new Data(rows, channels, x, dy, gamma, beta, mean, variance);
        }
    }

    private static View f32(float[] v, int... shape) {
        return View.contiguous(new FloatStorage(v), shape);
    }

    private static View f64(float[] v, int... shape) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return View.contiguous(new DoubleStorage(d), shape);
    }

    private static double[] values(View v) {
        double[] r = new double[v.size()];
        for (int i = 0; i < r.length; i++) r[i] = v.storage().get(v.indexOfLinear(i));
        return r;
    }

    /** |got − want| ≤ tol · max(1, max |want|), per tensor. */
    private static void assertClose(String what, View got, View want, double tol) {
        double[] g = values(got), w = values(want);
        double scale = 1;
        for (double v : w) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < w.length; i++) {
            double err = Math.abs(g[i] - w[i]);
            assertTrue(err <= tol * scale, what + " element " + i + ": got " + g[i] + " want " + w[i] + " (scale " + scale + ")");
        }
    }

    /** Every kernel output of one case: statistics, output with the batch's and given statistics, every backward variant. */
    private static List<View> runAll(CpuBackend cpu, Data d, boolean withGamma, boolean withBeta) {
        int n = d.rows(), c = d.channels();
        List<View> out = new ArrayList<>();
        View x = f32(d.x(), n, c), dy = f32(d.dy(), n, c);
        View gamma = withGamma ? f32(d.gamma(), c) : null, beta = withBeta ? f32(d.beta(), c) : null;
        View mean = f32(new float[c], c), variance = f32(new float[c], c);
        cpu.batchNormStatistics(x, mean, variance);
        View y = f32(new float[n * c], n, c);
        cpu.batchNormApply(x, mean, variance, gamma, beta, EPS, y);
        View yGiven = f32(new float[n * c], n, c);
        View givenMean = f32(d.mean(), c), givenVariance = f32(d.variance(), c);
        cpu.batchNormApply(x, givenMean, givenVariance, gamma, beta, EPS, yGiven);
        out.addAll(List.of(mean, variance, y, yGiven));
        for (boolean batch : new boolean[] {true, false}) {
            View m = batch ? mean : givenMean, v = batch ? variance : givenVariance;
            View dx = f32(new float[n * c], n, c), dgamma = f32(new float[c], c), dbeta = f32(new float[c], c);
            cpu.batchNormBackward(x, dy, m, v, gamma, EPS, batch, dx, dgamma, dbeta);
            out.addAll(List.of(dx, dgamma, dbeta));
            View dxOnly = f32(new float[n * c], n, c);
            cpu.batchNormBackward(x, dy, m, v, gamma, EPS, batch, dxOnly, null, null);
            out.add(dxOnly);
        }
        return out;
    }

    /** The same on the reference, in double from the same float values. */
    private static List<View> referenceAll(Data d, boolean withGamma, boolean withBeta) {
        int n = d.rows(), c = d.channels();
        List<View> out = new ArrayList<>();
        View x = f64(d.x(), n, c), dy = f64(d.dy(), n, c);
        View gamma = withGamma ? f64(d.gamma(), c) : null, beta = withBeta ? f64(d.beta(), c) : null;
        View mean = f64(new float[c], c), variance = f64(new float[c], c);
        REF.batchNormStatistics(x, mean, variance);
        View y = f64(new float[n * c], n, c);
        REF.batchNormApply(x, mean, variance, gamma, beta, EPS, y);
        View yGiven = f64(new float[n * c], n, c);
        View givenMean = f64(d.mean(), c), givenVariance = f64(d.variance(), c);
        REF.batchNormApply(x, givenMean, givenVariance, gamma, beta, EPS, yGiven);
        out.addAll(List.of(mean, variance, y, yGiven));
        for (boolean batch : new boolean[] {true, false}) {
            View m = batch ? mean : givenMean, v = batch ? variance : givenVariance;
            View dx = f64(new float[n * c], n, c), dgamma = f64(new float[c], c), dbeta = f64(new float[c], c);
            REF.batchNormBackward(x, dy, m, v, gamma, EPS, batch, dx, dgamma, dbeta);
            out.addAll(List.of(dx, dgamma, dbeta, dx));
        }
        return out;
    }

    private static final String[] NAMES = {"mean", "variance", "y (batch statistics)", "y (given statistics)",
        "dx (batch)", "dgamma (batch)", "dbeta (batch)", "dx alone (batch)", "dx (given)", "dgamma (given)", "dbeta (given)", "dx alone (given)"};

    @Test
    void matchesTheComposedDefinition() {
        CpuBackend cpu = new CpuBackend();
        long seed = 1;
        for (int[] s : SHAPES) {
            for (int variant = 0; variant < 3; variant++) {
                boolean withGamma = variant != 1, withBeta = variant != 2;
                Data d = Data.random(s[0], s[1], seed++);
                List<View> got = runAll(cpu, d, withGamma, withBeta), want = referenceAll(d, withGamma, withBeta);
                for (int i = 0; i < got.size(); i++) {
                    assertClose(s[0] + "x" + s[1] + " gamma=" + withGamma + " beta=" + withBeta + " " + NAMES[i], got.get(i), want.get(i), 2e-5);
                }
            }
        }
    }

    /**
     * The rectified kernels against the CPU's own separate passes, bit for bit: batchNormApplyRelu = batchNormApply then
     * RELU; batchNormReluBackward = RELU_GRAD on dy then batchNormBackward (batch and given statistics, every gradient
     * and dx alone). One channel normalizes to exactly ±0 (gamma 0, beta 0), the rectifier's edge.
     */
    @Test
    void rectifiedKernelsAreTheSeparatePassesBitForBit() {
        CpuBackend cpu = new CpuBackend();
        long seed = 50;
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1];
            Data d = Data.random(n, c, seed++);
            d.gamma()[0] = 0;
            d.beta()[0] = 0;
            View x = f32(d.x(), n, c), dy = f32(d.dy(), n, c), gamma = f32(d.gamma(), c), beta = f32(d.beta(), c);
            View mean = f32(new float[c], c), variance = f32(new float[c], c);
            cpu.batchNormStatistics(x, mean, variance);
            for (boolean batch : new boolean[] {true, false}) {
                View m = batch ? mean : f32(d.mean(), c), v = batch ? variance : f32(d.variance(), c);
                String what = n + "x" + c + (batch ? " batch" : " given");
                View fused = f32(new float[n * c], n, c), apart = f32(new float[n * c], n, c);
                cpu.batchNormApplyRelu(x, m, v, gamma, beta, EPS, fused);
                cpu.batchNormApply(x, m, v, gamma, beta, EPS, apart);
                cpu.unary(UnaryOp.RELU, 0, 0, apart, apart);
                assertArrayEquals(data(apart), data(fused), what + " y");
                View masked = f32(new float[n * c], n, c);
                cpu.binary(BinaryOp.RELU_GRAD, dy, fused, masked);
                View dx1 = f32(new float[n * c], n, c), dg1 = f32(new float[c], c), db1 = f32(new float[c], c);
                View dx2 = f32(new float[n * c], n, c), dg2 = f32(new float[c], c), db2 = f32(new float[c], c);
                cpu.batchNormReluBackward(x, dy, fused, m, v, gamma, EPS, batch, dx1, dg1, db1);
                cpu.batchNormBackward(x, masked, m, v, gamma, EPS, batch, dx2, dg2, db2);
                assertArrayEquals(data(dx2), data(dx1), what + " dx");
                assertArrayEquals(data(dg2), data(dg1), what + " dgamma");
                assertArrayEquals(data(db2), data(db1), what + " dbeta");
                View dxOnly = f32(new float[n * c], n, c);
                cpu.batchNormReluBackward(x, dy, fused, m, v, gamma, EPS, batch, dxOnly, null, null);
                assertArrayEquals(data(dx2), data(dxOnly), what + " dx alone");
            }
        }
    }

    private static float[] data(View v) {
        return ((FloatStorage) v.storage()).data();
    }

    @Test
    void sameBitsForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            for (int[] s : new int[][] {{25088, 32}, {6000, 3}, {2048, 64}}) {
                Data d = Data.random(s[0], s[1], 99);
                Parallel.setThreads(1);
                List<View> one = runAll(new CpuBackend(), d, true, true);
                Parallel.setThreads(2);
                List<View> two = runAll(new CpuBackend(), d, true, true);
                for (int i = 0; i < one.size(); i++) {
                    assertArrayEquals(((FloatStorage) one.get(i).storage()).data(), ((FloatStorage) two.get(i).storage()).data(),
                            s[0] + "x" + s[1] + " " + NAMES[i]);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
