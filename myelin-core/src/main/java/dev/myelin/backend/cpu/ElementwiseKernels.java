package dev.myelin.backend.cpu;

import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 element-wise kernels: copy, fill, unary, binary and where.
 *
 * <p>Implementation overview. {@link RowLoop} turns the views into runs along the merged last
 * dimension. Inside a run an operand with stride 1 is loaded as vectors, one with stride 0 is a
 * broadcast scalar, and one with any other stride is gathered, a block at a time, into a per-task
 * buffer (the output likewise computed into a buffer and scattered). So each op has one vector loop,
 * over contiguous or broadcast operands, in its own small method that takes arrays, never vectors
 * (see {@link VectorMath} for why); sigmoid, tanh, softplus and ELU run VectorMath's exp loop and a
 * cheap loop before and after it over blocks of a per-task buffer. The scalar twin of every vector
 * loop, used for tails, broadcast-only runs and the ops left scalar (GELU, its derivative, POW_SCALAR,
 * POW), is the op's reference definition {@code apply} rounded to float.
 *
 * <p>Accuracy against {@link dev.myelin.backend.ReferenceBackend} (which computes in double and rounds
 * once): copy, fill, NEG, ABS, SQUARE, RECIPROCAL, SQRT, RELU, CLAMP, INSIDE, SIGN and every binary op
 * are bit-identical up to the sign of zero; RSQRT, LEAKY_RELU (float slope) and the transcendental
 * functions of {@link VectorMath} are within a few ulp.
 */
final class ElementwiseKernels {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    private static final int BLOCK = RowLoop.Scratch.BLOCK;

    private ElementwiseKernels() {}

    static float[] data(View v) {
        return ((FloatStorage) v.storage()).data();
    }

    static void gather(float[] src, int offset, int stride, float[] dst, int n) {
        for (int i = 0; i < n; i++) dst[i] = src[offset + i * stride];
    }

    static void scatter(float[] src, float[] dst, int offset, int stride, int n) {
        for (int i = 0; i < n; i++) dst[offset + i * stride] = src[i];
    }

    private static void fillRun(float[] y, int yo, int ys, int n, float value) {
        if (ys == 1) {
            Arrays.fill(y, yo, yo + n, value);
        } else {
            for (int i = 0; i < n; i++) y[yo + i * ys] = value;
        }
    }

    // ---- copy and fill ----

    static void copy(View src, View dst) {
        RowLoop loop = RowLoop.of(dst.shape(), dst, src);
        float[] s = data(src), d = data(dst);
        int ds = loop.innerStride(0), ss = loop.innerStride(1);
        loop.forEach(1, (pos, n, scratch) -> {
            if (ds == 1 && ss == 1) {
                System.arraycopy(s, pos[1], d, pos[0], n);
            } else if (ss == 0) {
                fillRun(d, pos[0], ds, n, s[pos[1]]);
            } else {
                for (int i = 0; i < n; i++) d[pos[0] + i * ds] = s[pos[1] + i * ss];
            }
        });
    }

    static void fill(View dst, double value) {
        RowLoop loop = RowLoop.of(dst.shape(), dst);
        float[] d = data(dst);
        float v = (float) value;
        int ds = loop.innerStride(0);
        loop.forEach(1, (pos, n, scratch) -> fillRun(d, pos[0], ds, n, v));
    }

    // ---- unary ----

