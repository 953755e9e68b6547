package dev.myelin.nn.recurrent;

import dev.myelin.tensor.Tensor;
import java.util.Collections;
import java.util.List;
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

    /**
     * What Keras's merge layers ({@code Add}, {@code Multiply}, {@code Concatenate} on the feature axis, ...)
     * do with their inputs' masks: the output carries the logical AND of the masks present, so padding marked
     * on one branch (an {@code Embedding} with {@code maskZero}) stays marked after adding another branch (a
     * position embedding). Returns {@code output}, with that mask attached when it has none of its own and the
     * masks fit its first two axes; a merge along the time axis keeps no mask.
     */
    public static Tensor merged(Tensor output, List<Tensor> inputs) {
        if (of(output) != null || output.rank() < 3) return output;
        Tensor mask = null;
        for (Tensor in : inputs) {
            Tensor m = in == null ? null : of(in);
            if (m == null) continue;
            if (m.rank() != 2 || m.dim(0) != output.dim(0) || m.dim(1) != output.dim(1)) return output;
            mask = mask == null ? m : mask.mul(m);
        }
        return mask == null ? output : attach(output, mask);
    }
}
