package dev.myelin.backend;

/**
 * Scaled dot-product attention ({@link Backend#attention}) and its gradient written with the primitives
 * only: the reference every backend's fused kernel is tested against. It materialises the
 * {@code [B·H, Tq, Tk]} score matrix (and, for a mask or causal masking, the {@code [B, H, Tq, Tk]} bias),
 * so its memory grows with the square of the sequence length.
 *
 * <p>The steps are Keras's ({@code MultiHeadAttention._compute_attention} and {@code Softmax} with a
 * mask): the query is scaled first, {@code s = (q·scale)·kᵀ}; the mask, combined with the causal mask
 * by multiplication, becomes the additive bias {@code (1 − mask)·(−1e9)}; the softmax subtracts the row
 * maximum. The backward recomputes {@code P = exp(s − logsumexp)} from the saved per-row logsumexp.
 */
final class ComposedAttention {
    /** Keras's {@code _large_negative_number} for float32: what a masked score gets added. */
    static final double MASKED_BIAS = -1e9;

    private ComposedAttention() {}

    static void forward(Backend be, View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp) {
        Dims d = Dims.of(q, k, v);
        DType type = out.dtype();
        View s = scores(be, d, q, k, mask, causal, scale, type, null);
        View max = allocate(be, type, d.n, d.tq, 1);
        be.reduce(ReduceOp.MAX, s, max);
        View p = allocate(be, type, d.n, d.tq, d.tk);
        be.binary(BinaryOp.SUB, s, lastBroadcast(max, d.tk), p);
        be.unary(UnaryOp.EXP, 0, 0, p, p);
        View sum = allocate(be, type, d.n, d.tq, 1);
        be.reduce(ReduceOp.SUM, p, sum);
        be.binary(BinaryOp.DIV, p, lastBroadcast(sum, d.tk), p);
        View o = allocate(be, type, d.n, d.tq, d.dv);
        be.matmul(p, contiguous(be, v, type, d.n, d.tk, d.dv), o);
        be.copy(reshape(o, out.shape()), out);
        if (logsumexp != null) {
            be.unary(UnaryOp.LOG, 0, 0, sum, sum);
            be.binary(BinaryOp.ADD, max, sum, max);
            be.copy(reshape(max, logsumexp.shape()), logsumexp);
        }
    }

    static void backward(Backend be, View q, View k, View v, View mask, boolean causal, double scale, View out, View logsumexp,
                         View gradOut, View dq, View dk, View dv) {
        Dims d = Dims.of(q, k, v);
        DType type = gradOut.dtype();
        View[] scaledQuery = new View[1];
        View p = scores(be, d, q, k, mask, causal, scale, type, scaledQuery);
        View lse = contiguous(be, logsumexp, type, d.n, d.tq, 1);
        be.binary(BinaryOp.SUB, p, lastBroadcast(lse, d.tk), p);
        be.unary(UnaryOp.EXP, 0, 0, p, p);                                       // P, recomputed
        View g = contiguous(be, gradOut, type, d.n, d.tq, d.dv);
        if (dv != null) {
            View t = allocate(be, type, d.n, d.tk, d.dv);
            be.matmul(transposed(p), g, t);                                       // dV = Pᵀ·dO
            be.copy(reshape(t, dv.shape()), dv);
        }
        if (dq == null && dk == null) return;
        View dp = allocate(be, type, d.n, d.tq, d.tk);
        be.matmul(g, transposed(contiguous(be, v, type, d.n, d.tk, d.dv)), dp);  // dP = dO·Vᵀ
        View rowDot = allocate(be, type, d.n, d.tq, d.dv);
        be.binary(BinaryOp.MUL, g, contiguous(be, out, type, d.n, d.tq, d.dv), rowDot);
        View delta = allocate(be, type, d.n, d.tq, 1);
        be.reduce(ReduceOp.SUM, rowDot, delta);                                   // D = rowsum(dO∘O)
        be.binary(BinaryOp.SUB, dp, lastBroadcast(delta, d.tk), dp);
        be.binary(BinaryOp.MUL, p, dp, dp);                                       // dS = P∘(dP − D)
        if (dq != null) {
            View t = allocate(be, type, d.n, d.tq, d.d);
            be.matmul(dp, contiguous(be, k, type, d.n, d.tk, d.d), t);
            be.binary(BinaryOp.MUL, t, constant(be, type, scale, t.shape()), t); // dQ = scale·dS·K
            be.copy(reshape(t, dq.shape()), dq);
        }
        if (dk != null) {
            View t = allocate(be, type, d.n, d.tk, d.d);
            be.matmul(transposed(dp), scaledQuery[0], t);                         // dK = dSᵀ·(q·scale)
            be.copy(reshape(t, dk.shape()), dk);
        }
    }

