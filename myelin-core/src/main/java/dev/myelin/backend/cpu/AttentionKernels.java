package dev.myelin.backend.cpu;

import dev.myelin.backend.DType;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.MemoryCheck;
import dev.myelin.backend.View;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 scaled dot-product attention ({@link dev.myelin.backend.Backend#attention}) and its gradient,
 * flash-attention style: the {@code Tq × Tk} scores are never stored, so memory grows linearly with the
 * sequence length.
 *
 * <p>Forward (FlashAttention): per (batch, head, block of {@value #QUERY_BLOCK} queries), walk the keys in
 * blocks of {@value #KEY_BLOCK}; for each, s = q·(k·scale)ᵀ + bias in a block buffer, then the online
 * softmax keeps per row the running maximum m and sum l: {@code m' = max(m, max_j s); α = e^(m − m');
 * P = e^(s − m'); l = α·l + Σ P; O = α·O + P·V}; at the end {@code out = O / l} and
 * {@code logsumexp = m + log l}. Backward (FlashAttention-2): per (batch, head), with
 * {@code D_i = Σ_e dO[i, e]·O[i, e]}, for each key block and each query block recompute
 * {@code P = e^(s − logsumexp)} (the same s, bit for bit, as the forward's), then {@code dV += Pᵀ·dO; dS = P∘(dO·Vᵀ − D);
 * dQ += dS·K; dK += dSᵀ·Q}; finally {@code dq = scale·dQ, dk = scale·dK}. The scale goes into the keys' transposed copy,
 * which is made anyway, so that the queries need none.
 *
 * <p>Scratch: each forward task copies the keys (transposed, times the scale) and values of the head it works on right
 * before it reads them ({@link #packHead}), into buffers of the calling thread kept between calls
 * ({@code Tk·(D + Dv)} floats, and block buffers of {@code QUERY_BLOCK·(KEY_BLOCK + Dv)}); the backward holds dQ of one
 * (batch, head), {@code Tq·D} floats (and q and dO, {@code Tq·(D + Dv)}, where they are packed), and per key block its k,
 * v and their gradients. Inputs and outputs may have any strides: an operand the block products read as rows of whole
 * vectors is read in place where its rows are (unit column stride, a width that is a multiple of the vector length, as the
 * columns of a packed self-attention's projections at head size 32), else packed into a contiguous block (transposed where
 * the product wants it) padded with zeros to a multiple of the vector length; a left operand is read in place with any
 * strides; results are written through the outputs' strides (so a self-attention's q, k, v and their gradients can be
 * column ranges of one packed {@code [B, T, 3·H·D]} tensor). The block products run through one
 * register-blocked kernel {@link #gemm}: four rows of the left operand broadcast against two vectors of the
 * right one (on this 2-core AVX2 machine about 29 GFLOPS on one thread at these block sizes, as much as
 * {@link Sgemm} gets there, without its per-call set-up).
 *
 * <p>Masking: the bias is {@code (1 − mask)·(−1e9)} (Keras's), or −1e9 where causal masking hides the key
 * (query i sees keys {@code j ≤ i + Tk − Tq}). Key blocks that causal masking hides from every query of a
 * block are skipped: their softmax weights underflow to exactly 0 once the row has seen one visible key.
 * A row that has seen only masked keys (maximum below −5e8, as when the mask hides all of
 * its visible keys) keeps going through every key, so that, as in the composed reference, it ends with the
 * softmax of its −1e9-biased scores over all keys (the threshold assumes masks of 0 and 1).
 *
 * <p>Determinism: forward tasks are fixed groups of (batch, head, query block) items computed
 * independently; backward tasks are fixed groups of (batch, head) pairs, each pair accumulating in a fixed order. Neither depends
 * on the thread count.
 */
final class AttentionKernels {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    static final int QUERY_BLOCK = 64;
    /**
     * Keys per block: a multiple of two vectors (the width {@link #gemm} steps by) for any species up to 512 bits.
     * 128 rather than 64: half the per-row work of the online softmax (a maximum, a sum, a rescale per row and block)
     * and the whole of a 128-key sequence in one block; measured (B32 H4 D32, Zen 4, 2 threads, forward + backward,
     * two runs each): T128 9.3-9.8 ms against 9.8-10.9, T512 122 against 124.
     */
    static final int KEY_BLOCK = 128;
    /** Whether {@link #packTransposed} gathers: x86, whose AVX2 and AVX-512 have gather instructions for the species. */
    private static final boolean GATHER = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> L >= 8;
        default -> false;
    };
    private static final float MASKED_BIAS = -1e9f;
    private static final float ALL_MASKED = -5e8f;
    /**
     * Most tasks of a forward or backward call: enough to balance many cores, few enough that the per-task
     * scratch stays small (at batch 32 × 4 heads, 128 tasks allocated 39 MB per forward + backward, 32 tasks 24 MB, equally fast).
     */
    private static final int MAX_TASKS = 32;

    private AttentionKernels() {}

    /**
     * Float32 operands and outputs (null ones are not wanted), of any strides: the outputs may be rows of a
     * packed {@code [B, T, H·D]} tensor (see {@code Tensor.packedSelfAttention}).
     */
    static boolean supports(View q, View k, View v, View mask, View... outputs) {
        if (q.dtype() != DType.FLOAT32 || k.dtype() != DType.FLOAT32 || v.dtype() != DType.FLOAT32) return false;
        if (mask != null && mask.dtype() != DType.FLOAT32) return false;
        for (View o : outputs) {
            if (o != null && o.dtype() != DType.FLOAT32) return false;
        }
        return true;
    }

    /** The sizes and operand layout of one call. */
    private record Geometry(int b, int h, int tq, int tk, int d, int dv, int dPad, int dvPad, View q, View k, View v, View mask,
                            boolean causal, float scale) {
        static Geometry of(View q, View k, View v, View mask, boolean causal, double scale) {
            int[] qs = q.shape();
            int d = qs[3], dv = v.shape()[3];
            return new Geometry(qs[0], qs[1], qs[2], k.shape()[2], d, dv, padded(d), padded(dv), q, k, v, mask, causal, (float) scale);
        }

        int heads() {
            return b * h;
        }

        /** Offset of (b, h) in a rank-4 view. */
        static int base(View x, int bh, int heads) {
            int[] st = x.strides();
            return x.offset() + (bh / heads) * st[0] + (bh % heads) * st[1];
        }
    }

    // ---- forward ----

    static void forward(View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp) {
        Geometry g = Geometry.of(q, k, v, mask, causal, scale);
        int queryBlocks = Math.ceilDiv(g.tq, QUERY_BLOCK);
        int items = g.heads() * queryBlocks;
        if (items == 0) return;
        int tkPad = padded(g.tk);
        MemoryCheck.elementCount("attention: k transposed", g.d, tkPad);
        MemoryCheck.elementCount("attention: v packed", g.tk, g.dvPad);
        int tasks = Math.min(items, MAX_TASKS);
        Parallel.forRange(tasks, t -> {
            ForwardScratch s = ForwardScratch.of(g, tkPad);
            int packedHead = -1;
            for (int item = (int) ((long) t * items / tasks), end = (int) ((long) (t + 1) * items / tasks); item < end; item++) {
                int bh = item / queryBlocks, i0 = (item % queryBlocks) * QUERY_BLOCK;
                if (bh != packedHead) {
                    packHead(g, s, bh, tkPad);
                    packedHead = bh;
                }
                forwardBlock(g, s, bh, i0, s.kt, 0, tkPad, s.v, 0, g.dvPad, out, logsumexp);
            }
        });
    }

    /**
     * The head's keys transposed and times the scale, {@code s.kt[c·tkPad + j]}, and its values, {@code s.v[j·dvPad + e]},
     * copied contiguous by the task that reads them, right before it does (every query block of the head reads all of them).
     * Packed once per call for all heads, or read in place, they came from L3 or memory: the projections of a packed
     * self-attention are rows 1.5 KB apart (heads side by side), and the per-call copy of every head's keys (2 MB at batch 32,
     * 4 heads, 128 positions, 32 per head) outgrows L2 before the first block reads it. The copies hold the same values, so
     * the results are the same bits.
     */
    private static void packHead(Geometry g, ForwardScratch s, int bh, int tkPad) {
        int[] kst = g.k.strides(), vst = g.v.strides();
        packTransposed(data(g.k), Geometry.base(g.k, bh, g.h), kst[2], kst[3], g.tk, tkPad, g.d, g.scale, s.kt, 0, tkPad);
        pack(data(g.v), Geometry.base(g.v, bh, g.h), vst[2], vst[3], g.tk, g.dv, s.v, 0, g.dvPad);
    }

    /**
     * One forward task's buffers: the calling thread's, kept between calls (grown when a call needs more), so that a
     * training step allocates none.
     */
    private static final class ForwardScratch {
        private static final ThreadLocal<ForwardScratch> CURRENT = ThreadLocal.withInitial(ForwardScratch::new);
        final float[] scores = new float[QUERY_BLOCK * KEY_BLOCK], max = new float[QUERY_BLOCK], sum = new float[QUERY_BLOCK];
        float[] acc = new float[0], kt = new float[0], v = new float[0];

        static ForwardScratch of(Geometry g, int tkPad) {
            ForwardScratch s = CURRENT.get();
            s.acc = atLeast(s.acc, QUERY_BLOCK * g.dvPad);
            s.kt = atLeast(s.kt, g.d * tkPad);
            s.v = atLeast(s.v, g.tk * g.dvPad);
            return s;
        }
    }

    /**
     * Queries i0 .. i0 + bq of head bh against every key block they need; the head's keys times the scale are
     * {@code kt[ko + d·ldk + j]} (transposed) and its values {@code vp[vo + j·ldv + e]} (rows of at least dvPad floats).
     * The queries are read where they are, with their strides: a product's left operand needs no copy.
     */
    private static void forwardBlock(Geometry g, ForwardScratch s, int bh, int i0, float[] kt, int ko, int ldk, float[] vp, int vo, int ldv,
                                     View out, View logsumexp) {
        int bq = Math.min(QUERY_BLOCK, g.tq - i0);
        int[] qst = g.q.strides();
        float[] qa = data(g.q);
        int qo = Geometry.base(g.q, bh, g.h) + i0 * qst[2];
        Arrays.fill(s.acc, 0, bq * g.dvPad, 0f);
        Arrays.fill(s.max, 0, bq, Float.NEGATIVE_INFINITY);
        Arrays.fill(s.sum, 0, bq, 0f);
        int visibleEnd = g.causal ? Math.clamp((long) i0 + bq + g.tk - g.tq, 0, g.tk) : g.tk;
        float[] sc = s.scores;
        for (int j0 = 0; j0 < g.tk; j0 += KEY_BLOCK) {
            if (j0 >= visibleEnd && !anyBelow(s.max, bq, ALL_MASKED)) break;
            int bk = Math.min(KEY_BLOCK, g.tk - j0), bkPad = padded(bk);
            gemm(qa, qo, qst[2], qst[3], kt, ko + j0, ldk, sc, 0, KEY_BLOCK, bq, g.d, bkPad, false);
            // online softmax, row by row while the row is in L1: the new maximum m, the rescale factor, P = e^(s − m)
            // (the shift inside the exponential's loop: a pass over the block less), the running sum
            for (int r = 0; r < bq; r++) {
                int so = r * KEY_BLOCK;
                addBias(g, bh, i0 + r, j0, bk, sc, so);
                padRow(sc, so, bk, bkPad, Float.NEGATIVE_INFINITY);
                float old = s.max[r];
                float m = Math.max(old, rowMax(sc, so, bkPad));
                float alpha = (float) Math.exp(old - m);   // 0 on the first block (old = −∞)
                s.max[r] = m;
                VectorMath.expShifted(sc, so, m, sc, so, bkPad);   // columns past bkPad in a row are stale and never read
                padRow(sc, so, bk, bkPad, 0f);
                s.sum[r] = s.sum[r] * alpha + rowSum(sc, so, bkPad);
                if (alpha != 1f) scale(s.acc, r * g.dvPad, g.dvPad, alpha);
            }
            gemm(sc, 0, KEY_BLOCK, 1, vp, vo + j0 * ldv, ldv, s.acc, 0, g.dvPad, bq, bk, g.dvPad, true);
        }
        float[] o = data(out), lse = logsumexp == null ? null : data(logsumexp);
        int[] ost = out.strides(), lst = logsumexp == null ? null : logsumexp.strides();
        int oo = Geometry.base(out, bh, g.h) + i0 * ost[2], lo = logsumexp == null ? 0 : Geometry.base(logsumexp, bh, g.h) + i0 * lst[2];
        for (int r = 0; r < bq; r++) {
            float inv = 1f / s.sum[r];
            int at = oo + r * ost[2], e = 0;
            if (ost[3] == 1) {
                for (int ub = S.loopBound(g.dv); e < ub; e += L) FloatVector.fromArray(S, s.acc, r * g.dvPad + e).mul(inv).intoArray(o, at + e);
            }
            for (; e < g.dv; e++) o[at + e * ost[3]] = s.acc[r * g.dvPad + e] * inv;
            if (lse != null) lse[lo + r * lst[2]] = s.max[r] + (float) Math.log(s.sum[r]);
        }
    }

    // ---- backward ----

    static void backward(View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp, View gradOut,
                         View dq, View dk, View dv) {
        Geometry g = Geometry.of(q, k, v, mask, causal, scale);
        if (g.heads() == 0 || g.tq == 0) {
            if (dk != null) zero(dk);
            if (dv != null) zero(dv);
            return;
        }
        // fixed groups of heads, each computed alone: the grouping only saves each group's scratch allocations
        int heads = g.heads(), tasks = Math.min(heads, MAX_TASKS);
        Parallel.forRange(tasks, t -> {
            BackwardScratch s = new BackwardScratch(g, dq != null, gradOut);
            for (int bh = (int) ((long) t * heads / tasks), end = (int) ((long) (t + 1) * heads / tasks); bh < end; bh++) {
                backwardHead(g, s, bh, out, logsumexp, gradOut, dq, dk, dv);
            }
        });
    }

    /**
     * One backward task's buffers, reused for each (batch, head) it computes; no copy of q, k or dO where
     * their rows are already whole vectors ({@link #rowsInPlace}): the products read them where they are.
     */
    private static final class BackwardScratch {
        final float[] qs, dO, dQ, delta, lse, kt, kp, vt, p, ds, dK, dV;
        final boolean[] blockAllMasked;

        BackwardScratch(Geometry g, boolean wantDq, View gradOut) {
            qs = rowsInPlace(g.q, g.d) ? null : new float[g.tq * g.dPad];
            dO = rowsInPlace(gradOut, g.dv) ? null : new float[g.tq * g.dvPad];
            dQ = wantDq ? new float[g.tq * g.dPad] : null;
            delta = new float[g.tq];
            lse = new float[g.tq];
            blockAllMasked = new boolean[Math.ceilDiv(g.tq, QUERY_BLOCK)];
            kt = new float[g.d * KEY_BLOCK];
            kp = rowsInPlace(g.k, g.d) ? null : new float[KEY_BLOCK * g.dPad];
            vt = new float[g.dv * KEY_BLOCK];
            p = new float[QUERY_BLOCK * KEY_BLOCK];
            ds = new float[QUERY_BLOCK * KEY_BLOCK];
            dK = new float[KEY_BLOCK * g.dPad];
            dV = new float[KEY_BLOCK * g.dvPad];
        }
    }

    private static void backwardHead(Geometry g, BackwardScratch s, int bh, View out, View logsumexp, View gradOut, View dqOut, View dkOut,
                                     View dvOut) {
        int tq = g.tq, d = g.d, dv = g.dv, dPad = g.dPad, dvPad = g.dvPad;
        boolean wantScores = dqOut != null || dkOut != null;
        int[] qst = g.q.strides(), kst = g.k.strides(), vst = g.v.strides(), gst = gradOut.strides();
        // q (unscaled: the scale is in the keys' copy kt and in the gradients' unpacking) and dO: rows qs[qo + i·ldq + c]
        // and dO[go + i·ldg + e], in place or packed
        float[] qs = s.qs, dO = s.dO, dQ = dqOut == null ? null : s.dQ;
        int qo = 0, ldq = dPad, go = 0, ldg = dvPad;
        if (qs == null) {
            qs = data(g.q);
            qo = Geometry.base(g.q, bh, g.h);
            ldq = qst[2];
        } else {
            pack(data(g.q), Geometry.base(g.q, bh, g.h), qst[2], qst[3], tq, d, qs, 0, dPad);
        }
        if (dO == null) {
            dO = data(gradOut);
            go = Geometry.base(gradOut, bh, g.h);
            ldg = gst[2];
        } else {
            pack(data(gradOut), Geometry.base(gradOut, bh, g.h), gst[2], gst[3], tq, dv, dO, 0, dvPad);
        }
        if (dQ != null) Arrays.fill(dQ, 0f);
        float[] o = data(out), lseData = data(logsumexp);
        int[] ost = out.strides(), lst = logsumexp.strides();
        int lseOff = Geometry.base(logsumexp, bh, g.h), oOff = Geometry.base(out, bh, g.h);
        float[] delta = s.delta, lse = s.lse;
        for (int i = 0; i < tq; i++) {
            delta[i] = dot(dO, go + i * ldg, o, oOff + i * ost[2], ost[3], dv);
            lse[i] = lseData[lseOff + i * lst[2]];
        }
        int queryBlocks = Math.ceilDiv(tq, QUERY_BLOCK);
        boolean[] blockAllMasked = s.blockAllMasked;
        for (int qb = 0; qb < queryBlocks; qb++) {
            int i0 = qb * QUERY_BLOCK;
            blockAllMasked[qb] = anyBelow(lse, i0, Math.min(QUERY_BLOCK, tq - i0), ALL_MASKED);
        }
        float[] kt = s.kt, vt = s.vt, p = s.p, ds = s.ds, dK = s.dK, dV = s.dV;
        int kBase = Geometry.base(g.k, bh, g.h), vBase = Geometry.base(g.v, bh, g.h);
        for (int j0 = 0; j0 < g.tk; j0 += KEY_BLOCK) {
            int bk = Math.min(KEY_BLOCK, g.tk - j0), bkPad = padded(bk);
            packTransposed(data(g.k), kBase + j0 * kst[2], kst[2], kst[3], bk, bkPad, d, g.scale, kt, 0, KEY_BLOCK);
            // the block's keys unscaled, rows kp[ko + j·ldk + c]: in place or packed
            float[] kp = s.kp;
            int ko = 0, ldk = dPad;
            if (kp == null) {
                kp = data(g.k);
                ko = kBase + j0 * kst[2];
                ldk = kst[2];
            } else if (dqOut != null) {
                pack(data(g.k), kBase + j0 * kst[2], kst[2], kst[3], bk, d, kp, 0, dPad);
            }
            if (wantScores) packTransposed(data(g.v), vBase + j0 * vst[2], vst[2], vst[3], bk, bkPad, dv, 1f, vt, 0, KEY_BLOCK);
            Arrays.fill(dK, 0f);
            Arrays.fill(dV, 0f);
            for (int qb = 0; qb < queryBlocks; qb++) {
                int i0 = qb * QUERY_BLOCK, bq = Math.min(QUERY_BLOCK, tq - i0);
                // causal masking hides this key block from every query of the block: P is exactly 0 there
                if (g.causal && !blockAllMasked[qb] && (long) j0 > (long) i0 + bq - 1 + g.tk - tq) continue;
                gemm(qs, qo + i0 * ldq, ldq, 1, kt, 0, KEY_BLOCK, p, 0, KEY_BLOCK, bq, d, bkPad, false);
                // P = e^(s − logsumexp), row by row (the shift inside the exponential's loop); columns past bkPad are stale
                // and never read
                for (int r = 0; r < bq; r++) {
                    int so = r * KEY_BLOCK;
                    addBias(g, bh, i0 + r, j0, bk, p, so);
                    VectorMath.expShifted(p, so, lse[i0 + r], p, so, bkPad);
                    padRow(p, so, bk, bkPad, 0f);
                }
                // dV += Pᵀ·dO
                if (dvOut != null) gemm(p, 0, 1, KEY_BLOCK, dO, go + i0 * ldg, ldg, dV, 0, dvPad, bk, bq, dvPad, true);
                if (!wantScores) continue;
                // dS = P∘(dO·Vᵀ − D)
                gemm(dO, go + i0 * ldg, ldg, 1, vt, 0, KEY_BLOCK, ds, 0, KEY_BLOCK, bq, dv, bkPad, false);
                for (int r = 0; r < bq; r++) scoreGradient(p, ds, r * KEY_BLOCK, delta[i0 + r], bkPad);
                if (dQ != null) gemm(ds, 0, KEY_BLOCK, 1, kp, ko, ldk, dQ, i0 * dPad, dPad, bq, bk, dPad, true);
                if (dkOut != null) gemm(ds, 0, 1, KEY_BLOCK, qs, qo + i0 * ldq, ldq, dK, 0, dPad, bk, bq, dPad, true);
            }
            if (dkOut != null) unpack(dK, dPad, bk, d, g.scale, dkOut, bh, g.h, j0);
            if (dvOut != null) unpack(dV, dvPad, bk, dv, 1f, dvOut, bh, g.h, j0);
        }
        if (dqOut != null) unpack(dQ, dPad, tq, d, g.scale, dqOut, bh, g.h, 0);
    }

    // ---- pieces ----

    /**
     * Adds the bias of query i against keys j0 .. j0 + bk to a row of scores: −1e9 where causal masking
     * hides the key, {@code (1 − mask)·(−1e9)} elsewhere (rounded as the composed reference rounds it).
     */
    private static void addBias(Geometry g, int bh, int i, int j0, int bk, float[] s, int so) {
        int visible = g.causal ? Math.clamp((long) i + g.tk - g.tq - j0 + 1, 0, bk) : bk;
        for (int c = visible; c < bk; c++) s[so + c] += MASKED_BIAS;
        View mask = g.mask;
        if (mask == null || visible == 0) return;
        int[] st = mask.strides();
        float[] m = data(mask);
        int mo = Geometry.base(mask, bh, g.h) + i * st[2] + j0 * st[3], ms = st[3];
        if (ms == 0) {
            float bias = (1f - m[mo]) * MASKED_BIAS;
            if (bias != 0f) for (int c = 0; c < visible; c++) s[so + c] += bias;
            return;
        }
        int c = 0;
        if (ms == 1) {
            for (int ub = S.loopBound(visible); c < ub; c += L) {
                FloatVector bias = FloatVector.broadcast(S, 1f).sub(FloatVector.fromArray(S, m, mo + c)).mul(MASKED_BIAS);
                FloatVector.fromArray(S, s, so + c).add(bias).intoArray(s, so + c);
            }
        }
        for (; c < visible; c++) s[so + c] += (1f - m[mo + c * ms]) * MASKED_BIAS;
    }

    /**
     * Whether a product can read x's rows where they are, as a right operand of n = padded(cols) columns: each row
     * a contiguous run of whole vectors (cols a multiple of L, unit column stride).
     */
    private static boolean rowsInPlace(View x, int cols) {
        return x.strides()[3] == 1 && cols % L == 0;
    }

    /** Σ_e a[ao + e]·b[bo + e·bs] for e below n, in float: b's rows (an output's) may have any column stride. */
    private static float dot(float[] a, int ao, float[] b, int bo, int bs, int n) {
        int e = 0;
        float sum = 0f;
        if (bs == 1) {
            FloatVector acc = FloatVector.zero(S);
            for (int ub = S.loopBound(n); e < ub; e += L) acc = FloatVector.fromArray(S, a, ao + e).fma(FloatVector.fromArray(S, b, bo + e), acc);
            sum = (float) VectorMath.laneSum(acc); // lane order: the same bits compiled or interpreted
        }
        for (; e < n; e++) sum += a[ao + e] * b[bo + e * bs];
        return sum;
    }

    /** dS = P∘(dP − D) over one row, written over dP. */
    private static void scoreGradient(float[] p, float[] ds, int so, float delta, int n) {
        for (int c = 0; c < n; c += L) {
            FloatVector dp = FloatVector.fromArray(S, ds, so + c).sub(delta);
            FloatVector.fromArray(S, p, so + c).mul(dp).intoArray(ds, so + c);
        }
    }

    private static float rowMax(float[] s, int so, int n) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < n; c += L) m = m.max(FloatVector.fromArray(S, s, so + c));
        return m.reduceLanes(VectorOperators.MAX);
    }

    private static float rowSum(float[] s, int so, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0; c < n; c += L) acc = acc.add(FloatVector.fromArray(S, s, so + c));
        return (float) VectorMath.laneSum(acc); // lane order: the same bits compiled or interpreted
    }

    private static void scale(float[] x, int xo, int n, float f) {
        for (int c = 0; c < n; c += L) FloatVector.fromArray(S, x, xo + c).mul(f).intoArray(x, xo + c);
    }

    private static void padRow(float[] s, int so, int from, int to, float value) {
        for (int c = from; c < to; c++) s[so + c] = value;
    }

    private static boolean anyBelow(float[] x, int n, float limit) {
        return anyBelow(x, 0, n, limit);
    }

    private static boolean anyBelow(float[] x, int from, int n, float limit) {
        for (int i = from; i < from + n; i++) if (!(x[i] >= limit)) return true;
        return false;
    }

    /**
     * {@code C[i][0..n) (+)= Σ_{d < depth} A(i, d)·B[d][0..n)} for i below m, with
     * {@code A(i, d) = a[ao + i·ars + d·acs]} (a transposed left operand is just other strides), B rows
     * {@code ldb} apart and C rows {@code ldc} apart; n is a multiple of L.
     */
    static void gemm(float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb, float[] c, int co, int ldc,
                     int m, int depth, int n, boolean accumulate) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = ao + i * ars, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
            int c0 = co + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                FloatVector x00 = load(c, c0 + j, accumulate), x01 = load(c, c0 + j + L, accumulate);
                FloatVector x10 = load(c, c1 + j, accumulate), x11 = load(c, c1 + j + L, accumulate);
                FloatVector x20 = load(c, c2 + j, accumulate), x21 = load(c, c2 + j + L, accumulate);
                FloatVector x30 = load(c, c3 + j, accumulate), x31 = load(c, c3 + j + L, accumulate);
                for (int k = 0, bk = bo + j, ak = 0; k < depth; k++, bk += ldb, ak += acs) {
                    FloatVector b0 = FloatVector.fromArray(S, b, bk), b1 = FloatVector.fromArray(S, b, bk + L);
                    FloatVector y0 = FloatVector.broadcast(S, a[a0 + ak]);
                    x00 = b0.fma(y0, x00);
                    x01 = b1.fma(y0, x01);
                    FloatVector y1 = FloatVector.broadcast(S, a[a1 + ak]);
                    x10 = b0.fma(y1, x10);
                    x11 = b1.fma(y1, x11);
                    FloatVector y2 = FloatVector.broadcast(S, a[a2 + ak]);
                    x20 = b0.fma(y2, x20);
                    x21 = b1.fma(y2, x21);
                    FloatVector y3 = FloatVector.broadcast(S, a[a3 + ak]);
                    x30 = b0.fma(y3, x30);
                    x31 = b1.fma(y3, x31);
                }
                x00.intoArray(c, c0 + j);
                x01.intoArray(c, c0 + j + L);
                x10.intoArray(c, c1 + j);
                x11.intoArray(c, c1 + j + L);
                x20.intoArray(c, c2 + j);
                x21.intoArray(c, c2 + j + L);
                x30.intoArray(c, c3 + j);
                x31.intoArray(c, c3 + j + L);
            }
            for (; j < n; j += L) {
                FloatVector x0 = load(c, c0 + j, accumulate), x1 = load(c, c1 + j, accumulate);
                FloatVector x2 = load(c, c2 + j, accumulate), x3 = load(c, c3 + j, accumulate);
                for (int k = 0, bk = bo + j, ak = 0; k < depth; k++, bk += ldb, ak += acs) {
                    FloatVector b0 = FloatVector.fromArray(S, b, bk);
                    x0 = b0.fma(FloatVector.broadcast(S, a[a0 + ak]), x0);
                    x1 = b0.fma(FloatVector.broadcast(S, a[a1 + ak]), x1);
                    x2 = b0.fma(FloatVector.broadcast(S, a[a2 + ak]), x2);
                    x3 = b0.fma(FloatVector.broadcast(S, a[a3 + ak]), x3);
                }
                x0.intoArray(c, c0 + j);
                x1.intoArray(c, c1 + j);
                x2.intoArray(c, c2 + j);
                x3.intoArray(c, c3 + j);
            }
        }
        for (; i < m; i++) {
            int a0 = ao + i * ars, c0 = co + i * ldc;
            for (int j = 0; j < n; j += L) {
                FloatVector x0 = load(c, c0 + j, accumulate);
                for (int k = 0, bk = bo + j, ak = 0; k < depth; k++, bk += ldb, ak += acs) {
                    x0 = FloatVector.fromArray(S, b, bk).fma(FloatVector.broadcast(S, a[a0 + ak]), x0);
                }
                x0.intoArray(c, c0 + j);
            }
        }
    }

    private static FloatVector load(float[] c, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
    }

    /** dst[dOff + r·ld + c] = src[base + r·rs + c·cs] for c below cols, 0 from cols to ld. */
    private static void pack(float[] src, int base, int rs, int cs, int rows, int cols, float[] dst, int dOff, int ld) {
        for (int r = 0; r < rows; r++) {
            int so = base + r * rs, d0 = dOff + r * ld;
            if (cs == 1) System.arraycopy(src, so, dst, d0, cols);
            else for (int c = 0; c < cols; c++) dst[d0 + c] = src[so + c * cs];
            for (int c = cols; c < ld; c++) dst[d0 + c] = 0f;
        }
    }

    /**
     * dst[dOff + c·ld + r] = src[base + r·rs + c·cs]·mul for r below rows, 0 from rows to rowsPad; c below cols.
     * L rows at a time are gathered into one vector per column and stored whole: written element by element
     * the transposed block went to cols lines a float each, and took a fifth of the attention's gradient time
     * (JFR, batch 32 x 4 heads x 128 positions, 32 per head, AMD EPYC Zen 4). Only where gathers are instructions
     * (x86 with AVX2 or AVX-512): elsewhere the Vector API would emulate them lane by lane.
     */
    private static void packTransposed(float[] src, int base, int rs, int cs, int rows, int rowsPad, int cols, float mul, float[] dst, int dOff,
                                       int ld) {
        int r0 = 0;
        if (GATHER && rows >= L) {
            int[] rowIndex = new int[L];
            for (int i = 0; i < L; i++) rowIndex[i] = i * rs;
            for (; r0 + L <= rows; r0 += L) {
                int so = base + r0 * rs;
                for (int c = 0; c < cols; c++) FloatVector.fromArray(S, src, so + c * cs, rowIndex, 0).mul(mul).intoArray(dst, dOff + c * ld + r0);
            }
        }
        for (int r = r0; r < rows; r++) {
            int so = base + r * rs;
            for (int c = 0; c < cols; c++) dst[dOff + c * ld + r] = src[so + c * cs] * mul;
        }
        for (int c = 0; c < cols; c++) {
            for (int r = rows; r < rowsPad; r++) dst[dOff + c * ld + r] = 0f;
        }
    }

    /** dst[bh][row0 + r][c] = src[r·ld + c]·mul for r below rows, c below cols: a padded block back into a rank-4 view of any strides. */
    private static void unpack(float[] src, int ld, int rows, int cols, float mul, View dst, int bh, int heads, int row0) {
        float[] d = data(dst);
        int[] st = dst.strides();
        int base = Geometry.base(dst, bh, heads) + row0 * st[2], cs = st[3];
        for (int r = 0; r < rows; r++) {
            int at = base + r * st[2];
            if (cs == 1) {
                int c = 0;
                for (int ub = S.loopBound(cols); c < ub; c += L) FloatVector.fromArray(S, src, r * ld + c).mul(mul).intoArray(d, at + c);
                for (; c < cols; c++) d[at + c] = src[r * ld + c] * mul;
            } else {
                for (int c = 0; c < cols; c++) d[at + c * cs] = src[r * ld + c] * mul;
            }
        }
    }

    /** Zeros every element of a rank-4 view of any strides. */
    private static void zero(View x) {
        int[] sh = x.shape(), st = x.strides();
        float[] d = data(x);
        for (int b = 0; b < sh[0]; b++) {
            for (int h = 0; h < sh[1]; h++) {
                for (int r = 0; r < sh[2]; r++) {
                    int at = x.offset() + b * st[0] + h * st[1] + r * st[2];
                    for (int c = 0; c < sh[3]; c++) d[at + c * st[3]] = 0f;
                }
            }
        }
    }

    /** {@code buffer} when it holds {@code n} floats, else a new array of n (the contents of either are undefined). */
    private static float[] atLeast(float[] buffer, int n) {
        return buffer.length >= n ? buffer : new float[n];
    }

    /** n rounded up to a multiple of the vector length. */
    private static int padded(int n) {
        return Math.ceilDiv(n, L) * L;
    }

    private static float[] data(View v) {
        return ((FloatStorage) v.storage()).data();
    }
}
