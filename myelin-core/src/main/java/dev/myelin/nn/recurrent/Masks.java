package dev.myelin.nn.recurrent;

import dev.myelin.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Keras's implicit masks ({@code tensor._keras_mask}): a layer that produces a mask ({@link Embedding}
 * with {@code maskZero}, {@link Masking}) attaches it to its output tensor, and the recurrent layers look
 * it up on their input. A mask is {@code [batch, time]}, 1 for steps to compute and 0 for padding. Only
 * the tensor object itself carries the mask: a layer in between that is not mask-aware drops it.
 */
public final class Masks {
    // Tensor does not override equals/hashCode, so this is an identity map; weak keys let tensors go.
    private static final Map<Tensor, Tensor> MASKS = Collections.synchronizedMap(new WeakHashMap<>());

    private Masks() {}

    /** Attaches {@code mask} to {@code tensor} (null removes it) and returns the tensor. */
    public static Tensor attach(Tensor tensor, Tensor mask) {
        if (mask == null) MASKS.remove(tensor);
        else MASKS.put(tensor, mask);
        return tensor;
    }

    /** The mask attached to {@code tensor}, or null. */
    public static Tensor of(Tensor tensor) {
        return MASKS.get(tensor);
    }
}
