package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DoubleStorage;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.View;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused float32 layer-normalization kernels against the backend's definition (the composed default, run
 * by the reference in double on the same values), on feature counts that are and are not multiples of the
 * vector length and row counts that cross the kernels' 32-row blocks; with and without gamma and beta; and
 * 1 vs 2 threads bit-identical.
 */
class LayerNormKernelsTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final double EPS = 1e-5;

    /** rows × features: the widths 1, 7, 33, 128, 130 (and 8, 16, 17); one row, a partial block, several blocks. */
    private static final int[][] SHAPES = {
        {1, 1}, {5, 1}, {1, 7}, {3, 7}, {40, 7}, {67, 33}, {1, 128}, {33, 128}, {100, 130}, {64, 8}, {31, 16}, {97, 17},
    };

    private record Data(int rows, int n, float[] x, float[] dy, float[] gamma, float[] beta) {
        static Data random(int rows, int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] x = new float[rows * n], dy = new float[rows * n], gamma = new float[n], beta = new float[n];
            for (int i = 0; i < x.length; i++) {
                int row = i / n;
                x[i] = (float) (2 + row % 5 + (1 + row % 3) * r.nextGaussian());  // off-centre, per-row spread
                dy[i] = (float) r.nextDouble(-1, 1);
            }
            for (int c = 0; c < n; c++) {
                gamma[c] = (float) r.nextDouble(-2, 2);
                beta[c] = (float) r.nextDouble(-1, 1);
            }
            return new Data(rows, n, x, dy, gamma, beta);
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

    private static final String[] NAMES = {"y", "mean", "rstd", "dx", "dgamma", "dbeta", "dx alone", "dgamma and dbeta alone (dgamma)",
        "dgamma and dbeta alone (dbeta)"};

    /** Every output of one case on {@code be}, its views made by {@code make} (float32 or float64 from the same values). */
    private static List<View> runAll(dev.myelin.backend.Backend be, java.util.function.BiFunction<float[], int[], View> make,
                                     Data d, boolean withGamma, boolean withBeta) {
        int rows = d.rows(), n = d.n();
        View x = make.apply(d.x(), new int[] {rows, n}), dy = make.apply(d.dy(), new int[] {rows, n});
        View gamma = withGamma ? make.apply(d.gamma(), new int[] {n}) : null, beta = withBeta ? make.apply(d.beta(), new int[] {n}) : null;
        View y = make.apply(new float[rows * n], new int[] {rows, n});
        View mean = make.apply(new float[rows], new int[] {rows}), rstd = make.apply(new float[rows], new int[] {rows});
        be.layerNorm(x, gamma, beta, EPS, y, mean, rstd);
        View dx = make.apply(new float[rows * n], new int[] {rows, n}), dgamma = make.apply(new float[n], new int[] {n});
        View dbeta = make.apply(new float[n], new int[] {n});
        be.layerNormBackward(x, dy, mean, rstd, gamma, dx, dgamma, dbeta);
        View dxOnly = make.apply(new float[rows * n], new int[] {rows, n});
        be.layerNormBackward(x, dy, mean, rstd, gamma, dxOnly, null, null);
        View dgammaOnly = make.apply(new float[n], new int[] {n}), dbetaOnly = make.apply(new float[n], new int[] {n});
        be.layerNormBackward(x, dy, mean, rstd, gamma, null, dgammaOnly, dbetaOnly);
        return new ArrayList<>(List.of(y, mean, rstd, dx, dgamma, dbeta, dxOnly, dgammaOnly, dbetaOnly));
    }

    @Test
    void matchesTheComposedDefinition() {
        CpuBackend cpu = new CpuBackend();
        long seed = 1;
        for (int[] s : SHAPES) {
            for (int variant = 0; variant < 3; variant++) {
                boolean withGamma = variant != 1, withBeta = variant != 2;
                Data d = Data.random(s[0], s[1], seed++);
                List<View> got = runAll(cpu, (v, shape) -> f32(v, shape), d, withGamma, withBeta);
                List<View> want = runAll(REF, (v, shape) -> f64(v, shape), d, withGamma, withBeta);
                for (int i = 0; i < got.size(); i++) {
                    assertTrue(got.get(i).storage() instanceof FloatStorage, "the float32 kernel ran");
                    assertClose(s[0] + "x" + s[1] + " gamma=" + withGamma + " beta=" + withBeta + " " + NAMES[i], got.get(i), want.get(i), 2e-5);
                }
            }
        }
    }

    @Test
    void sameBitsForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            for (int[] s : new int[][] {{4096, 128}, {1000, 33}, {333, 130}}) {
                Data d = Data.random(s[0], s[1], 99);
                Parallel.setThreads(1);
                List<View> one = runAll(new CpuBackend(), (v, shape) -> f32(v, shape), d, true, true);
                Parallel.setThreads(2);
                List<View> two = runAll(new CpuBackend(), (v, shape) -> f32(v, shape), d, true, true);
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
