package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused optimizer updates over contiguous float32 arrays: one pass reads each weight, gradient and slot
 * once, where composing element-wise tensor operations makes about a dozen passes and temporaries.
 * Element-wise, so chunks run in parallel and results do not depend on the thread count.
 *
 * <p>SGD, RMSprop and Adagrad make the same float32 operations in the same order as their optimizer's
 * tensor code (and {@code ComposedKernels}), one rounding each and no FMA, so they give the same bits.
 * An absent slot is a null array; the choice between variants is loop-invariant, which C2 hoists.
 */
final class OptimizerKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 14;

    private OptimizerKernels() {}

    /** Adam: {@code m += (g-m)·c1; v += (g²-v)·c2; w -= (m·alpha) / (sqrt(v) + eps)}, with c1 = 1-beta1, c2 = 1-beta2. */
    static void adam(float[] w, int wo, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                     float alpha, float c1, float c2, float eps) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, c -> {
            int from = c * CHUNK, to = Math.min(n, from + CHUNK);
            adamRange(w, wo, g, go, m, mo, v, vo, from, to, alpha, c1, c2, eps);
        });
    }

    /** Runs {@code range.run(from, to)} over [0, n) in chunks of a fixed size, in parallel. */
    private static void chunks(int n, RowLoop.RangeBody range) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, c -> range.run(c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }

    /**
     * SGD with {@code lrG = g·lr}: {@code w -= lrG} when {@code m} is null; otherwise
     * {@code m = m·mu - lrG} and {@code w += m}, or {@code w += m·mu - lrG} with Nesterov.
     */
    static void sgd(float[] w, int wo, float[] g, int go, float[] m, int mo, int n, float lr, float mu, boolean nesterov) {
        chunks(n, (from, to) -> sgdRange(w, wo, g, go, m, mo, from, to, lr, mu, nesterov));
    }

    private static void sgdRange(float[] w, int wo, float[] g, int go, float[] m, int mo, int from, int to,
                                 float lr, float mu, boolean nesterov) {
        int i = from;
        for (int ub = from + S.loopBound(to - from); i < ub; i += L) {
            FloatVector lrG = FloatVector.fromArray(S, g, go + i).mul(lr);
            FloatVector wv = FloatVector.fromArray(S, w, wo + i);
            if (m == null) {
                wv = wv.sub(lrG);
            } else {
                FloatVector mv = FloatVector.fromArray(S, m, mo + i).mul(mu).sub(lrG);
                mv.intoArray(m, mo + i);
                wv = wv.add(nesterov ? mv.mul(mu).sub(lrG) : mv);
            }
            wv.intoArray(w, wo + i);
        }
        for (; i < to; i++) {
            float lrG = g[go + i] * lr;
            if (m == null) {
                w[wo + i] -= lrG;
            } else {
                float mi = m[mo + i] * mu - lrG;
                m[mo + i] = mi;
                w[wo + i] += nesterov ? mi * mu - lrG : mi;
            }
        }
    }

    /**
     * RMSprop: {@code v = v·rho + (g·g)·c}, c = 1 - rho; centered ({@code a} not null)
     * {@code a = a·rho + g·c} and {@code d = v - a·a}, otherwise {@code d = v};
     * {@code inc = (g·lr) / sqrt(d + eps)}; {@code m = m·mu + inc; w -= m} with momentum ({@code m} not
     * null), otherwise {@code w -= inc}.
     */
    static void rmsprop(float[] w, int wo, float[] g, int go, float[] v, int vo, float[] a, int ao, float[] m, int mo, int n,
                        float lr, float rho, float c, float mu, float eps) {
        chunks(n, (from, to) -> rmspropRange(w, wo, g, go, v, vo, a, ao, m, mo, from, to, lr, rho, c, mu, eps));
    }

    private static void rmspropRange(float[] w, int wo, float[] g, int go, float[] v, int vo, float[] a, int ao, float[] m, int mo,
                                     int from, int to, float lr, float rho, float c, float mu, float eps) {
        int i = from;
        for (int ub = from + S.loopBound(to - from); i < ub; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector vv = FloatVector.fromArray(S, v, vo + i).mul(rho).add(gv.mul(gv).mul(c));
            vv.intoArray(v, vo + i);
            FloatVector d = vv;
            if (a != null) {
                FloatVector av = FloatVector.fromArray(S, a, ao + i).mul(rho).add(gv.mul(c));
                av.intoArray(a, ao + i);
                d = vv.sub(av.mul(av));
            }
            FloatVector inc = gv.mul(lr).div(d.add(eps).sqrt());
            if (m != null) {
                inc = FloatVector.fromArray(S, m, mo + i).mul(mu).add(inc);
                inc.intoArray(m, mo + i);
            }
            FloatVector.fromArray(S, w, wo + i).sub(inc).intoArray(w, wo + i);
        }
        for (; i < to; i++) {
            float gi = g[go + i];
            float vi = v[vo + i] * rho + gi * gi * c;
            v[vo + i] = vi;
            float d = vi;
            if (a != null) {
                float ai = a[ao + i] * rho + gi * c;
                a[ao + i] = ai;
                d = vi - ai * ai;
            }
            float inc = gi * lr / (float) Math.sqrt(d + eps);
            if (m != null) {
                inc = m[mo + i] * mu + inc;
                m[mo + i] = inc;
            }
            w[wo + i] -= inc;
        }
    }

    /** Adagrad: {@code acc += g·g; w -= (g·lr) / sqrt(acc + eps)}. */
    static void adagrad(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float eps) {
        chunks(n, (from, to) -> adagradRange(w, wo, g, go, acc, ao, from, to, lr, eps));
    }

    private static void adagradRange(float[] w, int wo, float[] g, int go, float[] acc, int ao, int from, int to, float lr, float eps) {
        int i = from;
        for (int ub = from + S.loopBound(to - from); i < ub; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector av = FloatVector.fromArray(S, acc, ao + i).add(gv.mul(gv));
            av.intoArray(acc, ao + i);
            FloatVector step = gv.mul(lr).div(av.add(eps).sqrt());
            FloatVector.fromArray(S, w, wo + i).sub(step).intoArray(w, wo + i);
        }
        for (; i < to; i++) {
            float gi = g[go + i];
            float ai = acc[ao + i] + gi * gi;
            acc[ao + i] = ai;
            w[wo + i] -= gi * lr / (float) Math.sqrt(ai + eps);
        }
    }

    private static void adamRange(float[] w, int wo, float[] g, int go, float[] m, int mo, float[] v, int vo,
                                  int from, int to, float alpha, float c1, float c2, float eps) {
        int i = from;
        for (int ub = from + S.loopBound(to - from); i < ub; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector mv = FloatVector.fromArray(S, m, mo + i);
            FloatVector vv = FloatVector.fromArray(S, v, vo + i);
            mv = mv.add(gv.sub(mv).mul(c1));
            vv = vv.add(gv.mul(gv).sub(vv).mul(c2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            FloatVector step = mv.mul(alpha).div(vv.sqrt().add(eps));
            FloatVector.fromArray(S, w, wo + i).sub(step).intoArray(w, wo + i);
        }
        for (; i < to; i++) {
            float gi = g[go + i];
            float mi = m[mo + i] + (gi - m[mo + i]) * c1;
            float vi = v[vo + i] + (gi * gi - v[vo + i]) * c2;
            m[mo + i] = mi;
            v[vo + i] = vi;
            w[wo + i] -= (mi * alpha) / ((float) Math.sqrt(vi) + eps);
        }
    }
}
