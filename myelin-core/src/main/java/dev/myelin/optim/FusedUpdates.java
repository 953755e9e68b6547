package dev.myelin.optim;

import dev.myelin.tensor.Tensor;

/**
 * When an optimizer may hand its update to one fused backend kernel ({@code Backend.adamUpdate},
 * {@code sgdUpdate}, {@code rmspropUpdate}, {@code adagradUpdate}), and what it owes the tensors after.
 * The kernels take contiguous views of one element type on one backend; anything else takes the
 * optimizer's own tensor operations, which compute the same values.
 */
final class FusedUpdates {
    private FusedUpdates() {}

    /** Whether every tensor present (nulls are absent slots) is contiguous, of the first one's type and on its backend. */
    static boolean fusable(Tensor first, Tensor... others) {
        if (!first.isContiguous()) return false;
        for (Tensor t : others) {
            if (t != null && (!t.isContiguous() || t.dtype() != first.dtype() || t.backend() != first.backend())) return false;
        }
        return true;
    }

    /** Marks each tensor present as changed in place (what the in-place tensor operations do), so the graph sees it. */
    static void updated(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) t.view().storage().bumpVersion();
        }
    }
}