    private static long cost(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, LOG1P, TANH, SIGMOID, SOFTPLUS, ELU -> 4;
            case GELU, GELU_DERIVATIVE, GELU_TANH, GELU_TANH_DERIVATIVE, POW_SCALAR -> 32;
            default -> 1;
        };
    }

    static void unary(UnaryOp op, double p, double q, View x, View out) {
        RowLoop loop = RowLoop.of(out.shape(), out, x);
        float[] xd = data(x), yd = data(out);
        int ys = loop.innerStride(0), xs = loop.innerStride(1);
        loop.forEach(cost(op), (pos, n, scratch) -> {
            int xo = pos[1], yo = pos[0];
            if (xs == 0) {
                fillRun(yd, yo, ys, n, (float) op.apply(xd[xo], p, q));
            } else if (xs == 1 && ys == 1) {
                unaryContiguous(op, p, q, xd, xo, yd, yo, n, scratch);
            } else {
                float[] buf = scratch.get(0);
                for (int k = 0; k < n; k += BLOCK) {
                    int m = Math.min(BLOCK, n - k);
                    float[] src = xd;
                    int so = xo + k;
                    if (xs != 1) {
                        gather(xd, xo + k * xs, xs, buf, m);
                        src = buf;
                        so = 0;
                    }
                    if (ys == 1) {
                        unaryContiguous(op, p, q, src, so, yd, yo + k, m, scratch);
                    } else {
                        unaryContiguous(op, p, q, src, so, buf, 0, m, scratch);
                        scatter(buf, yd, yo + k * ys, ys, m);
                    }
                }
            }
        });
    }

    /**
     * y[yo .. yo+n) = op(x[xo .. xo+n)); y may be x at the same offset. The vector loops cover
     * {@code S.loopBound(n)} elements, the op's reference definition the rest.
     */
    static void unaryContiguous(UnaryOp op, double p, double q, float[] x, int xo, float[] y, int yo, int n,
                                RowLoop.Scratch scratch) {
        float pf = (float) p, qf = (float) q;
        int vn = S.loopBound(n);
        if (vn > 0) {
            switch (op) {
                case NEG -> neg(x, xo, y, yo, vn);
                case ABS -> abs(x, xo, y, yo, vn);
                case SQUARE -> square(x, xo, y, yo, vn);
                case RECIPROCAL -> reciprocal(x, xo, y, yo, vn);
                case SQRT -> sqrt(x, xo, y, yo, vn);
                case RSQRT -> rsqrt(x, xo, y, yo, vn);
                case RELU -> relu(x, xo, y, yo, vn);
                case LEAKY_RELU -> leakyRelu(x, xo, y, yo, vn, pf);
                case CLAMP -> clamp(x, xo, y, yo, vn, pf, qf);
                case INSIDE -> inside(x, xo, y, yo, vn, roundUp(p), roundDown(q));
                case SIGN -> sign(x, xo, y, yo, vn);
                case EXP -> VectorMath.exp(x, xo, y, yo, vn);
                case LOG -> VectorMath.log(x, xo, y, yo, vn);
                case LOG1P -> VectorMath.log1p(x, xo, y, yo, vn);
                case TANH, SIGMOID, SOFTPLUS, ELU -> composite(op, pf, x, xo, y, yo, vn, scratch.get(3));
                default -> vn = 0; // GELU, GELU_DERIVATIVE, POW_SCALAR, and any new op: the reference definition below
            }
        }
        for (int i = vn; i < n; i++) y[yo + i] = (float) op.apply(x[xo + i], p, q);
    }

    /**
     * Functions built on exp: per block of t.length elements, a cheap pass into t, the exp (or expm1,
     * log1p) loop over t, and a pass combining x and t into y. n is a multiple of the vector length.
     */
    private static void composite(UnaryOp op, float p, float[] x, int xo, float[] y, int yo, int n, float[] t) {
        for (int k = 0; k < n; k += t.length) {
            int m = Math.min(t.length, n - k), xk = xo + k, yk = yo + k;
            switch (op) {
                case SIGMOID -> {
                    negAbs(x, xk, t, m);
                    VectorMath.exp(t, 0, t, 0, m);
                    sigmoidFinish(x, xk, t, y, yk, m);
                }
                case TANH -> {
                    twiceAbs(x, xk, t, m);
                    VectorMath.exp(t, 0, t, 0, m);
                    tanhFinish(x, xk, t, y, yk, m);
                }
                case SOFTPLUS -> {
                    negAbs(x, xk, t, m);
                    VectorMath.exp(t, 0, t, 0, m);
                    VectorMath.log1p(t, 0, t, 0, m);
                    softplusFinish(x, xk, t, y, yk, m);
                }
                case ELU -> {
                    VectorMath.expm1NonPositive(x, xk, t, 0, m);
                    eluFinish(x, xk, t, y, yk, m, p);
                }
                default -> throw new AssertionError(op);
            }
        }
    }

    /** t = −|x| */
    private static void negAbs(float[] x, int xo, float[] t, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, x, xo + i).abs().neg().intoArray(t, i);
    }

    /** t = 2|x| */
    private static void twiceAbs(float[] x, int xo, float[] t, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, x, xo + i).abs().mul(2f).intoArray(t, i);
    }

    /** From e = e^{−|x|}: 1/(1 + e) for x ≥ 0, e/(1 + e) otherwise; never overflows. */
    private static void sigmoidFinish(float[] x, int xo, float[] e, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i), ev = FloatVector.fromArray(S, e, i);
            FloatVector s = one.div(ev.add(1f));
            s.mul(ev).blend(s, v.compare(VectorOperators.GE, 0f)).intoArray(y, yo + i);
        }
    }

    /**
     * From e = e^{2|x|}: an odd polynomial (Cephes) for |x| &lt; 0.625, 1 − 2/(e + 1) above, with the sign
     * of x restored bit for bit (so tanh(−0) = −0).
     */
    private static void tanhFinish(float[] x, int xo, float[] e, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f);
        FloatVector c4 = FloatVector.broadcast(S, -5.70498872745e-3f), c3 = FloatVector.broadcast(S, 2.06390887954e-2f),
                c2 = FloatVector.broadcast(S, -5.37397155531e-2f), c1 = FloatVector.broadcast(S, 1.33314422036e-1f),
                c0 = FloatVector.broadcast(S, -3.33332819422e-1f);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector ax = v.abs(), z = ax.mul(ax);
            FloatVector small = c4.fma(z, c3).fma(z, c2).fma(z, c1).fma(z, c0).mul(z).fma(ax, ax);
            FloatVector large = one.sub(two.div(FloatVector.fromArray(S, e, i).add(1f)));
            FloatVector r = small.blend(large, ax.compare(VectorOperators.GE, 0.625f));
            r.reinterpretAsInts().or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats().intoArray(y, yo + i);
        }
    }

    /** max(x, 0) + l, l = log1p(e^{−|x|}) */
    private static void softplusFinish(float[] x, int xo, float[] l, float[] y, int yo, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector.fromArray(S, x, xo + i).max(0f).add(FloatVector.fromArray(S, l, i)).intoArray(y, yo + i);
        }
    }

    /** x for x &gt; 0, α·(e^x − 1) otherwise (NaN stays NaN), from em = expm1(min(x, 0)). */
    private static void eluFinish(float[] x, int xo, float[] em, float[] y, int yo, int n, float alpha) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector.fromArray(S, em, i).mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
    }

    /** The least float ≥ v, so that {@code x >= roundUp(p)} equals {@code x >= p} for float x. */
    private static float roundUp(double v) {
        float f = (float) v;
        return f < v ? Math.nextUp(f) : f;
    }

    /** The greatest float ≤ v. */
    private static float roundDown(double v) {
        float f = (float) v;
        return f > v ? Math.nextDown(f) : f;
    }

    private static void neg(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, x, xo + i).neg().intoArray(y, yo + i);
    }

    private static void abs(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, x, xo + i).abs().intoArray(y, yo + i);
    }

    private static void square(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(v).intoArray(y, yo + i);
        }
    }

    private static void reciprocal(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) one.div(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
    }

    private static void sqrt(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(y, yo + i);
    }

    private static void rsqrt(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) one.div(FloatVector.fromArray(S, x, xo + i).sqrt()).intoArray(y, yo + i);
    }

    /** x &gt; 0 ? x : 0, so NaN and −0 give +0 as in the reference (max(x, 0) would keep NaN). */
    private static void relu(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i); // NaN stays NaN
        }
    }

    private static void leakyRelu(float[] x, int xo, float[] y, int yo, int n, float slope) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
    }

    /** min(max(x, lo), hi) with NaN propagating, as Math.min/max. */
    private static void clamp(float[] x, int xo, float[] y, int yo, int n, float lo, float hi) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) FloatVector.fromArray(S, x, xo + i).max(lo).min(hi).intoArray(y, yo + i);
    }

    private static void inside(float[] x, int xo, float[] y, int yo, int n, float lo, float hi) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            VectorMask<Float> in = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi));
            zero.blend(one, in).intoArray(y, yo + i);
        }
    }

    /** Math.signum: ±1, with ±0 and NaN returned unchanged. */
    private static void sign(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f))
                    .intoArray(y, yo + i);
        }
    }

    // ---- binary ----

    static void binary(BinaryOp op, View a, View b, View out) {
        RowLoop loop = RowLoop.of(out.shape(), out, a, b);
        float[] ad = data(a), bd = data(b), od = data(out);
        int os = loop.innerStride(0), as = loop.innerStride(1), bs = loop.innerStride(2);
        long cost = op == BinaryOp.POW ? 16 : 1;
        if (rowBroadcast(op, loop, ad, bd, od)) return;
        loop.forEach(cost, (pos, n, scratch) -> {
            int oo = pos[0], ao = pos[1], bo = pos[2];
            if (as <= 1 && as >= 0 && bs <= 1 && bs >= 0 && os == 1) {
                binaryContiguous(op, ad, ao, as, bd, bo, bs, od, oo, n);
                return;
            }
            for (int k = 0; k < n; k += BLOCK) {
                int m = Math.min(BLOCK, n - k);
                float[] aa = ad, bb = bd, oa = od;
                int aOff = ao + k * as, bOff = bo + k * bs, oOff = oo + k;
                int aStr = as, bStr = bs;
                if (as != 0 && as != 1) {
                    aa = scratch.get(0);
                    gather(ad, aOff, as, aa, m);
                    aOff = 0;
                    aStr = 1;
                }
                if (bs != 0 && bs != 1) {
                    bb = scratch.get(1);
                    gather(bd, bOff, bs, bb, m);
                    bOff = 0;
                    bStr = 1;
                }
                if (os != 1) {
                    oa = scratch.get(2);
                    oOff = 0;
                }
                binaryContiguous(op, aa, aOff, aStr, bb, bOff, bStr, oa, oOff, m);
                if (os != 1) scatter(oa, od, oo + k * os, os, m);
            }
        });
    }

    /**
     * The bias-add pattern, {@code [rows, c] op [c]} or {@code [c] op [rows, c]} with the output and the full
     * operand contiguous: run by RowLoop it is one short run per row, each paying the whole per-run overhead.
     * Here the row operand is tiled into a buffer of about {@link #BLOCK} floats, so that a block of rows is one
     * contiguous run. Each element is the same op on the same two values. Returns false, doing nothing, for
     * other layouts.
     */
    private static boolean rowBroadcast(BinaryOp op, RowLoop loop, float[] ad, float[] bd, float[] od) {
        if (op == BinaryOp.POW || loop.rank() != 2) return false;
        int c = loop.inner();
        if (c >= BLOCK / 2) return false;   // long rows: the per-run overhead is already small
        boolean aFull = isRowMajor(loop, 1, c), bFull = isRowMajor(loop, 2, c);
        boolean aRow = isRepeatedRow(loop, 1), bRow = isRepeatedRow(loop, 2);
        if (!isRowMajor(loop, 0, c) || !(aFull && bRow || aRow && bFull)) return false;
        int rows = loop.size() / c, rep = Math.max(1, BLOCK / c);
        int oo = loop.offset(0), ao = loop.offset(1), bo = loop.offset(2);
        boolean tileB = bRow;
        float[] row = tileB ? bd : ad;
        int ro = tileB ? bo : ao;
        RowLoop.forRanges(rows, c, (r0, r1) -> {
            float[] tiled = new float[rep * c];
            for (int t = 0; t < rep; t++) System.arraycopy(row, ro, tiled, t * c, c);
            for (int r = r0; r < r1; r += rep) {
                int n = Math.min(rep, r1 - r) * c, off = r * c;
                if (tileB) binaryContiguous(op, ad, ao + off, 1, tiled, 0, 1, od, oo + off, n);
                else binaryContiguous(op, tiled, 0, 1, bd, bo + off, 1, od, oo + off, n);
            }
        });
        return true;
    }

    /** View v of a rank-2 loop walks its elements contiguously, rows {@code c} apart. */
    private static boolean isRowMajor(RowLoop loop, int v, int c) {
        return loop.stride(v, 1) == 1 && loop.stride(v, 0) == c;
    }

    /** View v of a rank-2 loop is one contiguous row, repeated for every row of the loop. */
    private static boolean isRepeatedRow(RowLoop loop, int v) {
        return loop.stride(v, 1) == 1 && loop.stride(v, 0) == 0;
    }

    /**
     * o[oo + i] = op(a[ao + i·as], b[bo + i·bs]) for i &lt; n, where as and bs are 0 (broadcast) or 1;
     * o may be a or b at the same offset.
     */
    static void binaryContiguous(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs,
                                 float[] o, int oo, int n) {
        int i = switch (op) {
            case ADD -> add(a, ao, as, b, bo, bs, o, oo, n);
            case SUB -> sub(a, ao, as, b, bo, bs, o, oo, n);
            case MUL -> mul(a, ao, as, b, bo, bs, o, oo, n);
            case DIV -> div(a, ao, as, b, bo, bs, o, oo, n);
            case MAXIMUM -> maximum(a, ao, as, b, bo, bs, o, oo, n);
            case MINIMUM -> minimum(a, ao, as, b, bo, bs, o, oo, n);
            case EQ -> eq(a, ao, as, b, bo, bs, o, oo, n);
            case NE -> ne(a, ao, as, b, bo, bs, o, oo, n);
            case LT -> lt(a, ao, as, b, bo, bs, o, oo, n);
            case LE -> le(a, ao, as, b, bo, bs, o, oo, n);
            case GT -> lt(b, bo, bs, a, ao, as, o, oo, n);   // a > b exactly when b < a, NaN included
            case GE -> le(b, bo, bs, a, ao, as, o, oo, n);
            case RELU_GRAD -> reluGrad(a, ao, as, b, bo, bs, o, oo, n);
            case POW -> 0;
        };
        for (; i < n; i++) o[oo + i] = (float) op.apply(a[ao + i * as], b[bo + i * bs]);
    }

    private static int add(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            va.add(vb).intoArray(o, oo + i);
        }
        return i;
    }

    private static int sub(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            va.sub(vb).intoArray(o, oo + i);
        }
        return i;
    }

    private static int mul(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            va.mul(vb).intoArray(o, oo + i);
        }
        return i;
    }

    private static int div(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            va.div(vb).intoArray(o, oo + i);
        }
        return i;
    }

    /** a where b is positive or NaN, +0 where b ≤ 0. */
    private static int reluGrad(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            va.blend(zero, vb.compare(VectorOperators.LE, zero)).intoArray(o, oo + i);
        }
        return i;
    }

    /** a if a is NaN or a ≥ b, else b (the reference's rule; differs from Math.max on −0 vs +0). */
    private static int maximum(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            vb.blend(va, va.compare(VectorOperators.GE, vb).or(va.test(VectorOperators.IS_NAN))).intoArray(o, oo + i);
        }
        return i;
    }

    /** a if a is NaN or a ≤ b, else b. */
    private static int minimum(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            vb.blend(va, va.compare(VectorOperators.LE, vb).or(va.test(VectorOperators.IS_NAN))).intoArray(o, oo + i);
        }
        return i;
    }

    private static int eq(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            zero.blend(one, va.compare(VectorOperators.EQ, vb)).intoArray(o, oo + i);
        }
        return i;
    }

    private static int ne(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            zero.blend(one, va.compare(VectorOperators.NE, vb)).intoArray(o, oo + i);
        }
        return i;
    }

    private static int lt(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            zero.blend(one, va.compare(VectorOperators.LT, vb)).intoArray(o, oo + i);
        }
        return i;
    }

    private static int le(float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            zero.blend(one, va.compare(VectorOperators.LE, vb)).intoArray(o, oo + i);
        }
        return i;
    }

    // ---- where ----

    static void where(View cond, View a, View b, View out) {
        RowLoop loop = RowLoop.of(out.shape(), out, cond, a, b);
        float[] cd = data(cond), ad = data(a), bd = data(b), od = data(out);
        int os = loop.innerStride(0), cs = loop.innerStride(1), as = loop.innerStride(2), bs = loop.innerStride(3);
        loop.forEach(1, (pos, n, scratch) -> {
            int oo = pos[0], co = pos[1], ao = pos[2], bo = pos[3];
            if (cs >= 0 && cs <= 1 && as >= 0 && as <= 1 && bs >= 0 && bs <= 1 && os == 1) {
                whereContiguous(cd, co, cs, ad, ao, as, bd, bo, bs, od, oo, n);
                return;
            }
            for (int k = 0; k < n; k += BLOCK) {
                int m = Math.min(BLOCK, n - k);
                float[] cc = cd, aa = ad, bb = bd, oa = od;
                int cOff = co + k * cs, aOff = ao + k * as, bOff = bo + k * bs, oOff = oo + k;
                int cStr = cs, aStr = as, bStr = bs;
                if (cs != 0 && cs != 1) {
                    cc = scratch.get(0);
                    gather(cd, cOff, cs, cc, m);
                    cOff = 0;
                    cStr = 1;
                }
                if (as != 0 && as != 1) {
                    aa = scratch.get(1);
                    gather(ad, aOff, as, aa, m);
                    aOff = 0;
                    aStr = 1;
                }
                if (bs != 0 && bs != 1) {
                    bb = scratch.get(2);
                    gather(bd, bOff, bs, bb, m);
                    bOff = 0;
                    bStr = 1;
                }
                if (os != 1) {
                    oa = scratch.get(3);
                    oOff = 0;
                }
                whereContiguous(cc, cOff, cStr, aa, aOff, aStr, bb, bOff, bStr, oa, oOff, m);
                if (os != 1) scatter(oa, od, oo + k * os, os, m);
            }
        });
    }

    private static void whereContiguous(float[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs,
                                        float[] o, int oo, int n) {
        FloatVector cc = FloatVector.broadcast(S, c[co]);
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            FloatVector vc = cs == 0 ? cc : FloatVector.fromArray(S, c, co + i);
            FloatVector va = as == 0 ? ca : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = bs == 0 ? cb : FloatVector.fromArray(S, b, bo + i);
            vb.blend(va, vc.compare(VectorOperators.NE, 0f)).intoArray(o, oo + i);   // NaN counts as true
        }
        for (; i < n; i++) o[oo + i] = c[co + i * cs] != 0 ? a[ao + i * as] : b[bo + i * bs];
    }
}
