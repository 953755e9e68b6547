package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DoubleStorage;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.View;
import dev.myelin.backend.naive.NaiveBackend;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused float32 attention kernels ({@link AttentionKernels}) against the backend's definition, the
 * composed default run by the reference in double on the same values, which is itself checked against
 * the formula written as plain loops. Sizes are odd (1, 5, 7, 33, 130; Tq ≠ Tk, Tq &gt; Tk with causal
 * masking, so some rows see no key), queries and values are strided views of a {@code [B, T, H, D]}
 * layout, masks are broadcast ({@code [B, 1, 1, Tk]}, {@code [1, 1, Tq, Tk]}) or full with fully masked
 * rows. Also: 1 vs 2 threads bit-identical, each gradient alone equal to all three, and scratch memory
 * linear in the sequence length.
 */
class AttentionKernelsTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend CPU = new CpuBackend();

    enum MaskKind { NONE, KEY_PADDING, QUERY_KEY, FULL_WITH_EMPTY_ROWS }

    record Case(int b, int h, int tq, int tk, int d, int dv, MaskKind mask, boolean causal) {
        /** Whether some query has every key masked. */
        boolean hasEmptyRows() {
            return mask == MaskKind.FULL_WITH_EMPTY_ROWS || (causal && tq > tk);
        }

        @Override
        public String toString() {
            return "B" + b + " H" + h + " Tq" + tq + " Tk" + tk + " D" + d + " Dv" + dv + " " + mask + (causal ? " causal" : "");
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(1, 1, 1, 1, 1, 1, MaskKind.NONE, false),
                new Case(1, 1, 1, 1, 1, 1, MaskKind.NONE, true),
                new Case(2, 3, 7, 7, 5, 3, MaskKind.NONE, false),
                new Case(2, 3, 7, 7, 5, 3, MaskKind.KEY_PADDING, true),
                new Case(1, 2, 33, 33, 16, 16, MaskKind.NONE, true),
                new Case(2, 1, 7, 33, 5, 9, MaskKind.QUERY_KEY, false),
                new Case(2, 1, 7, 33, 5, 9, MaskKind.QUERY_KEY, true),
                new Case(1, 2, 33, 7, 16, 5, MaskKind.NONE, true),          // Tq > Tk: the first 26 queries see no key
                new Case(1, 2, 33, 70, 16, 5, MaskKind.FULL_WITH_EMPTY_ROWS, false),
                new Case(1, 2, 33, 70, 16, 5, MaskKind.FULL_WITH_EMPTY_ROWS, true),
                new Case(1, 1, 130, 130, 64, 64, MaskKind.NONE, false),
                new Case(1, 1, 130, 130, 64, 64, MaskKind.KEY_PADDING, true),
                new Case(2, 2, 130, 65, 16, 64, MaskKind.QUERY_KEY, true),
                new Case(1, 1, 64, 129, 8, 16, MaskKind.NONE, true),
                // more (batch, head) pairs than the kernel's 128 tasks: a task reuses its scratch for several heads
                new Case(67, 2, 9, 13, 8, 8, MaskKind.KEY_PADDING, true),
                new Case(65, 2, 9, 13, 3, 5, MaskKind.FULL_WITH_EMPTY_ROWS, false));
    }

    /** The values of one case, in float32 so that both backends see the same numbers. */
    record Data(Case c, float[] q, float[] k, float[] v, float[] mask, int[] maskShape, float[] gradOut, double scale) {
        static Data random(Case c, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] q = gaussian(r, c.b * c.tq * c.h * c.d, 1.5), k = gaussian(r, c.b * c.h * c.tk * c.d, 1.5);
            float[] v = gaussian(r, c.b * c.tk * c.h * c.dv, 1), g = gaussian(r, c.b * c.h * c.tq * c.dv, 1);
            int[] maskShape = switch (c.mask) {
                case NONE -> null;
                case KEY_PADDING -> new int[] {c.b, 1, 1, c.tk};
                case QUERY_KEY -> new int[] {1, 1, c.tq, c.tk};
                case FULL_WITH_EMPTY_ROWS -> new int[] {c.b, c.h, c.tq, c.tk};
            };
            float[] mask = null;
            if (maskShape != null) {
                int last = c.tk, rows = 1;
                for (int i = 0; i < 3; i++) rows *= maskShape[i];
                mask = new float[rows * last];
                for (int row = 0; row < rows; row++) {
                    boolean empty = c.mask == MaskKind.FULL_WITH_EMPTY_ROWS && row % 5 == 2;
                    for (int j = 0; j < last; j++) mask[row * last + j] = empty ? 0 : (j == 0 || r.nextDouble() < 0.7 ? 1 : 0);
                }
            }
            return new Data(c, q, k, v, mask, maskShape, g, 1 / Math.sqrt(c.d));
        }

        private static float[] gaussian(SplittableRandom r, int n, double sd) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (sd * r.nextGaussian());
            return x;
        }

        /** q and v are stored [B, T, H, D] (as a projection's output) and read as [B, H, T, D]; k contiguous. */
        View q(boolean f64) {
            return new View(storage(q, f64), new int[] {c.b, c.h, c.tq, c.d}, new int[] {c.tq * c.h * c.d, c.d, c.h * c.d, 1}, 0);
        }

        View k(boolean f64) {
            return View.contiguous(storage(k, f64), new int[] {c.b, c.h, c.tk, c.d});
        }

        View v(boolean f64) {
            return new View(storage(v, f64), new int[] {c.b, c.h, c.tk, c.dv}, new int[] {c.tk * c.h * c.dv, c.dv, c.h * c.dv, 1}, 0);
        }

        View gradOut(boolean f64) {
            return View.contiguous(storage(gradOut, f64), new int[] {c.b, c.h, c.tq, c.dv});
        }

        /** The mask broadcast to [B, H, Tq, Tk] through zero strides, or null. */
        View mask(boolean f64) {
            if (mask == null) return null;
            int[] st = View.contiguousStrides(maskShape);
            int[] full = {c.b, c.h, c.tq, c.tk};
            for (int i = 0; i < 4; i++) if (maskShape[i] == 1 && full[i] != 1) st[i] = 0;
            return new View(storage(mask, f64), full, st, 0);
        }
    }

    private static dev.myelin.backend.Storage storage(float[] x, boolean f64) {
        if (!f64) return new FloatStorage(x.clone());
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return new DoubleStorage(d);
    }

    /** out, logsumexp, dq, dk, dv of one backend, in double. */
    private static double[][] run(dev.myelin.backend.Backend be, Data data, boolean f64) {
        Case c = data.c;
        View q = data.q(f64), k = data.k(f64), v = data.v(f64), mask = data.mask(f64);
        View out = zeros(f64, c.b, c.h, c.tq, c.dv), lse = zeros(f64, c.b, c.h, c.tq);
        be.attention(q, k, v, mask, c.causal, data.scale, out, lse);
        View dq = zeros(f64, c.b, c.h, c.tq, c.d), dk = zeros(f64, c.b, c.h, c.tk, c.d), dv = zeros(f64, c.b, c.h, c.tk, c.dv);
        be.attentionBackward(q, k, v, mask, c.causal, data.scale, out, lse, data.gradOut(f64), dq, dk, dv);
        return new double[][] {values(out), values(lse), values(dq), values(dk), values(dv)};
    }

    private static View zeros(boolean f64, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return View.contiguous(f64 ? new DoubleStorage(new double[n]) : new FloatStorage(new float[n]), shape);
    }

    private static double[] values(View v) {
        double[] r = new double[v.size()];
        for (int i = 0; i < r.length; i++) r[i] = v.storage().get(v.indexOfLinear(i));
        return r;
    }

    private static final String[] NAMES = {"out", "logsumexp", "dq", "dk", "dv"};

    /**
     * |got − want| ≤ tol · max(1, max |want|), per output; the logsumexp (index 1 of five) element by element,
     * as a row whose keys are all masked has one near −1e9.
     */
    private static void assertClose(Case c, double[][] got, double[][] want, double tol) {
        for (int t = 0; t < got.length; t++) {
            double scale = 1;
            for (double w : want[t]) scale = Math.max(scale, Math.abs(w));
            for (int i = 0; i < want[t].length; i++) {
                double err = Math.abs(got[t][i] - want[t][i]);
                boolean lse = got.length == 5 && t == 1;
                double s = lse ? Math.max(1, Math.abs(want[t][i])) : scale;
                String name = got.length == 5 ? NAMES[t] : NAMES[t == 0 ? 0 : t + 1];
                assertTrue(err <= tol * s, c + ": " + name + " element " + i + ": got " + got[t][i] + " want " + want[t][i]);
            }
        }
    }

    /** The composed default in float32 (a backend of primitives only): the same roundings of the −1e9 bias. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedFloat32MatchesTheComposedDefaultInFloat32(Case c) {
        Data data = Data.random(c, c.toString().hashCode());
        double[][] want = run(new NaiveBackend(), data, false);
        double[][] got = run(CPU, data, false);
        assertClose(c, got, want, 2e-5);
    }

    /**
     * The composed default in float64 on the reference. Rows whose keys are all masked are left out: in
     * float32 their scores all round to −1e9 (uniform weights), in float64 they keep their differences.
     */
    /** Rows whose keys are all masked differ between float32 (uniform weights) and float64 (their scores kept) by design. */
    static Stream<Case> casesWithoutEmptyRows() {
        return cases().filter(c -> !c.hasEmptyRows());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesWithoutEmptyRows")
    void fusedFloat32MatchesTheReferenceInFloat64(Case c) {
        Data data = Data.random(c, c.toString().hashCode());
        double[][] want = run(REF, data, true);
        double[][] got = run(CPU, data, false);
        assertClose(c, got, want, 2e-5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void composedReferenceMatchesTheFormulaAsLoops(Case c) {
        Data data = Data.random(c, c.toString().hashCode());
        double[][] got = run(REF, data, true);
        double[][] want = loops(data);
        // in float64, −1e9 + s keeps s only to about 1e-7: rows with every key masked get that much error
        double tol = c.hasEmptyRows() ? 1e-6 : 1e-9;
        assertClose(c, new double[][] {got[0], got[2], got[3], got[4]}, want, tol);
    }

    /**
     * out, dq, dk, dv from the definition: s = (q·scale)·k + (1 − mask·causal)·(−1e9), P = softmax(s),
     * out = P·v; dv = Pᵀ·g, dP = g·vᵀ, dS = P∘(dP − Σ_j P·dP), dq = scale·dS·k, dk = scale·dSᵀ·q.
     */
    private static double[][] loops(Data data) {
        Case c = data.c;
        View q = data.q(true), k = data.k(true), v = data.v(true), mask = data.mask(true), g = data.gradOut(true);
        double[] out = new double[c.b * c.h * c.tq * c.dv], dq = new double[c.b * c.h * c.tq * c.d];
        double[] dk = new double[c.b * c.h * c.tk * c.d], dv = new double[c.b * c.h * c.tk * c.dv];
        for (int b = 0; b < c.b; b++) {
            for (int h = 0; h < c.h; h++) {
                int bh = b * c.h + h;
                for (int i = 0; i < c.tq; i++) {
                    double[] s = new double[c.tk], p = new double[c.tk], dp = new double[c.tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c.tk; j++) {
                        double dot = 0;
                        for (int e = 0; e < c.d; e++) dot += at(q, b, h, i, e) * data.scale * at(k, b, h, j, e);
                        double keep = (mask == null ? 1 : at(mask, b, h, i, j)) * (!c.causal || j <= i + c.tk - c.tq ? 1 : 0);
                        s[j] = dot + (1 - keep) * -1e9;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < c.tk; j++) sum += p[j] = Math.exp(s[j] - max);
                    double pdp = 0;
                    for (int j = 0; j < c.tk; j++) {
                        p[j] /= sum;
                        for (int e = 0; e < c.dv; e++) {
                            out[(bh * c.tq + i) * c.dv + e] += p[j] * at(v, b, h, j, e);
                            dv[(bh * c.tk + j) * c.dv + e] += p[j] * at(g, b, h, i, e);
                            dp[j] += at(g, b, h, i, e) * at(v, b, h, j, e);
                        }
                        pdp += p[j] * dp[j];
                    }
                    for (int j = 0; j < c.tk; j++) {
                        double ds = p[j] * (dp[j] - pdp);
                        for (int e = 0; e < c.d; e++) {
                            dq[(bh * c.tq + i) * c.d + e] += data.scale * ds * at(k, b, h, j, e);
                            dk[(bh * c.tk + j) * c.d + e] += data.scale * ds * at(q, b, h, i, e);
                        }
                    }
                }
            }
        }
        return new double[][] {out, dq, dk, dv};
    }

    private static double at(View x, int... index) {
        return x.storage().get(x.indexOf(index));
    }

    @Test
    void aRowWithEveryKeyMaskedGetsTheUniformAverageOfTheValues() {
        Case c = new Case(1, 1, 3, 5, 4, 2, MaskKind.FULL_WITH_EMPTY_ROWS, false);
        Data data = Data.random(c, 11);   // row 2 of the mask is all zeros
        double[][] got = run(CPU, data, false);
        View v = data.v(true);
        for (int e = 0; e < c.dv; e++) {
            double mean = 0;
            for (int j = 0; j < c.tk; j++) mean += at(v, 0, 0, j, e) / c.tk;
            double o = got[0][2 * c.dv + e];
            assertTrue(Math.abs(o - mean) <= 1e-5, "masked row, column " + e + ": got " + o + ", the mean of v is " + mean);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Case c = new Case(2, 3, 70, 130, 16, 24, MaskKind.KEY_PADDING, true);
        Data data = Data.random(c, 5);
        int previous = Parallel.threads();
        try {
            Parallel.setThreads(1);
            double[][] one = run(CPU, data, false);
            Parallel.setThreads(2);
            double[][] two = run(CPU, data, false);
            for (int t = 0; t < one.length; t++) assertArrayEquals(one[t], two[t], NAMES[t]);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    @Test
    void eachGradientAloneEqualsTheOnesComputedTogether() {
        Case c = new Case(1, 2, 33, 40, 8, 16, MaskKind.QUERY_KEY, true);
        Data data = Data.random(c, 9);
        double[][] all = run(CPU, data, false);
        View q = data.q(false), k = data.k(false), v = data.v(false), mask = data.mask(false);
        View out = zeros(false, c.b, c.h, c.tq, c.dv), lse = zeros(false, c.b, c.h, c.tq);
        CPU.attention(q, k, v, mask, c.causal, data.scale, out, lse);
        int[][] shapes = {{c.b, c.h, c.tq, c.d}, {c.b, c.h, c.tk, c.d}, {c.b, c.h, c.tk, c.dv}};
        for (int which = 0; which < 3; which++) {
            View[] grads = new View[3];
            grads[which] = zeros(false, shapes[which]);
            CPU.attentionBackward(q, k, v, mask, c.causal, data.scale, out, lse, data.gradOut(false), grads[0], grads[1], grads[2]);
            assertArrayEquals(all[2 + which], values(grads[which]), NAMES[2 + which] + " alone");
        }
    }

    /**
     * Memory linear in T, shown without a timer: a JVM with a 40 MB heap runs the forward and the backward
     * at T = 4096 (B = H = 1, D = 64), where one T×T float matrix alone would be 64 MB. The composed default
     * (which materialises it) fails there with an OutOfMemoryError, the fused kernel passes.
     */
    @Test
    void runsAtSequenceLength4096InA40MegabyteHeap() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx40m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), AttentionKernelsTest.class.getName(), "4096")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        assertTrue(rc == 0 && output.contains("DONE"), "the 40 MB run ended with " + rc + ":\n" + output);
    }

    /** The child of {@link #runsAtSequenceLength4096InA40MegabyteHeap}: fused forward and backward, causal, at T = args[0]. */
    public static void main(String[] args) {
        int t = Integer.parseInt(args[0]), d = 64;
        Data data = Data.random(new Case(1, 1, t, t, d, d, MaskKind.NONE, true), 3);
        View q = data.q(false), k = data.k(false), v = data.v(false), g = data.gradOut(false);
        View out = zeros(false, 1, 1, t, d), lse = zeros(false, 1, 1, t);
        View dq = zeros(false, 1, 1, t, d), dk = zeros(false, 1, 1, t, d), dv = zeros(false, 1, 1, t, d);
        CPU.attention(q, k, v, null, true, data.scale, out, lse);
        CPU.attentionBackward(q, k, v, null, true, data.scale, out, lse, g, dq, dk, dv);
        for (View x : new View[] {out, dq, dk, dv}) {
            for (double e : values(x)) if (!Double.isFinite(e)) throw new AssertionError("a non-finite result");
        }
        System.out.println("DONE");
    }
}
