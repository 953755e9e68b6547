package dev.myelin.data;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Finds NaN and infinite values in data before they reach a model: one NaN in the inputs makes every loss
 * NaN, and training on it runs to the end with nothing learnt. The check is one backend sum per tensor
 * (NaN and ±∞ survive a sum); only when the sum is not finite are the values scanned for the first bad
 * one (a sum of large finite values may overflow, so the scan has the last word).
 *
 * <p>Example: {@code FiniteValues.requireFinite("fit", "x", List.of(x))} throws
 * {@code "fit: x has NaN at sample 12 (index [12, 3]); remove or replace non-finite values before training"}.
 */
public final class FiniteValues {
    private FiniteValues() {}

    /**
     * Throws when a tensor of {@code tensors} holds NaN or ±∞, naming {@code what} (the call), {@code name}
     * (x or y, with the tensor's number when there are several), the sample and the index.
     *
     * @throws IllegalArgumentException at the first non-finite value
     */
    public static void requireFinite(String what, String name, List<Tensor> tensors) {
        for (int i = 0; i < tensors.size(); i++) {
            String problem = firstNonFinite(tensors.get(i));
            if (problem != null) {
                throw new IllegalArgumentException(what + ": " + name + (tensors.size() > 1 ? " " + i : "") + " has " + problem
                        + "; remove or replace non-finite values before training");
            }
        }
    }

    /** "NaN at sample 12 (index [12, 3])" for the first non-finite value of {@code t}, or null when all are finite. */
    public static String firstNonFinite(Tensor t) {
        if (t.size() == 0 || Double.isFinite(t.detach().sum().item())) return null;
        double[] values = t.dtype() == DType.FLOAT64 ? t.toDoubleArray() : null;
        float[] floats = values == null ? t.toFloatArray() : null;
        int n = t.size();
        for (int flat = 0; flat < n; flat++) {
            double v = values != null ? values[flat] : floats[flat];
            if (!Double.isFinite(v)) {
                int[] index = t.shape().unravel(flat);
                String where = t.rank() == 0 ? "" : " at sample " + index[0] + " (index " + Arrays.toString(index) + ")";
                return (Double.isNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity") + where;
            }
        }
        return null;
    }

    /** As {@link #firstNonFinite(Tensor)} for row-major {@code values} of {@code shape}, read in place (no copy). */
    static String firstNonFinite(float[] values, int length, Shape shape) {
        for (int flat = 0; flat < length; flat++) {
            float v = values[flat];
            if (!Float.isFinite(v)) {
                int[] index = shape.unravel(flat);
                String where = shape.rank() == 0 ? "" : " at sample " + index[0] + " (index " + Arrays.toString(index) + ")";
                return (Float.isNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity") + where;
            }
        }
        return null;
    }
}
