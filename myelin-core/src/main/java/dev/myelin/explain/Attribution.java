package dev.myelin.explain;

import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What an {@link AttributionMethod} returns: one attribution per input element (or per pixel), the class
 * explained for each example, and for Integrated Gradients the completeness error of each example.
 *
 * <p>Shapes: {@code values} has the input's shape {@code [n, ...]}, except that the per-pixel methods
 * (saliency, SmoothGrad, Grad-CAM, occlusion) give images {@code [n, h, w, c]} one channel: {@code [n, h, w, 1]}.
 *
 * @param values             the attributions
 * @param targets            the class explained for example {@code i}
 * @param completenessErrors Integrated Gradients only: {@code Σ attributions − (f(x) − f(baseline))} per example,
 *                           in the units of the score; empty for the other methods
 */
public record Attribution(Tensor values, int[] targets, double[] completenessErrors) {
    /** An attribution without completeness errors. */
    public Attribution(Tensor values, int[] targets) {
        this(values, targets, new double[0]);
    }

    /** The parts of consecutive batches as one attribution. */
    static Attribution concat(List<Attribution> parts) {
        if (parts.size() == 1) return parts.get(0);
        List<Tensor> values = new ArrayList<>();
        int n = 0, e = 0;
        for (Attribution a : parts) {
            values.add(a.values);
            n += a.targets.length;
            e += a.completenessErrors.length;
        }
        int[] targets = new int[n];
        double[] errors = new double[e];
        int ti = 0, ei = 0;
        for (Attribution a : parts) {
            System.arraycopy(a.targets, 0, targets, ti, a.targets.length);
            System.arraycopy(a.completenessErrors, 0, errors, ei, a.completenessErrors.length);
            ti += a.targets.length;
            ei += a.completenessErrors.length;
        }
        return new Attribution(Tensor.concat(values, 0), targets, errors);
    }
}
