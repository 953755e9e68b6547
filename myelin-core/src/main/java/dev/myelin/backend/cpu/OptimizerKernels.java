package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused optimizer updates over contiguous float32 arrays: one pass reads each weight, gradient and slot
 * once, where composing element-wise tensor operations makes about a dozen passes and temporaries.
 * Element-wise, so chunks run in parallel and results do not depend on the thread count.
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
