package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An attribution method: how much each input element contributed to the score of a target class.
 *
 * <p>The score is the <em>pre-softmax logit</em> when the model's output is a softmax or a sigmoid (read from
 * the logits the activation leaves on its result, {@link Tensor#softmaxLogits()}, as the losses do), else
 * the model's output itself; see {@link Scores}. Models run in inference mode (Dropout off,
 * BatchNormalization on its moving statistics), so examples do not influence each other and a batch gives
 * the same attributions as one example at a time.
 *
 * <p>Work is batched: {@link #explain(Model, Tensor, Target, int)} runs {@link #explainBatch} on slices of
 * {@code batchSize} examples, and a gradient method does one forward and one backward pass per slice (per
 * step or sample for Integrated Gradients and SmoothGrad), not one per example.
 */
public interface AttributionMethod {
    /** Examples per batch when none is given. */
    int DEFAULT_BATCH_SIZE = 32;

    /** A short name for files and tables ({@code "saliency"}, {@code "integrated-gradients"}). */
    String name();

    /**
     * The attributions of one batch {@code x [n, ...]}, whose first example is example {@code offset} of
     * the whole input (for per-example targets and seeds).
     */
    Attribution explainBatch(Model model, Tensor x, Target target, int offset);

    /** The attributions of every example of {@code x}, in batches of {@value #DEFAULT_BATCH_SIZE}. */
    default Attribution explain(Model model, Tensor x, Target target) {
        return explain(model, x, target, DEFAULT_BATCH_SIZE);
    }

    /** The attributions of every example of {@code x}, in batches of {@code batchSize}. */
    default Attribution explain(Model model, Tensor x, Target target, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (x.rank() < 2 || x.dim(0) == 0) throw new IllegalArgumentException(name() + ": expected a batch [n, ...] of at least one example, got " + x.shape());
        int n = x.dim(0);
        List<Attribution> parts = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            parts.add(explainBatch(model, x.slice(0, from, Math.min(n, from + batchSize)), target, from));
        }
        return Attribution.concat(parts);
    }
}
