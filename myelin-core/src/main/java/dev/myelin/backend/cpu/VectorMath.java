package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 exp, expm1, log and log1p over arrays, one vector loop each: {@code y[yo + i] = f(x[xo + i])}
 * for i below {@code S.loopBound(n)} (the caller computes the tail); y may be x at the same offset.
 *
 * <p>Why not {@code FloatVector.lanewise(VectorOperators.EXP)}: on JDK 25 / x86 it calls Intel SVML
 * stubs and is fast (about 0.28 ns per element against 0.45 here), but only where C2 sees the operator
 * as a constant; interpreted or in C1 it computes lane by lane with {@code Math.exp}, so results would
 * change with the JIT's state (and by platform). These polynomials use only add, multiply, FMA and bit
 * operations, which give the same bits interpreted or compiled, on every platform.
 *
 * <p>Why whole loops and not {@code FloatVector exp(FloatVector)} helpers: a vector passed to or
 * returned from a method that C2 does not inline is boxed, and the loop then runs hundreds of times
 * slower. C2 refuses to inline our (not {@code @ForceInline}) methods once a compilation grows past
 * its node budget, which a composite such as softplus (exp + log1p) reached in a measured run, and
 * whenever the dispatcher that calls several loops is compiled with them. So no method of this package
 * takes or returns a vector: vectors live inside one loop, and composite functions run these loops one
 * after the other over a block in a scratch buffer that stays in L1.
 *
 * <p>Method (Cephes single precision, with FMA): exp reduces x = n·ln2 + r with |r| ≤ ln2/2 in two
 * steps (Cody-Waite), evaluates e^r − 1 = r + r²·P(r) with a degree-5 P, and scales by 2^n in two
 * factors so that results in the subnormal range are rounded once. log splits x = 2^e·m with m in
 * [√½, √2) and evaluates log(m) = f − f²/2 + f³·Q(f), f = m − 1, with a degree-8 Q. Measured against
 * double-precision references on 17 million inputs spread over all floats: exp 0.97 ulp, expm1 1.6,
 * log 0.8, log1p 1.5; sigmoid 2.7, softplus 2.0, tanh 1.3 (composed in {@link ElementwiseKernels});
 * special values (±0, ±∞, NaN, overflow, underflow, subnormals) exactly as Math's.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * The lanes of {@code v} added in lane order in double: {@code reduceLanes(ADD)}'s order is unspecified
     * and differs between interpreted and compiled code, which would make results depend on the JIT's timing.
     */
    static double laneSum(FloatVector v) {
        double s = 0;
        for (int l = 0; l < L; l++) s += v.lane(l);
        return s;
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    private static final float EXP_HI = 89f;       // exp(89) overflows, exp(-105) underflows to 0
    private static final float EXP_LO = -105f;
    private static final float EXPM1_LO = -87f;    // expm1(-87) rounds to -1, and 2^n stays normal
    private static final float SQRT_HALF = 0.707106781186547524f;
    // e^r − 1 = r + r²·(P0 + r·(P1 + ...)), P in Horner order from the highest degree
    private static final float P5 = 1.9875691500e-4f, P4 = 1.3981999507e-3f, P3 = 8.3334519073e-3f,
            P2 = 4.1665795894e-2f, P1 = 1.6666665459e-1f, P0 = 5.0000001201e-1f;
    // log(1 + f) = f − f²/2 + f³·Q(f)
    private static final float Q8 = 7.0376836292e-2f, Q7 = -1.1514610310e-1f, Q6 = 1.1676998740e-1f,
            Q5 = -1.2420140846e-1f, Q4 = 1.4249322787e-1f, Q3 = -1.6668057665e-1f, Q2 = 2.0000714765e-1f,
            Q1 = -2.4999993993e-1f, Q0 = 3.3333331174e-1f;

    private VectorMath() {}

    /** e^x: overflow gives +∞, underflow 0 (through the subnormals), NaN stays NaN. */
    static void exp(float[] x, int xo, float[] y, int yo, int n) {
        expShifted(x, xo, 0f, y, yo, n);   // x − 0 is x, bit for bit (−0 included)
    }

    /**
     * {@code y[yo + i] = e^(x[xo + i] − shift)}, the difference rounded to float first: the same bits as subtracting
     * the shift in a pass of its own and then {@link #exp}, without that pass (a softmax row minus its maximum).
     */
    static void expShifted(float[] x, int xo, float shift, float[] y, int yo, int n) {
        FloatVector p5 = FloatVector.broadcast(S, P5), p4 = FloatVector.broadcast(S, P4),
                p3 = FloatVector.broadcast(S, P3), p2 = FloatVector.broadcast(S, P2),
                p1 = FloatVector.broadcast(S, P1), p0 = FloatVector.broadcast(S, P0),
                ln2Hi = FloatVector.broadcast(S, -LN2_HI), ln2Lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector lo = FloatVector.broadcast(S, EXP_LO), hi = FloatVector.broadcast(S, EXP_HI);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            // The clamp as compare + blend (NaN compares false and passes). Java's max/min must also order −0
            // below +0 and propagate NaN, which costs x86 a longer sequence: measured on a Zen 2 EPYC, exp took
            // 1.82 ns per element with max/min and 1.46 with blends, the same bits on every 16th float.
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(shift);
            v = v.blend(lo, v.lt(lo));
            v = v.blend(hi, v.compare(VectorOperators.GT, hi));
            FloatVector t = v.fma(LOG2E, ROUND_MAGIC);
            FloatVector k = t.sub(ROUND_MAGIC);                                        // round(x·log2 e)
            FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, v));
            FloatVector em = p5.fma(r, p4).fma(r, p3).fma(r, p2).fma(r, p1).fma(r, p0).mul(r.mul(r)).add(r);
            IntVector ki = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            em.add(1f).mul(s1).mul(s2).intoArray(y, yo + i);
        }
    }

    /** e^x − 1 for x ≤ 0 (ELU's negative side), accurate near 0: 2^n·(e^r − 1) + (2^n − 1). */
    static void expm1NonPositive(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector p5 = FloatVector.broadcast(S, P5), p4 = FloatVector.broadcast(S, P4),
                p3 = FloatVector.broadcast(S, P3), p2 = FloatVector.broadcast(S, P2),
                p1 = FloatVector.broadcast(S, P1), p0 = FloatVector.broadcast(S, P0),
                ln2Hi = FloatVector.broadcast(S, -LN2_HI), ln2Lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector lo = FloatVector.broadcast(S, EXPM1_LO), zero = FloatVector.zero(S);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);                      // clamp as in exp
            v = v.blend(lo, v.lt(lo));
            v = v.blend(zero, v.compare(VectorOperators.GT, zero));                   // −0 stays −0, as min(−0, 0)
            FloatVector t = v.fma(LOG2E, ROUND_MAGIC);
            FloatVector k = t.sub(ROUND_MAGIC);
            FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, v));
            FloatVector em = p5.fma(r, p4).fma(r, p3).fma(r, p2).fma(r, p1).fma(r, p0).mul(r.mul(r)).add(r);
            FloatVector s = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();                                            // 2^k, k in [-126, 0]
            em.fma(s, s.sub(1f)).intoArray(y, yo + i);
        }
    }

    /** Natural log: log(±0) = −∞, log(x &lt; 0) = NaN, log(+∞) = +∞, subnormals handled. */
    static void log(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector q8 = FloatVector.broadcast(S, Q8), q7 = FloatVector.broadcast(S, Q7),
                q6 = FloatVector.broadcast(S, Q6), q5 = FloatVector.broadcast(S, Q5),
                q4 = FloatVector.broadcast(S, Q4), q3 = FloatVector.broadcast(S, Q3),
                q2 = FloatVector.broadcast(S, Q2), q1 = FloatVector.broadcast(S, Q1),
                q0 = FloatVector.broadcast(S, Q0), ln2Hi = FloatVector.broadcast(S, LN2_HI);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            VectorMask<Float> sub = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
            IntVector bits = v.mul(8388608f, sub).reinterpretAsInts();                // 2^23 lifts subnormals
            FloatVector e = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126)
                    .convert(VectorOperators.I2F, 0)).sub(23f, sub);
            FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();  // [0.5, 1)
            VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
            e = e.sub(1f, low);
            FloatVector f = m.add(m, low).sub(1f);                                   // m − 1 or 2m − 1, exact
            FloatVector z = f.mul(f);
            FloatVector q = q8.fma(f, q7).fma(f, q6).fma(f, q5).fma(f, q4).fma(f, q3).fma(f, q2).fma(f, q1).fma(f, q0);
            FloatVector res = e.fma(ln2Hi, q.mul(f).mul(z).add(e.mul(LN2_LO)).add(z.mul(-0.5f)).add(f));
            res = res.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f));
            res = res.blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
            res.blend(Float.NaN, v.compare(VectorOperators.LT, 0f).or(v.test(VectorOperators.IS_NAN)))
                    .intoArray(y, yo + i);
        }
    }

    /**
     * log(1 + x), with the rounding of w = 1 + x corrected: log(w) − ((w − 1) − x)/w. w is never
     * subnormal (it is 0 or at least 2^-24), so the decomposition needs no rescaling.
     */
    static void log1p(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector q8 = FloatVector.broadcast(S, Q8), q7 = FloatVector.broadcast(S, Q7),
                q6 = FloatVector.broadcast(S, Q6), q5 = FloatVector.broadcast(S, Q5),
                q4 = FloatVector.broadcast(S, Q4), q3 = FloatVector.broadcast(S, Q3),
                q2 = FloatVector.broadcast(S, Q2), q1 = FloatVector.broadcast(S, Q1),
                q0 = FloatVector.broadcast(S, Q0), ln2Hi = FloatVector.broadcast(S, LN2_HI);
        for (int i = 0, ub = S.loopBound(n); i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector w = v.add(1f);
            FloatVector c = w.sub(1f).sub(v).div(w);
            IntVector bits = w.reinterpretAsInts();
            FloatVector e = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126)
                    .convert(VectorOperators.I2F, 0);
            FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
            VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
            e = e.sub(1f, low);
            FloatVector f = m.add(m, low).sub(1f);
            FloatVector z = f.mul(f);
            FloatVector q = q8.fma(f, q7).fma(f, q6).fma(f, q5).fma(f, q4).fma(f, q3).fma(f, q2).fma(f, q1).fma(f, q0);
            FloatVector res = e.fma(ln2Hi, q.mul(f).mul(z).add(e.mul(LN2_LO)).add(z.mul(-0.5f)).add(f)).sub(c);
            res = res.blend(Float.NEGATIVE_INFINITY, w.compare(VectorOperators.EQ, 0f));
            res = res.blend(Float.POSITIVE_INFINITY, w.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
            res.blend(Float.NaN, w.compare(VectorOperators.LT, 0f).or(v.test(VectorOperators.IS_NAN)))
                    .intoArray(y, yo + i);
        }
    }
}
