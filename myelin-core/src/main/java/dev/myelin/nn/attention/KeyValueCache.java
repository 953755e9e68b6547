package dev.myelin.nn.attention;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Tensor;

/**
 * The keys and values one {@link MultiHeadAttention} has projected so far while generating, so that each new
 * token costs one projection of itself instead of re-projecting the whole prefix
 * ({@link MultiHeadAttention#attendIncrementally}). The buffers are allocated once with room for
 * {@link #capacity()} positions; {@link #append} writes the new rows in place behind the {@link #length()}
 * already held. Appending past the capacity is an error naming both lengths: the capacity is the position
 * table's length, the longest sequence the model was built for.
 *
 * <p>For inference only: the cache holds values, no autograd graph passes through it.
 *
 * <p>Shapes: keys {@code [batch, heads, capacity, key_dim]}, values {@code [batch, heads, capacity, value_dim]};
 * {@link #keys()} and {@link #values()} are the filled part, {@code [batch, heads, length, dim]}.
 *
 * <p>Example: {@code KeyValueCache c = mha.newCache(1, 128); Tensor y = mha.attendIncrementally(x, c);}
 */
public final class KeyValueCache {
    private final Tensor keys;
    private final Tensor values;
    private int length;

    KeyValueCache(int batch, int heads, int capacity, int keyDim, int valueDim, DType dtype) {
        if (batch <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("a key/value cache needs a positive batch and capacity, got batch=" + batch + ", capacity=" + capacity);
        }
        keys = Tensor.zeros(dtype, Shape.of(batch, heads, capacity, keyDim));
        values = Tensor.zeros(dtype, Shape.of(batch, heads, capacity, valueDim));
        BufferPool.keep(keys); // held across calls, written in place
        BufferPool.keep(values);
    }

    /** Positions held. */
    public int length() {
        return length;
    }

    /** Positions the cache has room for. */
    public int capacity() {
        return keys.dim(2);
    }

    public int batch() {
        return keys.dim(0);
    }

    /** The keys of the positions held, {@code [batch, heads, length, key_dim]} (a view of the buffer). */
    public Tensor keys() {
        return keys.slice(2, 0, length);
    }

    /** The values of the positions held, {@code [batch, heads, length, value_dim]} (a view of the buffer). */
    public Tensor values() {
        return values.slice(2, 0, length);
    }

    /** Empties the cache (the buffers are kept). */
    public void clear() {
        length = 0;
    }

    /** Appends {@code k [batch, heads, n, key_dim]} and {@code v [batch, heads, n, value_dim]} behind the positions held. */
    void append(Tensor k, Tensor v) {
        int n = k.dim(2);
        if (k.dim(0) != batch() || v.dim(0) != batch()) {
            throw new IllegalArgumentException("the key/value cache holds a batch of " + batch() + " sequences but received " + k.dim(0));
        }
        if (length + n > capacity()) {
            throw new IllegalArgumentException("the key/value cache holds " + length + " of " + capacity() + " positions (the position table's length)"
                    + " and cannot take " + n + " more: the sequence would be " + (length + n) + " long");
        }
        try (var _ = NoGrad.scope()) {
            keys.slice(2, length, length + n).assign(k);
            values.slice(2, length, length + n).assign(v);
        }
        length += n;
    }
}
