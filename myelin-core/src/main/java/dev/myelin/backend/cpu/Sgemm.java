package dev.myelin.backend.cpu;

/**
 * Single-precision general matrix multiply on the CPU: {@code C = op(A) · op(B)} or {@code C += op(A) · op(B)}.
 *
 * <p>PLACEHOLDER: a naive triple loop; the packed, register-blocked Vector API kernel replaces the body.
 */
public final class Sgemm {
    private Sgemm() {}

    /**
     * Computes {@code C[m,n] (+)= op(A)[m,k] · op(B)[k,n]}, row-major.
     *
     * <p>Element (i, p) of op(A) is {@code a[aOff + i*lda + p]} when {@code transA} is false and
     * {@code a[aOff + p*lda + i]} when it is true; likewise op(B)(p, j) is {@code b[bOff + p*ldb + j]} or
     * {@code b[bOff + j*ldb + p]}. C(i, j) is {@code c[cOff + i*ldc + j]}.
     *
     * @param accumulate add to C instead of overwriting it
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }
}
