package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * A (semi-)orthogonal matrix times {@code gain} (Keras's {@code Orthogonal}, default gain 1).
 *
 * <p>For a shape {@code [d0, ..., dk-1, cols]} the weight is viewed as a matrix of
 * {@code rows = d0·…·dk-1} by {@code cols}. A {@code max(rows, cols) × min(rows, cols)} matrix of standard
 * normal samples is factored {@code A = QR}; the columns of Q are multiplied by {@code sign(diag(R))} (which
 * makes the distribution uniform over orthogonal matrices), Q is transposed when {@code rows < cols}, and
 * reshaped to the weight's shape. So {@code WᵀW = gain²·I} when {@code rows >= cols}, else {@code WWᵀ = gain²·I}.
 *
 * <p>The QR factorization is modified Gram-Schmidt with a second orthogonalization pass, in float64; its
 * R has a positive diagonal, which equals the sign-corrected Householder result.
 */
public record Orthogonal(double gain) implements Initializer {
    public Orthogonal {
        if (!Double.isFinite(gain)) throw new IllegalArgumentException("Orthogonal gain must be finite, got " + gain);
    }

    public Orthogonal() {
        this(1.0);
    }

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        if (shape.rank() < 2) {
            throw new IllegalArgumentException("Orthogonal initializer needs a shape of rank >= 2, got " + shape + " of rank " + shape.rank());
        }
        int cols = shape.dim(-1);
        int rows = shape.size() / Math.max(cols, 1);
        if (cols == 0 || rows == 0) return Tensor.zeros(dtype, shape);
        int m = Math.max(rows, cols), n = Math.min(rows, cols);
        double[][] q = new double[n][m]; // column j of the m×n matrix in q[j]
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) q[j][i] = rng.nextGaussian();
        }
        for (int j = 0; j < n; j++) {
            double[] v = q[j];
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[k][i] * v[i];
                    for (int i = 0; i < m; i++) v[i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += v[i] * v[i];
            norm = Math.sqrt(norm);
            if (norm == 0) throw new IllegalStateException("Orthogonal: random matrix is rank deficient");
            for (int i = 0; i < m; i++) v[i] /= norm;
        }
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                // rows >= cols: W = Q (m = rows, n = cols); else W = Qᵀ (m = cols, n = rows)
                out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
            }
        }
        return Tensor.of(out, shape.toArray()).to(dtype);
    }
}
