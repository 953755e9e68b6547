package dev.myelin.backend.cpu;

import dev.myelin.backend.cpu.Conv2dKernels.Geom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Forward convolution for inputs with few channels (a network's first layer: 1 grey or 3 colour channels),
 * {@code y[b, oy, ox, o] = Σ_{i, j, ci} x[b, oy·sh − pt + i·dh, ox·sw − pl + j·dw, ci] · k[i, j, ci, o]
 * (+ bias[o])}, read straight from the input: no patch matrix and no padded copy.
 *
 * <p>Shapes: input {@code [n, h, w, c]} with c ≤ {@link #MAX_CHANNELS}, kernel {@code [kh, kw, c, f]} with f a
 * multiple of two vectors, output {@code [n, oh, ow, f]}.
 *
 * <p>Why a kernel of its own: with c = 1 a 3x3 patch row is 9 floats, so im2col + SGEMM spends its time
 * gathering runs of 3 floats and packing a product whose depth is 9 (measured: {@code Conv2dKernels.copy}
 * was the hottest method of that layer's forward pass). Here the output channels are the vector lanes:
 * a tile of 4 output pixels x 2 filter vectors keeps 8 accumulators, and each tap loads 2 weight vectors
 * and broadcasts 4 input values (8 + 2 + 4 = 14 of x86's 16 AVX2 registers, so nothing spills).
 */
final class Conv2dFewChannels {
    /*
     * Implementation overview. The taps of one kernel are listed once per call as (input offset, weight
     * offset) pairs in (i, j, ci) order, relative to the tile's first input pixel; an output row uses the
     * contiguous run of taps whose kernel row i lands inside the image. Pixels whose window leaves the image
     * sideways (the padding) take a one-pixel path that skips the missing taps; the others run in tiles of
     * 4 with no bounds logic. Every output element sums its taps in the same order whichever path and
     * thread computes it, starting from zero; the bias is added to the finished sum, as a separate add
     * would. Tasks are blocks of output rows, so results do not depend on the thread count.
     */

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Most input channels this kernel takes; above that im2col + SGEMM has enough depth to win. */
    static final int MAX_CHANNELS = 4;
    /** Output pixels per tile. */
    private static final int TILE = 4;
    /** Output rows per parallel task, at least. */
    private static final int MIN_ROWS_PER_TASK = 4;

    private Conv2dFewChannels() {}

    /** True when this kernel handles the geometry: few input channels, filters in whole pairs of vectors. */
    static boolean fits(Geom g) {
        return g.c() <= MAX_CHANNELS && g.f() % (2 * L) == 0;
    }

    /** {@code y = conv2d(x, k) (+ bias)}, every output element written; {@code b} may be null. */
    static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, float[] y, int yOff) {
        forward(g, x, xOff, k, kOff, b, bOff, false, y, yOff);
    }

    /** {@link #forward}, then {@code relu} on each output row right after it is written, while it is in cache. */
    static void forward(Geom g, float[] x, int xOff, float[] k, int kOff, float[] b, int bOff, boolean relu, float[] y, int yOff) {
        int c = g.c(), kw = g.kw(), rowStride = g.w() * c, taps = g.kh() * kw * c;
        int[] tapX = new int[taps], tapW = new int[taps];
        for (int i = 0, t = 0; i < g.kh(); i++) {
            for (int j = 0; j < kw; j++) {
                for (int ci = 0; ci < c; ci++, t++) {
                    tapX[t] = i * g.dh() * rowStride + j * g.dw() * c + ci;
                    tapW[t] = kOff + t * g.f();
                }
            }
        }
        int rows = g.n() * g.oh();
        int perTask = Math.max(MIN_ROWS_PER_TASK, rows / (16 * Parallel.threads()));
        Parallel.forRange((rows + perTask - 1) / perTask, task -> {
            int r1 = Math.min(rows, (task + 1) * perTask);
            for (int r = task * perTask; r < r1; r++) {
                row(g, r / g.oh(), r % g.oh(), tapX, tapW, x, xOff, k, b, bOff, y, yOff);
                if (relu) Epilogue.reluInPlace(y, yOff + r * g.ow() * g.f(), g.ow() * g.f());
            }
        });
    }

    /** Output row oy of image bi. */
    private static void row(Geom g, int bi, int oy, int[] tapX, int[] tapW, float[] x, int xOff, float[] k,
                            float[] b, int bOff, float[] y, int yOff) {
        int c = g.c(), f = g.f(), kwc = g.kw() * c, rowStride = g.w() * c;
        int iy0 = oy * g.sh() - g.pt();
        // Kernel rows inside the image: i in [iLo, iHi).
        int iLo = iy0 >= 0 ? 0 : Math.min(g.kh(), (-iy0 + g.dh() - 1) / g.dh());
        int iHi = iy0 + (g.kh() - 1) * g.dh() < g.h() ? g.kh()
                : iy0 >= g.h() ? iLo : Math.max(iLo, (g.h() - 1 - iy0) / g.dh() + 1);
        int t0 = iLo * kwc, t1 = iHi * kwc;
        // The tile's first input pixel, column −pl: taps add i·dh·rowStride + j·dw·c + ci.
        int xRow = xOff + bi * g.h() * rowStride + iy0 * rowStride - g.pl() * c;
        int yRow = yOff + (bi * g.oh() + oy) * g.ow() * f;
        // Interior output columns: the whole window inside the row, ox in [inLo, inHi).
        int inLo = Math.min(g.ow(), (g.pl() + g.sw() - 1) / g.sw());
        int lastTap = (g.kw() - 1) * g.dw() - g.pl();
        int inHi = Math.max(inLo, Math.min(g.ow(), g.w() - 1 - lastTap < 0 ? 0 : (g.w() - 1 - lastTap) / g.sw() + 1));
        int step = g.sw() * c;
        int ox = 0;
        for (; ox < inLo; ox++) border(g, ox, t0, t1, tapX, tapW, x, xRow, k, b, bOff, y, yRow + ox * f);
        while (ox < inHi && inHi - inLo >= TILE) {
            // The last tile ends at inHi, overlapping the one before: its pixels are recomputed to the same values.
            int at = Math.min(ox, inHi - TILE), xq = xRow + at * step, yq = yRow + at * f;
            for (int o = 0; o < f; o += 2 * L) {
                tile(t0, t1, tapX, tapW, x, xq, step, k, o, b, b == null ? 0 : bOff + o, y, yq + o, f);
            }
            ox = at + TILE;
        }
        for (; ox < g.ow(); ox++) border(g, ox, t0, t1, tapX, tapW, x, xRow, k, b, bOff, y, yRow + ox * f);
    }

    /** 4 output pixels (input {@code step} apart from {@code xq}) x 2 filter vectors from {@code o}. */
    private static void tile(int t0, int t1, int[] tapX, int[] tapW, float[] x, int xq, int step, float[] k, int o,
                             float[] b, int bq, float[] y, int yq, int f) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int t = t0; t < t1; t++) {
            int wq = tapW[t] + o, q = xq + tapX[t];
            FloatVector w0 = FloatVector.fromArray(S, k, wq), w1 = FloatVector.fromArray(S, k, wq + L);
            FloatVector v = FloatVector.broadcast(S, x[q]);
            a00 = v.fma(w0, a00);
            a01 = v.fma(w1, a01);
            v = FloatVector.broadcast(S, x[q + step]);
            a10 = v.fma(w0, a10);
            a11 = v.fma(w1, a11);
            v = FloatVector.broadcast(S, x[q + 2 * step]);
            a20 = v.fma(w0, a20);
            a21 = v.fma(w1, a21);
            v = FloatVector.broadcast(S, x[q + 3 * step]);
            a30 = v.fma(w0, a30);
            a31 = v.fma(w1, a31);
        }
        if (b != null) {
            FloatVector b0 = FloatVector.fromArray(S, b, bq), b1 = FloatVector.fromArray(S, b, bq + L);
            a00 = a00.add(b0);
            a01 = a01.add(b1);
            a10 = a10.add(b0);
            a11 = a11.add(b1);
            a20 = a20.add(b0);
            a21 = a21.add(b1);
            a30 = a30.add(b0);
            a31 = a31.add(b1);
        }
        a00.intoArray(y, yq);
        a01.intoArray(y, yq + L);
        a10.intoArray(y, yq + f);
        a11.intoArray(y, yq + f + L);
        a20.intoArray(y, yq + 2 * f);
        a21.intoArray(y, yq + 2 * f + L);
        a30.intoArray(y, yq + 3 * f);
        a31.intoArray(y, yq + 3 * f + L);
    }

    /** One output pixel, skipping the taps whose column falls outside the image (the padding). */
    private static void border(Geom g, int ox, int t0, int t1, int[] tapX, int[] tapW, float[] x, int xRow,
                               float[] k, float[] b, int bOff, float[] y, int yq) {
        int c = g.c(), f = g.f(), w = g.w(), kwc = g.kw() * c, xq = xRow + ox * g.sw() * c;
        // Taps t0 + m·kwc + jc for jc in [jcLo, jcHi): the kernel columns j inside the image.
        int ix0 = ox * g.sw() - g.pl(), jLo = 0, jHi = g.kw();
        while (jLo < jHi && ix0 + jLo * g.dw() < 0) jLo++;
        while (jHi > jLo && ix0 + (jHi - 1) * g.dw() >= w) jHi--;
        int jcLo = jLo * c, jcHi = jHi * c;
        for (int o = 0; o < f; o += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            for (int r = t0; r < t1; r += kwc) {
                for (int t = r + jcLo; t < r + jcHi; t++) {
                    int wq = tapW[t] + o;
                    FloatVector v = FloatVector.broadcast(S, x[xq + tapX[t]]);
                    a0 = v.fma(FloatVector.fromArray(S, k, wq), a0);
                    a1 = v.fma(FloatVector.fromArray(S, k, wq + L), a1);
                }
            }
            if (b != null) {
                a0 = a0.add(FloatVector.fromArray(S, b, bOff + o));
                a1 = a1.add(FloatVector.fromArray(S, b, bOff + o + L));
            }
            a0.intoArray(y, yq + o);
            a1.intoArray(y, yq + o + L);
        }
    }
}