    /**
     * The biased scores {@code (q·scale)·kᵀ + (1 − mask·causal)·(−1e9)} as a contiguous {@code [B·H, Tq, Tk]};
     * the scaled query is left in {@code scaledQuery[0]} when asked for.
     */
    private static View scores(Backend be, Dims d, View q, View k, View mask, boolean causal, double scale, DType type, View[] scaledQuery) {
        View qs = contiguous(be, q, type, d.n, d.tq, d.d);
        be.binary(BinaryOp.MUL, qs, constant(be, type, scale, qs.shape()), qs);
        if (scaledQuery != null) scaledQuery[0] = qs;
        View s = allocate(be, type, d.n, d.tq, d.tk);
        be.matmul(qs, transposed(contiguous(be, k, type, d.n, d.tk, d.d)), s);
        if (mask == null && !causal) return s;
        int[] full = {d.b, d.h, d.tq, d.tk};
        View keep = allocate(be, type, full);
        if (mask != null) be.copy(mask, keep);
        else be.fill(keep, 1);
        if (causal) be.binary(BinaryOp.MUL, keep, causalKeep(be, type, d, full), keep);
        be.binary(BinaryOp.SUB, constant(be, type, 1, full), keep, keep);
        be.binary(BinaryOp.MUL, keep, constant(be, type, MASKED_BIAS, full), keep);
        be.binary(BinaryOp.ADD, s, reshape(keep, s.shape()), s);
        return s;
    }

    /** 1 where query i may see key j (j ≤ i + Tk − Tq), else 0, read as {@code [B, H, Tq, Tk]}. */
    private static View causalKeep(Backend be, DType type, Dims d, int[] full) {
        double[] c = new double[d.tq * d.tk];
        for (int i = 0; i < d.tq; i++) {
            for (int j = 0; j < d.tk; j++) c[i * d.tk + j] = j <= i + d.tk - d.tq ? 1 : 0;
        }
        View keep = allocate(be, type, d.tq, d.tk);
        be.copy(View.contiguous(be.upload(c), keep.shape()), keep);
        return new View(keep.storage(), full, new int[] {0, 0, d.tk, 1}, 0);
    }

    /** The sizes of one call: n = B·H matrices. */
    private record Dims(int b, int h, int tq, int tk, int d, int dv, int n) {
        static Dims of(View q, View k, View v) {
            int[] qs = q.shape();
            return new Dims(qs[0], qs[1], qs[2], k.shape()[2], qs[3], v.shape()[3], qs[0] * qs[1]);
        }
    }

    /** A contiguous copy of a rank-4 (or rank-3) view in {@code type}, read as {@code shape}. */
    private static View contiguous(Backend be, View x, DType type, int... shape) {
        View c = allocate(be, type, x.shape());
        be.copy(x, c);
        return reshape(c, shape);
    }

    /** The last two axes of a contiguous rank-3 view swapped (a transposed GEMM operand, no copy). */
    private static View transposed(View m) {
        int[] s = m.shape();
        return new View(m.storage(), new int[] {s[0], s[2], s[1]}, new int[] {s[1] * s[2], 1, s[2]}, m.offset());
    }

    /** A contiguous {@code [n, rows, 1]} read at {@code cols} positions along its last axis. */
    private static View lastBroadcast(View rows, int cols) {
        int[] s = rows.shape();
        return new View(rows.storage(), new int[] {s[0], s[1], cols}, new int[] {s[1], 1, 0}, rows.offset());
    }

    private static View reshape(View contiguous, int[] shape) {
        return new View(contiguous.storage(), shape, View.contiguousStrides(shape), contiguous.offset());
    }

    private static View allocate(Backend be, DType type, int... shape) {
        int size = 1;
        for (int x : shape) size *= x;
        return View.contiguous(be.allocate(type, size), shape);
    }

    private static View constant(Backend be, DType type, double value, int[] shape) {
        View one = allocate(be, type, 1);
        be.fill(one, value);
        return new View(one.storage(), shape, new int[shape.length], 0);
    }
}
