package dev.myelin.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The matrix product of bf16-weight layers: float32 activations times a bfloat16 matrix, accumulated in
 * float32:
 * <pre>
 *   c[i, j] = Σ_p a[i, p] · widen(b[p, j])      widen(h) = Float.intBitsToFloat(h &lt;&lt; 16)   (exact)
 * </pre>
 * summed in the order p = 0, 1, …, k − 1 with one fused multiply-add per term, starting from 0. Every
 * implementation keeps that order, so all of them (any vector width, any number of threads) give the
 * same floats as {@link #REFERENCE}, bit for bit; against a float32 product of the widened weights they
 * differ only by the summation order.
 *
 * <p>A bfloat16 is the upper half of a float32 (8 exponent bits, 8 significant bits), so the weights take
 * half the bytes and half the memory traffic, which is what bounds a layer's speed at small batches.
 *
 * <p>Shapes: {@code a [m, k]} (float32), {@code b [k, n]} (bfloat16 bit patterns; a Dense kernel
 * {@code [in, units]} or a Conv2D kernel {@code [kh·kw·in, filters]}), {@code c [m, n]}, all row-major and
 * dense in plain Java arrays. {@code c} is written, not accumulated into.
 *
 * <p>A backend offers a fast one through {@link Backend#bf16Gemm}.
 */
@FunctionalInterface
public interface Bf16Gemm {
    /** The scalar definition. */
    Bf16Gemm REFERENCE = Bf16Gemm::multiplyScalar;

    /**
     * {@code c = a · widen(b)}.
     *
     * @throws IllegalArgumentException when a size is negative or an array is shorter than its shape
     */
    void multiply(float[] a, short[] b, float[] c, int m, int k, int n);

    /** A bfloat16 bit pattern widened to float32: exact. */
    static float widen(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Whether this CPU reports AVX-512 BF16 ({@code avx512_bf16} in {@code /proc/cpuinfo}; false where that
     * file cannot be read). Informational: the Vector API has no bfloat16 arithmetic (no {@code vdpbf16ps}), so
     * every CPU, with or without the flag, runs the same path: bf16 loads widened to float32 in registers.
     */
    static boolean cpuHasAvx512Bf16() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags") && (" " + line + " ").contains(" avx512_bf16 ")) return true;
            }
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            return false;
        }
        return false;
    }

    /** Checks the sizes of a call (for implementations, before they touch the arrays). */
    static void checkSizes(float[] a, short[] b, float[] c, int m, int k, int n) {
        if (m < 0 || k < 0 || n < 0) throw new IllegalArgumentException("bf16 gemm: sizes must be >= 0, got m=" + m + ", k=" + k + ", n=" + n);
        if (a.length < (long) m * k || b.length < (long) k * n || c.length < (long) m * n) {
            throw new IllegalArgumentException("bf16 gemm: arrays of " + a.length + ", " + b.length + ", " + c.length + " elements are too short for m="
                    + m + ", k=" + k + ", n=" + n);
        }
    }

    private static void multiplyScalar(float[] a, short[] b, float[] c, int m, int k, int n) {
        checkSizes(a, b, c, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0;
                for (int p = 0; p < k; p++) sum = Math.fma(a[i * k + p], widen(b[p * n + j]), sum);
                c[i * n + j] = sum;
            }
        }
    }
}
