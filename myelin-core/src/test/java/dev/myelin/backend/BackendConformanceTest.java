package dev.myelin.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite every backend passes: its float32 kernels against {@link ReferenceBackend},
 * which defines them (double arithmetic, rounded once to float). A backend's test extends this class and
 * says which backend it checks ({@link #subject}); inputs are uploaded to the subject's own storages and
 * outputs downloaded (whole storages, so writes outside an output view are caught), so the suite never
 * assumes the subject's storage type.
 *
 * <p>Every kernel runs on awkward sizes (0, 1, lane − 1, lane, lane + 1, 17, 33, 129, 1000) in
 * contiguous, transposed, stepped (stride 2, offset 1), broadcast (stride 0 on the first or last axis)
 * and scalar layouts, into contiguous, stepped and transposed outputs and in place; inputs mix
 * Gaussian, wide and tiny values with ±0, ±∞, NaN, subnormals, ±Float.MAX_VALUE and the
 * overflow/underflow edges of exp. Elements of an output's storage outside its view must stay untouched.
 *
 * <p>Accuracy bounds checked (ε = 2^-24, the float unit roundoff; ±0 compare equal; NaN equals NaN):
 * <ul>
 *   <li>exact: copy, fill, where, every binary op, and the unary ops NEG ABS SQUARE RECIPROCAL SQRT
 *       RELU CLAMP INSIDE SIGN (and GELU, GELU_DERIVATIVE, POW_SCALAR, which stay scalar); gather and
 *       scatter-add along an axis (repeated indices add in index order); the SGD, RMSprop and Adagrad
 *       updates (one rounding per operation, in the optimizers' order);</li>
 *   <li>|err| ≤ 2.5e-7·|ref| (2 ulp): RSQRT, LEAKY_RELU (float slope);</li>
 *   <li>|err| ≤ 1e-6·|ref| + 3e-45 (a few ulp, two subnormal ulp): EXP LOG LOG1P TANH SIGMOID
 *       SOFTPLUS ELU (measured worst over 17M inputs: 2.7 ulp, sigmoid);</li>
 *   <li>sums: |err| ≤ (min(n, 256) + ⌈n/256⌉ + 2)·ε·Σ|x| over the n summed elements (float
 *       accumulation in blocks of at most 256 additions per lane or column); max, min, arg-max and
 *       arg-min exact;</li>
 *   <li>matrix products, convolution and pooling (and their gradients), the Adam update:
 *       |err| ≤ 1e-5·Σ|terms| of each result element (max pooling exact);</li>
 *   <li>softmax: |err| ≤ (|x − max| + ln n + 24)·ε·|ref| + 3e-45, log-softmax:
 *       |err| ≤ (2·|ref| + ln n + 24)·ε, for rows of n; the |x − max| term is float32's own: x − max
 *       rounded to float carries that much relative error into exp (see assertSoftmaxClose); a backend
 *       that sums rows in another order widens the ln n term ({@link #softmaxSumSlack}).</li>
 * </ul>
 */
public abstract class BackendConformanceTest {
    protected static final ReferenceBackend REF = new ReferenceBackend();
    /** Vector lanes of this machine's preferred float species: sizes around it reach SIMD loop tails. */
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();
    private static final int[] SIZES = {0, 1, LANES - 1, LANES, LANES + 1, 17, 33, 129, 1000};
    private static final float[] SPECIALS = {
        0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f, 0.5f,
        88.7f, 89f, -87.5f, -103.9f, -110f, 100f, -100f, 1e30f, -1e30f, 1e-40f, -1e-40f,
        Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-8f, -1e-8f, 0.625f, -0.625f
    };
    private static final double SUBNORMAL_ATOL = 3e-45;

    /** The backend under test. */
    protected abstract Backend subject();

    /**
     * Extra units of ε (relative) that the subject's softmax may add for rows of {@code n}: 0 for a
     * backend that sums a row as exactly as the CPU kernels, about {@code n} for one that sums it
     * sequentially in float32 (as the default composed from the primitives does).
     */
    protected double softmaxSumSlack(int n) {
        return 0;
    }

    protected enum Layout { CONTIGUOUS, TRANSPOSED, STEPPED, BROADCAST_FIRST, BROADCAST_LAST, SCALAR }

    private static final Layout[] OUT_LAYOUTS = {Layout.CONTIGUOUS, Layout.STEPPED, Layout.TRANSPOSED};

    // ---- element-wise ----

    @TestFactory
    Stream<DynamicTest> unaryOps() {
        return Stream.of(UnaryOp.values()).map(op -> DynamicTest.dynamicTest(op.name(), () -> {
            double p = switch (op) {
                case LEAKY_RELU -> 0.2;
                case ELU -> 0.7;
                case CLAMP, INSIDE -> -0.3;
                case POW_SCALAR -> 2.5;
                default -> 0;
            };
            double q = op == UnaryOp.CLAMP || op == UnaryOp.INSIDE ? 0.7 : 0;
            double rtol = switch (op) {
                case RSQRT, LEAKY_RELU -> 2.5e-7;
                case EXP, LOG, LOG1P, TANH, SIGMOID, SOFTPLUS, ELU -> 1e-6;
                default -> 0;
            };
            double atol = rtol == 0 ? 0 : SUBNORMAL_ATOL;
            SplittableRandom rnd = new SplittableRandom(op.ordinal());
            int k = 0;
            for (int[] shape : elementwiseShapes()) {
                for (Layout in : Layout.values()) {
                    View x = make(shape, in, rnd, true);
                    Layout outLayout = OUT_LAYOUTS[k++ % OUT_LAYOUTS.length];
                    View want = make(shape, outLayout, rnd, false), got = duplicate(want);
                    REF.unary(op, p, q, x, want);
                    onSubject(got, out -> subject().unary(op, p, q, up(x), out));
                    assertStorageClose(op + " " + describe(shape, in, outLayout), want, got, rtol, atol);
                }
                // In place: out is x itself.
                View x = make(shape, Layout.CONTIGUOUS, rnd, true), y = duplicate(x);
                REF.unary(op, p, q, x, x);
                onSubject(y, out -> subject().unary(op, p, q, out, out));
                assertStorageClose(op + " in place " + describe(shape), x, y, rtol, atol);
            }
        }));
    }

    @Test
    void transcendentalsAtLargeAndSpecialArguments() {
        float[] xs = {-1e30f, -200f, -104f, -103.9f, -88f, -87.5f, -50f, -20f, -9f, -1f, -1e-3f, -1e-7f, -0f, 0f,
                      1e-7f, 1e-3f, 1f, 9f, 20f, 50f, 88.5f, 88.72f, 88.73f, 89f, 200f, 1e30f,
                      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, 1e-40f};
        for (UnaryOp op : List.of(UnaryOp.EXP, UnaryOp.SIGMOID, UnaryOp.SOFTPLUS, UnaryOp.TANH, UnaryOp.ELU,
                                  UnaryOp.LOG, UnaryOp.LOG1P)) {
            // Pad to two full vectors so every value goes through the vector path, not the scalar tail.
            float[] data = new float[((xs.length + LANES - 1) / LANES + 1) * LANES];
            for (int i = 0; i < data.length; i++) data[i] = xs[i % xs.length];
            View x = new View(new FloatStorage(data), new int[] {data.length}, new int[] {1}, 0);
            View want = make(x.shape(), Layout.CONTIGUOUS, new SplittableRandom(1), false), got = duplicate(want);
            REF.unary(op, 1.0, 0, x, want);
            onSubject(got, out -> subject().unary(op, 1.0, 0, up(x), out));
            assertStorageClose(op + " special arguments", want, got, 1e-6, SUBNORMAL_ATOL);
        }
    }

    @TestFactory
    Stream<DynamicTest> binaryOps() {
        return Stream.of(BinaryOp.values()).map(op -> DynamicTest.dynamicTest(op.name(), () -> {
            SplittableRandom rnd = new SplittableRandom(100 + op.ordinal());
            int k = 0;
            for (int[] shape : elementwiseShapes()) {
                for (Layout la : Layout.values()) {
                    for (Layout lb : Layout.values()) {
                        View a = make(shape, la, rnd, true), b = make(shape, lb, rnd, true);
                        if (op.ordinal() % 2 == 0) copyFrom(b, a, rnd);   // some equal elements for EQ, LE, MAXIMUM ties
                        Layout lo = OUT_LAYOUTS[k++ % OUT_LAYOUTS.length];
                        View want = make(shape, lo, rnd, false), got = duplicate(want);
                        REF.binary(op, a, b, want);
                        onSubject(got, out -> subject().binary(op, up(a), up(b), out));
                        assertStorageClose(op + " " + describe(shape, la, lb, lo), want, got, 0, 0);
                    }
                }
                View a = make(shape, Layout.CONTIGUOUS, rnd, true), b = make(shape, Layout.BROADCAST_LAST, rnd, true);
                View a2 = duplicate(a);
                REF.binary(op, a, b, a);
                onSubject(a2, out -> subject().binary(op, out, up(b), out));
                assertStorageClose(op + " in place " + describe(shape), a, a2, 0, 0);
            }
        }));
    }

    /** {@code [rows, c] op [c]} and {@code [c] op [rows, c]} (the bias-add pattern, run in tiled blocks of rows). */
    @Test
    void rowBroadcastBinaryOps() {
        SplittableRandom rnd = new SplittableRandom(77);
        int[] cs = {1, LANES - 1, LANES, LANES + 1, 17, 33, 129, 511, 600};
        int[] rowCounts = {0, 1, 2, 33, 129, 3000};
        for (BinaryOp op : BinaryOp.values()) {
            for (int c : cs) {
                for (int rows : rowCounts) {
                    if ((long) rows * c > 300_000) continue;
                    int[] shape = {rows, c};
                    for (boolean rowFirst : new boolean[] {false, true}) {
                        View full = make(shape, Layout.CONTIGUOUS, rnd, true), row = make(shape, Layout.BROADCAST_FIRST, rnd, true);
                        View a = rowFirst ? row : full, b = rowFirst ? full : row;
                        View want = make(shape, Layout.CONTIGUOUS, rnd, false), got = duplicate(want);
                        REF.binary(op, a, b, want);
                        onSubject(got, out -> subject().binary(op, up(a), up(b), out));
                        assertStorageClose(op + " " + rows + "x" + c + (rowFirst ? " row op full" : " full op row"), want, got, 0, 0);
                    }
                    // In place, with an offset, and as [rows/3, 3, c] (merged to two dimensions).
                    View x = make(shape, Layout.STEPPED, rnd, true);
                    View xs = new View(x.storage(), shape, new int[] {c, 1}, 1), y = duplicate(xs);
                    View bias = make(shape, Layout.BROADCAST_FIRST, rnd, true);
                    REF.binary(op, xs, bias, xs);
                    onSubject(y, out -> subject().binary(op, out, up(bias), out));
                    assertStorageClose(op + " in place " + rows + "x" + c, xs, y, 0, 0);
                    if (rows % 3 == 0 && rows > 0) {
                        int[] s3 = {rows / 3, 3, c};
                        View f3 = make(s3, Layout.CONTIGUOUS, rnd, true);
                        View b3 = new View(bias.storage(), s3, new int[] {0, 0, 1}, 0);
                        View w3 = make(s3, Layout.CONTIGUOUS, rnd, false), g3 = duplicate(w3);
                        REF.binary(op, f3, b3, w3);
                        onSubject(g3, out -> subject().binary(op, up(f3), up(b3), out));
                        assertStorageClose(op + " rank 3 " + rows + "x" + c, w3, g3, 0, 0);
                    }
                }
            }
        }
    }

    @Test
    void whereSelects() {
        SplittableRandom rnd = new SplittableRandom(7);
        int k = 0;
        for (int[] shape : elementwiseShapes()) {
            for (Layout lc : Layout.values()) {
                for (Layout la : new Layout[] {Layout.CONTIGUOUS, Layout.STEPPED, Layout.SCALAR}) {
                    for (Layout lb : new Layout[] {Layout.TRANSPOSED, Layout.BROADCAST_FIRST, Layout.SCALAR}) {
                        View c = make(shape, lc, rnd, true);
                        float[] cd = ((FloatStorage) c.storage()).data();
                        for (int i = 0; i < cd.length; i++) {
                            if (i % 3 == 0) cd[i] = i % 2 == 0 ? 0f : -0f;   // zeros select b, anything else (NaN too) a
                        }
                        View a = make(shape, la, rnd, true), b = make(shape, lb, rnd, true);
                        Layout lo = OUT_LAYOUTS[k++ % OUT_LAYOUTS.length];
                        View want = make(shape, lo, rnd, false), got = duplicate(want);
                        REF.where(c, a, b, want);
                        onSubject(got, out -> subject().where(up(c), up(a), up(b), out));
                        assertStorageClose("where " + describe(shape, lc, la, lb, lo), want, got, 0, 0);
                    }
                }
            }
        }
    }

    @Test
    void copyAndFill() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int[] shape : elementwiseShapes()) {
            for (Layout in : Layout.values()) {
                for (Layout lo : OUT_LAYOUTS) {
                    View src = make(shape, in, rnd, true);
                    View want = make(shape, lo, rnd, false), got = duplicate(want);
                    REF.copy(src, want);
                    onSubject(got, out -> subject().copy(up(src), out));
                    assertStorageClose("copy " + describe(shape, in, lo), want, got, 0, 0);
                }
            }
            for (Layout lo : OUT_LAYOUTS) {
                View want = make(shape, lo, rnd, false), got = duplicate(want);
                REF.fill(want, 0.1);
                onSubject(got, out -> subject().fill(out, 0.1));
                assertStorageClose("fill " + describe(shape, lo), want, got, 0, 0);
            }
        }
    }

    // ---- reductions ----

    @TestFactory
    Stream<DynamicTest> reductions() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ReduceOp op : ReduceOp.values()) {
            tests.add(DynamicTest.dynamicTest(op.name(), () -> {
                SplittableRandom rnd = new SplittableRandom(200 + op.ordinal());
                for (int n : SIZES) {
                    int[][] shapes = {{n}, {4, n}, {n, 5}, {3, 5, n}, {2, n, 3}};
                    for (int[] shape : shapes) {
                        for (int[] axes : axisSets(shape.length)) {
                            if (op != ReduceOp.SUM && reducesEmptyAxis(shape, axes)) continue;   // caller's error
                            for (Layout in : new Layout[] {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STEPPED,
                                                           Layout.BROADCAST_FIRST, Layout.BROADCAST_LAST}) {
                                for (Layout lo : new Layout[] {Layout.CONTIGUOUS, Layout.STEPPED}) {
                                    checkReduce(op, shape, axes, in, lo, rnd, op != ReduceOp.SUM);
                                }
                            }
                        }
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void reductionsPropagateNaNAndInfinity() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] axes : new int[][] {{1}, {0}, {0, 1}}) {
                int[] shape = {70, 3 * LANES + 5};
                View x = make(shape, Layout.CONTIGUOUS, rnd, false);
                float[] d = ((FloatStorage) x.storage()).data();
                d[5] = Float.NaN;
                d[shape[1] + 7] = Float.POSITIVE_INFINITY;
                d[2 * shape[1] + 9] = Float.NEGATIVE_INFINITY;
                d[3 * shape[1] + LANES + 1] = Float.NaN;
                View want = make(keptShape(shape, axes), Layout.CONTIGUOUS, rnd, false), got = duplicate(want);
                REF.reduce(op, x, want);
                onSubject(got, out -> subject().reduce(op, up(x), out));
                // Finite sums differ by rounding (|x| ≤ 30, at most 70·62 terms: far inside 1e-4 relative).
                boolean sum = op == ReduceOp.SUM;
                assertStorageClose(op + " with NaN/inf over " + java.util.Arrays.toString(axes), want, got,
                        sum ? 1e-4 : 0, sum ? 1e-3 : 0);
            }
        }
    }

    @Test
    void largeColumnAndRowSums() {
        SplittableRandom rnd = new SplittableRandom(10);
        // Enough rows for several row blocks; a few long rows for the chunk-parallel path.
        checkReduce(ReduceOp.SUM, new int[] {3000, 37}, new int[] {0}, Layout.CONTIGUOUS, Layout.CONTIGUOUS, rnd, false);
        checkReduce(ReduceOp.SUM, new int[] {5, 600, 20}, new int[] {1}, Layout.CONTIGUOUS, Layout.STEPPED, rnd, false);
        checkReduce(ReduceOp.MAX, new int[] {3000, 37}, new int[] {0}, Layout.CONTIGUOUS, Layout.CONTIGUOUS, rnd, false);
        checkReduce(ReduceOp.SUM, new int[] {2, 70_000}, new int[] {1}, Layout.CONTIGUOUS, Layout.CONTIGUOUS, rnd, false);
        checkReduce(ReduceOp.SUM, new int[] {70_000}, new int[] {0}, Layout.STEPPED, Layout.CONTIGUOUS, rnd, false);
        // global average pooling's sums over height and width: parallel tasks of whole runs of channels (64, and 37
        // with a tail), the runs of a task at outer strides of a batch
        checkReduce(ReduceOp.SUM, new int[] {32, 14, 14, 64}, new int[] {1, 2}, Layout.CONTIGUOUS, Layout.CONTIGUOUS, rnd, false);
        checkReduce(ReduceOp.SUM, new int[] {40, 7, 7, 37}, new int[] {1, 2}, Layout.CONTIGUOUS, Layout.CONTIGUOUS, rnd, false);
        checkReduce(ReduceOp.MAX, new int[] {32, 14, 14, 64}, new int[] {1, 2}, Layout.CONTIGUOUS, Layout.CONTIGUOUS, rnd, false);
    }

    @Test
    void argMaxAndArgMin() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            for (int n : SIZES) {
                if (n == 0) continue;
                for (int[] shape : new int[][] {{n}, {4, n}, {n, 3}, {3, 2, n}}) {
                    for (int axis = 0; axis < shape.length; axis++) {
                        for (Layout in : new Layout[] {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STEPPED,
                                                       Layout.BROADCAST_LAST}) {
                            View x = make(shape, in, rnd, false);
                            float[] d = ((FloatStorage) x.storage()).data();
                            for (int i = 0; i < d.length; i++) d[i] = Math.round(d[i] * 2);   // ties
                            if (n > 5 && rnd.nextInt(3) == 0) d[rnd.nextInt(d.length)] = Float.NaN;
                            int[] outShape = shape.clone();
                            outShape[axis] = 1;
                            View want = make(outShape, Layout.CONTIGUOUS, rnd, false), got = duplicate(want);
                            REF.argReduce(op, x, axis, want);
                            int a = axis;
                            onSubject(got, out -> subject().argReduce(op, up(x), a, out));
                            assertStorageClose("arg" + op + " axis " + axis + " " + describe(shape, in), want, got, 0, 0);
                        }
                    }
                }
            }
        }
    }

    // ---- softmax ----

    @TestFactory
    Stream<DynamicTest> softmaxAndLogSoftmax() {
        return Stream.of(false, true).map(log -> DynamicTest.dynamicTest(log ? "log-softmax" : "softmax", () -> {
            SplittableRandom rnd = new SplittableRandom(log ? 13 : 12);
            for (int n : SIZES) {
                for (int[] shape : new int[][] {{n}, {4, n}, {3, 2, n}}) {
                    for (Layout in : new Layout[] {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STEPPED,
                                                   Layout.BROADCAST_FIRST}) {
                        for (Layout lo : OUT_LAYOUTS) {
                            View x = make(shape, in, rnd, false);
                            View want = make(shape, lo, rnd, false), got = duplicate(want);
                            REF.softmax(x, want, log);
                            onSubject(got, out -> subject().softmax(up(x), out, log));
                            assertSoftmaxClose((log ? "log-softmax " : "softmax ") + describe(shape, in, lo),
                                    x, want, got, log);
                        }
                    }
                    View x = make(shape, Layout.CONTIGUOUS, rnd, false), y = duplicate(x);
                    View x0 = duplicate(x);
                    REF.softmax(x, x, log);
                    onSubject(y, out -> subject().softmax(out, out, log));
                    assertSoftmaxClose("in place " + describe(shape), x0, x, y, log);
                }
            }
            // Rows with extreme values: a huge spread, ±inf, NaN, all −inf.
            float inf = Float.POSITIVE_INFINITY;
            float[][] rows = {
                {1e30f, -1e30f, 0f, 5f}, {80f, -80f, 0f, 79.5f}, {-inf, 1f, 2f, -inf}, {inf, 1f, 2f, 3f},
                {Float.NaN, 1f, 2f, 3f}, {-inf, -inf, -inf, -inf}, {1000f, 1000f, -1000f, 999f}
            };
            for (float[] row : rows) {
                float[] data = new float[(LANES + 1) * row.length];
                for (int i = 0; i < data.length; i++) data[i] = row[i % row.length] + (i / row.length) * 0.25f;
                View x = new View(new FloatStorage(data), new int[] {data.length}, new int[] {1}, 0);
                View want = make(x.shape(), Layout.CONTIGUOUS, rnd, false), got = duplicate(want);
                REF.softmax(x, want, log);
                onSubject(got, out -> subject().softmax(up(x), out, log));
                assertSoftmaxClose("special row " + java.util.Arrays.toString(row), x, want, got, log);
            }
        }));
    }

    // ---- transfers ----

    @Test
    void uploadAndDownloadKeepRowMajorOrder() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Storage s = subject().upload(data);
        data[0] = 99;   // upload copies
        float[] back = new float[6];
        subject().download(View.contiguous(s, new int[] {2, 3}), back);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, back);
        float[] transposed = new float[6];
        subject().download(new View(s, new int[] {3, 2}, new int[] {1, 3}, 0), transposed);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, transposed);
        Storage d = subject().upload(new double[] {0.1, -2.5, 1e300});
        double[] exact = new double[3];
        subject().download(View.contiguous(d, new int[] {3}), exact);
        assertArrayEquals(new double[] {0.1, -2.5, 1e300}, exact);
        float[] rounded = new float[2];
        subject().download(new View(d, new int[] {2}, new int[] {1}, 1), rounded);
        assertArrayEquals(new float[] {-2.5f, Float.POSITIVE_INFINITY}, rounded);
        assertEquals(DType.FLOAT32, subject().allocate(DType.FLOAT32, 3).dtype());
        assertEquals(3, subject().allocate(DType.FLOAT64, 3).length());
    }

    // ---- matrix products and gathers ----

    @Test
    void matmulOverStridedAndBroadcastOperands() {
        SplittableRandom rnd = new SplittableRandom(21);
        int[][] sizes = {{1, 1, 1, 1}, {2, 3, 4, 5}, {1, 17, 33, 9}, {3, LANES + 1, 7, 2 * LANES + 3}, {2, 0, 4, 3}, {2, 5, 0, 3}};
        for (int[] bmkn : sizes) {
            int batch = bmkn[0], m = bmkn[1], k = bmkn[2], n = bmkn[3];
            for (int la = 0; la < 3; la++) {
                for (int lb = 0; lb < 3; lb++) {
                    View a = matrix(batch, m, k, la, rnd), b = matrix(batch, k, n, lb, rnd);
                    int[] outShape = {batch, m, n};
                    View want = make(outShape, Layout.CONTIGUOUS, rnd, false), got = duplicate(want);
                    View mag = duplicate(want);
                    REF.matmul(a, b, want);
                    REF.matmul(abs(a), abs(b), mag);
                    onSubject(got, out -> subject().matmul(up(a), up(b), out));
                    assertMagnitudeClose("matmul " + describe(bmkn, la, lb), want, got, mag);
                }
            }
        }
    }

    /** A {@code [batch, rows, cols]} operand: 0 contiguous, 1 transposed (swapped strides), 2 one matrix broadcast over the batch. */
    private static View matrix(int batch, int rows, int cols, int layout, SplittableRandom rnd) {
        float[] data = new float[Math.max(1, (layout == 2 ? 1 : batch) * rows * cols)];
        for (int i = 0; i < data.length; i++) data[i] = value(rnd, false);
        int[] shape = {batch, rows, cols};
        return switch (layout) {
            case 0 -> new View(new FloatStorage(data), shape, new int[] {rows * cols, cols, 1}, 0);
            case 1 -> new View(new FloatStorage(data), shape, new int[] {rows * cols, 1, rows}, 0);
            default -> new View(new FloatStorage(data), shape, new int[] {0, cols, 1}, 0);
        };
    }

    @Test
    void indexSelectAndIndexAdd() {
        SplittableRandom rnd = new SplittableRandom(22);
        int[] indices = {4, 0, 4, 2};
        for (int axis = 0; axis < 2; axis++) {
            int[] xShape = {5, 7};
            View x = make(xShape, axis == 0 ? Layout.CONTIGUOUS : Layout.TRANSPOSED, rnd, true);
            int[] outShape = xShape.clone();
            outShape[axis] = indices.length;
            View want = make(outShape, Layout.STEPPED, rnd, false), got = duplicate(want);
            REF.indexSelect(x, axis, indices, want);
            int a = axis;
            onSubject(got, out -> subject().indexSelect(up(x), a, indices, out));
            assertStorageClose("indexSelect axis " + axis, want, got, 0, 0);

            View src = make(outShape, Layout.CONTIGUOUS, rnd, false);
            View dst = make(xShape, Layout.STEPPED, rnd, false), dst2 = duplicate(dst);
            REF.indexAdd(src, axis, indices, dst);
            onSubject(dst2, out -> subject().indexAdd(up(src), a, indices, out));
            assertStorageClose("indexAdd axis " + axis, dst, dst2, 1e-6, 1e-30);
        }
    }

    /**
     * Gather and scatter-add along each axis of a rank-3 view whose rows (the dimensions after the axis)
     * have awkward widths, from contiguous, transposed, stepped and broadcast sources, with
     * repeated indices and with none. Both are exact: a scatter-add adds each source row in index order,
     * one rounding per addition, like the reference.
     */
    @Test
    void indexSelectAndIndexAddAlongEveryAxis() {
        SplittableRandom rnd = new SplittableRandom(24);
        for (int d : new int[] {1, 3, 13, 128}) {
            int[] xShape = {4, 6, d};
            for (int axis = 0; axis < 3; axis++) {
                int size = xShape[axis];
                int[] repeats = {size - 1, 0, size - 1, size / 2, 0, size - 1, 1 % size};
                for (int[] indices : new int[][] {repeats, {}}) {
                    int[] outShape = xShape.clone();
                    outShape[axis] = indices.length;
                    int a = axis;
                    for (Layout in : new Layout[] {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STEPPED, Layout.BROADCAST_LAST, Layout.SCALAR}) {
                        String what = " axis " + axis + " " + describe(xShape, in) + " indices " + java.util.Arrays.toString(indices);
                        Layout outLayout = in == Layout.STEPPED ? Layout.CONTIGUOUS : Layout.STEPPED;
                        View x = make(xShape, in, rnd, true);
                        View want = make(outShape, outLayout, rnd, false), got = duplicate(want);
                        REF.indexSelect(x, axis, indices, want);
                        onSubject(got, out -> subject().indexSelect(up(x), a, indices, out));
                        assertStorageClose("indexSelect" + what, want, got, 0, 0);
                        View src = make(outShape, in, rnd, false);
                        View dst = make(xShape, outLayout, rnd, false), dst2 = duplicate(dst);
                        REF.indexAdd(src, axis, indices, dst);
                        onSubject(dst2, out -> subject().indexAdd(up(src), a, indices, out));
                        assertStorageClose("indexAdd" + what, dst, dst2, 0, 0);
                    }
                }
            }
        }
    }

    // ---- convolution and pooling ----

    /** Batch, image, channels, filters, kernel, stride, dilation, top/left padding, extra bottom/right padding. */
    private record Conv(int n, int h, int w, int c, int f, int kh, int kw, int s, int d, int pad, int extra) {
        int oh() {
            return Math.max(0, (h + 2 * pad + extra - d * (kh - 1) - 1) / s + 1);
        }

        int ow() {
            return Math.max(0, (w + 2 * pad + extra - d * (kw - 1) - 1) / s + 1);
        }
    }

    @Test
    void conv2dAndItsGradients() {
        List<Conv> convs = List.of(new Conv(1, 5, 5, 1, 1, 1, 1, 1, 1, 0, 0), new Conv(2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 0),
                new Conv(3, 7, 9, 8, 4, 3, 3, 2, 1, 0, 1), new Conv(1, 9, 7, 3, 5, 5, 3, 1, 2, 2, 1),
                new Conv(2, 6, 7, 4, 17, 3, 3, 2, 2, 2, 0), new Conv(2, 28, 28, 1, 8, 3, 3, 1, 1, 0, 0),
                new Conv(2, 2, 2, 3, 4, 3, 3, 1, 1, 0, 0));
        for (Conv cv : convs) {
            SplittableRandom rnd = new SplittableRandom(cv.hashCode());
            int[] xs = {cv.n, cv.h, cv.w, cv.c}, ks = {cv.kh, cv.kw, cv.c, cv.f}, ys = {cv.n, cv.oh(), cv.ow(), cv.f};
            Conv2dSpec spec = new Conv2dSpec(cv.s, cv.s, cv.d, cv.d, cv.pad, cv.pad);
            View x = make(xs, Layout.CONTIGUOUS, rnd, false), k = make(ks, Layout.CONTIGUOUS, rnd, false);
            View dy = make(ys, Layout.CONTIGUOUS, rnd, false);

            View y = make(ys, Layout.CONTIGUOUS, rnd, false), yGot = duplicate(y), yMag = duplicate(y);
            REF.conv2d(x, k, spec, y);
            REF.conv2d(abs(x), abs(k), spec, yMag);
            onSubject(yGot, out -> subject().conv2d(up(x), up(k), spec, out));
            assertMagnitudeClose("conv2d " + cv, y, yGot, yMag);

            View dx = make(xs, Layout.CONTIGUOUS, rnd, false), dxGot = duplicate(dx), dxMag = duplicate(dx);
            REF.conv2dBackwardInput(dy, k, spec, dx);
            REF.conv2dBackwardInput(abs(dy), abs(k), spec, dxMag);
            onSubject(dxGot, out -> subject().conv2dBackwardInput(up(dy), up(k), spec, out));
            assertMagnitudeClose("conv2dBackwardInput " + cv, dx, dxGot, dxMag);

            View dk = make(ks, Layout.CONTIGUOUS, rnd, false), dkGot = duplicate(dk), dkMag = duplicate(dk);
            REF.conv2dBackwardKernel(x, dy, spec, dk);
            REF.conv2dBackwardKernel(abs(x), abs(dy), spec, dkMag);
            onSubject(dkGot, out -> subject().conv2dBackwardKernel(up(x), up(dy), spec, out));
            assertMagnitudeClose("conv2dBackwardKernel " + cv, dk, dkGot, dkMag);
        }
    }

    @Test
    void pool2dAndItsGradient() {
        // n, h, w, c, pool, stride, pad (top/left; bottom/right as Keras "same" gives)
        int[][] pools = {{1, 4, 4, 1, 2, 2, 0}, {2, 7, 9, 3, 3, 2, 1}, {2, 5, 5, 4, 3, 1, 1}, {1, 6, 7, 2, 2, 3, 0},
                         {3, 28, 28, 8, 2, 2, 0}, {1, 1, 1, 2, 3, 1, 1}};
        for (PoolMode mode : PoolMode.values()) {
            for (int[] p : pools) {
                SplittableRandom rnd = new SplittableRandom(31 * mode.ordinal() + p[1] * 7 + p[4]);
                int oh = (p[1] + 2 * p[6] - p[4]) / p[5] + 1, ow = (p[2] + 2 * p[6] - p[4]) / p[5] + 1;
                int[] xs = {p[0], p[1], p[2], p[3]}, ys = {p[0], oh, ow, p[3]};
                Pool2dSpec spec = new Pool2dSpec(p[4], p[4], p[5], p[5], p[6], p[6]);
                String what = mode + " pool " + describe(p);
                View x = make(xs, Layout.CONTIGUOUS, rnd, false);
                float[] xd = ((FloatStorage) x.storage()).data();
                for (int i = 0; i < xd.length; i++) xd[i] = Math.round(xd[i] * 2) / 2f;   // ties: the first maximum wins
                if (mode == PoolMode.MAX && xd.length > 9) xd[9] = Float.NaN;

                View y = make(ys, Layout.CONTIGUOUS, rnd, false), yGot = duplicate(y), yMag = duplicate(y);
                REF.pool2d(mode, x, spec, y);
                REF.pool2d(mode, abs(x), spec, yMag);
                onSubject(yGot, out -> subject().pool2d(mode, up(x), spec, out));
                if (mode == PoolMode.MAX) assertStorageClose(what, y, yGot, 0, 0);
                else assertMagnitudeClose(what, y, yGot, yMag);

                View dy = make(ys, Layout.CONTIGUOUS, rnd, false);
                View dx = make(xs, Layout.CONTIGUOUS, rnd, false), dxGot = duplicate(dx), dxMag = duplicate(dx);
                REF.pool2dBackward(mode, x, y, dy, spec, dx);
                REF.pool2dBackward(mode, x, y, abs(dy), spec, dxMag);
                onSubject(dxGot, out -> subject().pool2dBackward(mode, up(x), up(y), up(dy), spec, out));
                assertMagnitudeClose(what + " backward", dx, dxGot, dxMag);
            }
        }
    }

    // ---- optimizer update ----

    @Test
    void adamUpdateInPlace() {
        SplittableRandom rnd = new SplittableRandom(23);
        for (int n : SIZES) {
            int[] shape = {n};
            View w = make(shape, Layout.CONTIGUOUS, rnd, false), g = make(shape, Layout.CONTIGUOUS, rnd, false);
            View m = make(shape, Layout.CONTIGUOUS, rnd, false), v = make(shape, Layout.CONTIGUOUS, rnd, false);
            REF.unary(UnaryOp.SQUARE, 0, 0, v, v);   // second moments are not negative
            View w2 = duplicate(w), m2 = duplicate(m), v2 = duplicate(v);
            View wd = up(w2), gd = up(g), md = up(m2), vd = up(v2);
            REF.adamUpdate(w, g, m, v, 1e-3, 0.9, 0.999, 1e-7);
            subject().adamUpdate(wd, gd, md, vd, 1e-3, 0.9, 0.999, 1e-7);
            down(wd, w2);
            down(md, m2);
            down(vd, v2);
            assertStorageClose("adam w n=" + n, w, w2, 1e-6, 1e-30);
            assertStorageClose("adam m n=" + n, m, m2, 1e-6, 1e-30);
            assertStorageClose("adam v n=" + n, v, v2, 1e-6, 1e-30);
        }
    }

    /**
     * SGD, RMSprop and Adagrad steps in every variant (a null slot is an absent one) against the reference,
     * exactly: one rounding per operation in a fixed order, as the optimizers' tensor code.
     */
    @Test
    void sgdRmspropAndAdagradUpdatesInPlace() {
        SplittableRandom rnd = new SplittableRandom(25);
        for (int n : SIZES) {
            int[] shape = {n};
            for (int variant = 0; variant < 4; variant++) {
                boolean first = (variant & 1) != 0, second = (variant & 2) != 0;
                View w = make(shape, Layout.CONTIGUOUS, rnd, false), g = make(shape, Layout.CONTIGUOUS, rnd, false);
                View v = make(shape, Layout.CONTIGUOUS, rnd, false), a = make(shape, Layout.CONTIGUOUS, rnd, false);
                View m = make(shape, Layout.CONTIGUOUS, rnd, false);
                REF.unary(UnaryOp.SQUARE, 0, 0, v, v);   // second moments and accumulators are not negative
                View w2 = duplicate(w), v2 = duplicate(v), a2 = duplicate(a), m2 = duplicate(m);
                View wd = up(w2), gd = up(g), vd = up(v2), ad = up(a2), md = up(m2);
                String what = " n=" + n + " variant " + variant;

                REF.sgdUpdate(w, g, first ? m : null, 0.05, 0.9, second);
                subject().sgdUpdate(wd, gd, first ? md : null, 0.05, 0.9, second);
                down(wd, w2);
                down(md, m2);
                assertStorageClose("sgd w" + what, w, w2, 0, 0);
                assertStorageClose("sgd m" + what, m, m2, 0, 0);

                REF.rmspropUpdate(w, g, v, first ? a : null, second ? m : null, 0.01, 0.8, 0.5, 1e-3);
                subject().rmspropUpdate(wd, gd, vd, first ? ad : null, second ? md : null, 0.01, 0.8, 0.5, 1e-3);
                for (View[] pair : new View[][] {{wd, w2}, {vd, v2}, {ad, a2}, {md, m2}}) down(pair[0], pair[1]);
                assertStorageClose("rmsprop w" + what, w, w2, 0, 0);
                assertStorageClose("rmsprop v" + what, v, v2, 0, 0);
                assertStorageClose("rmsprop a" + what, a, a2, 0, 0);
                assertStorageClose("rmsprop m" + what, m, m2, 0, 0);

                REF.adagradUpdate(w, g, v, 0.1, first ? 1e-7 : 0.01);
                subject().adagradUpdate(wd, gd, vd, 0.1, first ? 1e-7 : 0.01);
                down(wd, w2);
                down(vd, v2);
                assertStorageClose("adagrad w" + what, w, w2, 0, 0);
                assertStorageClose("adagrad acc" + what, v, v2, 0, 0);
            }
        }
    }

    // ---- the subject's side ----

    /** A copy of a host view on the subject: its whole storage uploaded, same shape, strides and offset. */
    protected View up(View host) {
        return new View(subject().upload(((FloatStorage) host.storage()).data()), host.shape(), host.strides(), host.offset());
    }

    /** Copies the whole storage of a subject view back into the storage of {@code host}. */
    protected void down(View onSubject, View host) {
        float[] data = ((FloatStorage) host.storage()).data();
        subject().download(View.contiguous(onSubject.storage(), new int[] {data.length}), data);
    }

    /** Runs {@code kernel} on a copy of {@code host} on the subject (the kernel's output), then copies the result back. */
    protected void onSubject(View host, Consumer<View> kernel) {
        View out = up(host);
        kernel.accept(out);
        down(out, host);
    }

    /** A view with the same geometry over the absolute values of {@code v}'s storage. */
    private static View abs(View v) {
        float[] data = ((FloatStorage) v.storage()).data().clone();
        for (int i = 0; i < data.length; i++) data[i] = Math.abs(data[i]);
        return new View(new FloatStorage(data), v.shape(), v.strides(), v.offset());
    }

    /** |got − want| ≤ 1e-5·mag + 1e-30 per element, where mag is the sum of the magnitudes of its terms. */
    private static void assertMagnitudeClose(String what, View want, View got, View mag) {
        for (int i = 0; i < want.size(); i++) {
            int p = want.indexOfLinear(i);
            double w = want.storage().get(p), g = got.storage().get(p), tol = 1e-5 * mag.storage().get(p) + 1e-30;
            if (!(Math.abs(w - g) <= tol) && !(Double.isNaN(w) && Double.isNaN(g)) && w != g) {
                fail(what + ": element " + i + " want " + w + " got " + g + " (tolerance " + tol + ")");
            }
        }
        assertGapsUntouched(what, want, got);
    }

    // ---- helpers ----

    private void checkReduce(ReduceOp op, int[] shape, int[] axes, Layout in, Layout lo, SplittableRandom rnd,
                                    boolean specials) {
        View x = make(shape, in, rnd, specials);
        int[] outShape = keptShape(shape, axes);
        View want = make(outShape, lo, rnd, false), got = duplicate(want);
        REF.reduce(op, x, want);
        onSubject(got, out -> subject().reduce(op, up(x), out));
        String what = op + " over " + java.util.Arrays.toString(axes) + " " + describe(shape, in, lo);
        if (op != ReduceOp.SUM) {
            assertStorageClose(what, want, got, 0, 0);
            return;
        }
        // Tolerance per output: (min(n, 256) + ceil(n/256) + 2)·ε·Σ|x| over its n summed elements.
        View absX = make(shape, Layout.CONTIGUOUS, rnd, false);
        REF.unary(UnaryOp.ABS, 0, 0, x, absX);
        View absSum = make(outShape, Layout.CONTIGUOUS, rnd, false);
        REF.reduce(ReduceOp.SUM, absX, absSum);
        int n = x.size() / Math.max(1, product(outShape));
        double factor = (Math.min(n, 256) + (n + 255) / 256 + 2) * 0x1p-24;
        float[] w = values(want), g = values(got), s = values(absSum);
        for (int i = 0; i < w.length; i++) {
            double tol = factor * s[i] + Float.MIN_VALUE;
            if (!(Math.abs((double) w[i] - g[i]) <= tol)) {
                fail(what + ": element " + i + " want " + w[i] + " got " + g[i] + " (tolerance " + tol + ")");
            }
        }
        assertGapsUntouched(what, want, got);
    }

    private static List<int[]> elementwiseShapes() {
        List<int[]> shapes = new ArrayList<>();
        for (int n : SIZES) {
            shapes.add(new int[] {n});
            shapes.add(new int[] {3, n});
        }
        shapes.add(new int[] {33, 3});
        shapes.add(new int[] {2, 3, 17});
        shapes.add(new int[] {});
        return shapes;
    }

    private static List<int[]> axisSets(int rank) {
        List<int[]> sets = new ArrayList<>();
        for (int mask = 1; mask < 1 << rank; mask++) {
            int[] axes = new int[Integer.bitCount(mask)];
            for (int d = 0, k = 0; d < rank; d++) if ((mask & 1 << d) != 0) axes[k++] = d;
            sets.add(axes);
        }
        return sets;
    }

    private static boolean reducesEmptyAxis(int[] shape, int[] axes) {
        for (int a : axes) if (shape[a] == 0) return true;
        return false;
    }

    private static int[] keptShape(int[] shape, int[] axes) {
        int[] s = shape.clone();
        for (int a : axes) s[a] = 1;
        return s;
    }

    private static int product(int[] shape) {
        int p = 1;
        for (int d : shape) p *= d;
        return p;
    }

    protected static float value(SplittableRandom r, boolean specials) {
        int k = r.nextInt(16);
        if (specials && k == 0) return SPECIALS[r.nextInt(SPECIALS.length)];
        return switch (k % 4) {
            case 0 -> (float) r.nextGaussian();
            case 1 -> (float) r.nextDouble(-30, 30);
            case 2 -> (float) (r.nextGaussian() * 1e-4);
            default -> (float) r.nextDouble(-3, 3);
        };
    }

    /** A view of {@code shape} in the given layout over fresh random storage (gaps hold values too). */
    protected static View make(int[] shape, Layout layout, SplittableRandom r, boolean specials) {
        int rank = shape.length;
        int[] strides = new int[rank];
        int offset = 0, length;
        switch (layout) {
            case CONTIGUOUS, STEPPED -> {
                int step = layout == Layout.STEPPED ? 2 : 1;
                int st = step;
                for (int d = rank - 1; d >= 0; d--) {
                    strides[d] = st;
                    st *= Math.max(shape[d], 1);
                }
                offset = layout == Layout.STEPPED ? 1 : 0;
                length = offset + st + 1;
            }
            case TRANSPOSED -> {
                int st = 1;
                for (int d = 0; d < rank; d++) {
                    strides[d] = st;
                    st *= Math.max(shape[d], 1);
                }
                length = st;
            }
            case BROADCAST_FIRST, BROADCAST_LAST -> {
                int zero = layout == Layout.BROADCAST_FIRST ? 0 : rank - 1;
                int st = 1;
                for (int d = rank - 1; d >= 0; d--) {
                    strides[d] = d == zero ? 0 : st;
                    if (d != zero) st *= Math.max(shape[d], 1);
                }
                length = st;
            }
            case SCALAR -> length = 1;
            default -> throw new AssertionError(layout);
        }
        float[] data = new float[Math.max(length, 1)];
        for (int i = 0; i < data.length; i++) data[i] = value(r, specials);
        return new View(new FloatStorage(data), shape, strides, offset);
    }

    protected static View transpose(View v) {
        int r = v.rank();
        int[] shape = new int[r], strides = new int[r];
        for (int d = 0; d < r; d++) {
            shape[d] = v.shape()[r - 1 - d];
            strides[d] = v.strides()[r - 1 - d];
        }
        return new View(v.storage(), shape, strides, v.offset());
    }

    protected static View duplicate(View v) {
        float[] data = ((FloatStorage) v.storage()).data().clone();
        return new View(new FloatStorage(data), v.shape(), v.strides(), v.offset());
    }

    /** Copies a's elements into about half of b's positions (same shape), to create ties. */
    private static void copyFrom(View b, View a, SplittableRandom rnd) {
        for (int i = 0; i < a.size(); i++) {
            if (rnd.nextBoolean()) b.storage().set(b.indexOfLinear(i), a.storage().get(a.indexOfLinear(i)));
        }
    }

    protected static float[] values(View v) {
        float[] r = new float[v.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) v.storage().get(v.indexOfLinear(i));
        return r;
    }

    /**
     * Every element of the two output storages agrees: within rtol·|want| + atol (exact when both are 0;
     * ±0 equal, NaN equals NaN), which also checks that nothing outside the view was written.
     */
    private static void assertStorageClose(String what, View want, View got, double rtol, double atol) {
        float[] w = ((FloatStorage) want.storage()).data(), g = ((FloatStorage) got.storage()).data();
        int worst = -1;
        double worstExcess = 1;
        for (int i = 0; i < w.length; i++) {
            if (w[i] == g[i] || (Float.isNaN(w[i]) && Float.isNaN(g[i]))) continue;
            double err = Math.abs((double) w[i] - g[i]);
            double allowed = rtol * Math.abs((double) w[i]) + atol;
            double excess = Double.isNaN(err) || Double.isInfinite(err) ? Double.POSITIVE_INFINITY
                    : allowed == 0 ? Double.POSITIVE_INFINITY : err / allowed;
            if (excess > worstExcess) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": worst at storage index " + worst + ": want " + w[worst] + " got " + g[worst]
                    + " (" + (Double.isInfinite(worstExcess) ? "not allowed" : worstExcess + "× the tolerance") + ")");
        }
    }

    /**
     * Softmax tolerance per element, from how float32 rounds: z = x − max rounded to float has error up to
     * |z|·ε, which exp turns into relative error |z|·ε; the sum adds about (ln n + 18)·ε (the weighted
     * mean of |z| over the terms is below ln n); exp, the reciprocal and the product a few ε more.
     * softmax: |err| ≤ (|z| + ln n + 24)·ε·|ref| + 3e-45; log-softmax (ref = z − log s):
     * |err| ≤ (2·|ref| + ln n + 24)·ε.
     */
    private void assertSoftmaxClose(String what, View x, View want, View got, boolean log) {
        float[] xv = values(x), w = values(want), g = values(got);
        int n = x.shape()[x.rank() - 1];
        for (int r = 0; r < xv.length / Math.max(n, 1); r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) max = Math.max(max, xv[r * n + i]);
            for (int i = r * n; i < (r + 1) * n; i++) {
                if (w[i] == g[i] || (Float.isNaN(w[i]) && Float.isNaN(g[i]))) continue;
                double z = Math.abs(xv[i] - max), base = Math.log(n) + 24 + softmaxSumSlack(n);
                double tol = log ? (2 * Math.abs(w[i]) + base) * 0x1p-24
                        : (z + base) * 0x1p-24 * Math.abs(w[i]) + SUBNORMAL_ATOL;
                if (!(Math.abs((double) w[i] - g[i]) <= tol)) {
                    fail(what + ": element " + i + " (x − max = " + (xv[i] - max) + ") want " + w[i] + " got " + g[i]
                            + " (tolerance " + tol + ")");
                }
            }
        }
        assertGapsUntouched(what, want, got);
    }

    private static void assertGapsUntouched(String what, View want, View got) {
        float[] w = ((FloatStorage) want.storage()).data(), g = ((FloatStorage) got.storage()).data();
        boolean[] inView = new boolean[w.length];
        for (int i = 0; i < want.size(); i++) inView[want.indexOfLinear(i)] = true;
        for (int i = 0; i < w.length; i++) {
            if (!inView[i] && Float.floatToRawIntBits(w[i]) != Float.floatToRawIntBits(g[i])) {
                fail(what + ": wrote outside the output view at storage index " + i);
            }
        }
    }

    private static String describe(int[] shape, Object... layouts) {
        StringBuilder sb = new StringBuilder(java.util.Arrays.toString(shape));
        for (Object l : layouts) sb.append(' ').append(l);
        return sb.toString();
    }
}
