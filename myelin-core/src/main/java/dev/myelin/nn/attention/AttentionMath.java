package dev.myelin.nn.attention;

import dev.myelin.backend.DType;
import dev.myelin.nn.RandomStream;
import dev.myelin.tensor.Tensor;

/**
 * The arithmetic of attention shared by {@link MultiHeadAttention} and the Transformer blocks, composed from
 * tensor operations (autograd derives every gradient).
 *
 * <p>{@link #scaledDotProductAttention} is the one seam where the fused kernel
 * ({@code Tensor.scaledDotProductAttention}) takes over, in float32: it takes heads already
 * split, {@code [B, H, T, D]}, and returns {@code softmax(Q·Kᵀ·scale + mask)·V}. Masked scores are replaced
 * by {@link #MASKED_SCORE} before the softmax, as Keras 3's {@code Softmax} layer does
 * ({@code where(mask > 0.5, scores, -1e9)}): a query whose keys are all masked attends uniformly to all
 * of them, exactly as in Keras.
 */
final class AttentionMath {
    /** Keras 3's {@code _large_negative_number} for float32 and float64: masked scores become this. */
    static final double MASKED_SCORE = -1e9;

    private AttentionMath() {}

    /**
     * {@code softmax(q·kᵀ·scale, masked)·v} over heads already split.
     *
     * <p>Shapes: q {@code [B, H, Tq, D]}, k {@code [B, H, Tk, D]}, v {@code [B, H, Tk, Dv]}, mask null or
     * {@code [B or 1, 1 or H, Tq, Tk]} (1 = attend, 0 = masked; values above 0.5 count as 1); the result is
     * {@code [B, H, Tq, Dv]}. {@code causal} also masks key j for query i when j &gt; i (Keras's lower
     * triangle, aligned at the first query and key).
     */
    static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        // float32 runs the backend's fused attention (on the CPU a flash-attention kernel whose memory is linear in T).
        // Its masked scores are s − 1e9 rather than −1e9: the same in float32, where 1e9 swallows any score, but
        // not in float64, which therefore keeps this composed formula (the reference the gradient checks use).
        // Its causal mask is aligned at the last query, Keras's at the first: the same only when Tq == Tk.
        if (q.dtype() == DType.FLOAT32 && k.dtype() == DType.FLOAT32 && v.dtype() == DType.FLOAT32 && (!causal || q.dim(2) == k.dim(2))) {
            Tensor keep = mask == null ? null : mask.gt(0.5).to(DType.FLOAT32); // values above 0.5 count as 1, as below
            return Tensor.scaledDotProductAttention(q, k, v, keep, causal, scale);
        }
        return attentionProbabilities(q, k, mask, causal, scale).matmul(v);
    }

    /** The attention weights {@code softmax(q·kᵀ·scale, masked)}, {@code [B, H, Tq, Tk]}; arguments as {@link #scaledDotProductAttention}. */
    static Tensor attentionProbabilities(Tensor q, Tensor k, Tensor mask, boolean causal, double scale) {
        // Keras scales the query before the product: the same values, fewer multiplications when D < Tk
        Tensor scores = q.mul(scale).matmul(k.transpose(-2, -1));
        Tensor keep = combine(mask, causal ? causalMask(q.dim(2), k.dim(2), scores) : null);
        if (keep != null) scores = Tensor.where(keep.gt(0.5), scores, Tensor.scalar(scores.dtype(), MASKED_SCORE));
        return scores.softmax(-1);
    }

    /** {@code [1, 1, tq, tk]}: 1 where key j &lt;= query i, else 0 (Keras's {@code row_index >= col_index}). */
    static Tensor causalMask(int tq, int tk, Tensor like) {
        return causalMask(tq, tk, 0, like);
    }

    /**
     * {@code [1, 1, tq, tk]}: 1 where key j &lt;= query i + {@code offset}, else 0: the causal mask of queries
     * at positions {@code offset..offset + tq − 1} over keys from position 0 (incremental decoding, where
     * {@code offset} tokens are already in the key/value cache).
     */
    static Tensor causalMask(int tq, int tk, int offset, Tensor like) {
        double[] m = new double[tq * tk];
        for (int i = 0; i < tq; i++) for (int j = 0; j <= i + offset && j < tk; j++) m[i * tk + j] = 1;
        return Tensor.of(m, 1, 1, tq, tk).to(like.dtype());
    }

    /** The logical AND of two 0/1 masks that broadcast together (either may be null). */
    static Tensor combine(Tensor a, Tensor b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.gt(0.5).mul(b.gt(0.5));
    }

    /**
     * The attention mask Keras's MultiHeadAttention derives from the implicit masks of its inputs
     * ({@code _compute_attention_mask}): {@code query_mask[:, :, None] & value_mask[:, None, :] & key_mask[:, None, :]},
     * {@code [B, Tq, Tk]}, or null when none of them has a mask.
     */
    static Tensor implicitMask(Tensor queryMask, Tensor valueMask, Tensor keyMask) {
        Tensor m = null;
        if (queryMask != null) m = queryMask.unsqueeze(2);
        if (valueMask != null) m = combine(m, valueMask.unsqueeze(1));
        if (keyMask != null) m = combine(m, keyMask.unsqueeze(1));
        return m;
    }

    /** Inverted dropout (Keras's {@code Dropout}): keeps each element with probability {@code 1 − rate} and scales the kept by {@code 1/(1 − rate)}. */
    static Tensor dropout(Tensor x, double rate, RandomStream generator) {
        if (rate == 0) return x;
        Tensor keep = Tensor.bernoulli(generator, 1.0 - rate, x.shape().toArray()).to(x.dtype()).mul(1.0 / (1.0 - rate));
        return x.mul(keep);
    }

    /** {@code [B, T, H·D] -> [B, H, T, D]}. */
    static Tensor splitHeads(Tensor x, int heads) {
        int b = x.dim(0), t = x.dim(1), d = x.dim(2) / heads;
        return x.reshape(b, t, heads, d).permute(0, 2, 1, 3);
    }

    /** {@code [B, H, T, D] -> [B, T, H·D]}. */
    static Tensor mergeHeads(Tensor x) {
        int b = x.dim(0), h = x.dim(1), t = x.dim(2), d = x.dim(3);
        return x.permute(0, 2, 1, 3).contiguous().reshape(b, t, h * d);
    }
}
