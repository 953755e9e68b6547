package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The end of a product (a matrix product, a convolution) applied to a block of its output while that block is still
 * in cache: a bias per column, then the rectifier. One home for Conv2D's and Dense's fused epilogues.
 *
 * <p>The values are those of the separate element-wise passes bit for bit: the bias is one float addition per
 * element, as {@code ElementwiseKernels}' broadcast add; {@code relu} gives 0 for x ≤ 0 and keeps NaN, as its
 * {@code RELU} (vector lanes and scalar tail alike, so where a block starts does not matter).
 *
 * <p>Example: {@code Epilogue.of(bias, 0, true).apply(y, 0, rows, cols, ld, 0)} after a GEMM wrote those rows.
 */
final class Epilogue {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final float[] bias;
    private final int bOff;
    private final boolean relu;

    private Epilogue(float[] bias, int bOff, boolean relu) {
        this.bias = bias;
        this.bOff = bOff;
        this.relu = relu;
    }

    /** The epilogue adding {@code bias[bOff + column]} (none when null), then relu when asked; null when it does nothing. */
    static Epilogue of(float[] bias, int bOff, boolean relu) {
        return bias == null && !relu ? null : new Epilogue(bias, bOff, relu);
    }

    /**
     * Applies this epilogue to {@code rows} rows of {@code cols} values from {@code y[off]}, {@code ld} apart, which are
     * columns {@code [col0, col0 + cols)} of the whole output (the bias is indexed by column).
     */
    void apply(float[] y, int off, int rows, int cols, int ld, int col0) {
        for (int r = 0, q = off; r < rows; r++, q += ld) row(y, q, cols, bias, bOff + col0, relu);
    }

    /**
     * {@code y[p, o] = relu?(y[p, o] + bias[o])} for {@code rows} contiguous rows of f values from {@code y[yq]}
     * ({@code bias} may be null: the rectifier alone, over the block as one run).
     */
    static void apply(float[] y, int yq, int rows, int f, float[] bias, int bOff, boolean relu) {
        if (bias == null) {
            if (relu) reluInPlace(y, yq, rows * f);
            return;
        }
        for (int p = 0, q = yq; p < rows; p++, q += f) row(y, q, f, bias, bOff, relu);
    }

    /** One row of n values from {@code y[q]}: bias {@code b[bo ..]} when not null, then relu when asked. */
    private static void row(float[] y, int q, int n, float[] b, int bo, boolean relu) {
        if (b == null) {
            if (relu) reluInPlace(y, q, n);
        } else if (relu) {
            addBiasRelu(y, q, n, b, bo);
        } else {
            addBias(y, q, n, b, bo);
        }
    }

    private static void addBias(float[] y, int q, int n, float[] b, int bo) {
        int vn = n - n % L;
        for (int o = 0; o < vn; o += L) {
            FloatVector.fromArray(S, y, q + o).add(FloatVector.fromArray(S, b, bo + o)).intoArray(y, q + o);
        }
        for (int o = vn; o < n; o++) y[q + o] += b[bo + o];
    }

    private static void addBiasRelu(float[] y, int q, int n, float[] b, int bo) {
        int vn = n - n % L;
        FloatVector zero = FloatVector.zero(S);
        for (int o = 0; o < vn; o += L) {
            FloatVector v = FloatVector.fromArray(S, y, q + o).add(FloatVector.fromArray(S, b, bo + o));
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, q + o);
        }
        for (int o = vn; o < n; o++) {
            float v = y[q + o] + b[bo + o];
            y[q + o] = v <= 0f ? 0f : v;
        }
    }

    /** {@code y[i] = relu(y[i])} for n elements from {@code off}. */
    static void reluInPlace(float[] y, int off, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, off + i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, off + i);
        }
        for (; i < n; i++) if (y[off + i] <= 0f) y[off + i] = 0f;
    }
}
