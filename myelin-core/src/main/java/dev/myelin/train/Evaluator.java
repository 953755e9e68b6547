package dev.myelin.train;

import dev.myelin.metrics.ConfusionMatrix;
import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * One evaluation pass of a {@link Trainable} (Keras's {@code test_step} per batch): {@link #testStep}
 * on each batch in inference mode, then the metrics' results. {@link Trainer} weights the batch losses by
 * batch size and runs every step without recording gradients.
 */
public interface Evaluator {
    /** The mean loss of one batch in inference mode; updates this pass's metrics. */
    double testStep(List<Tensor> xs, List<Tensor> ys);

    /** The metrics' results so far, by log name, in compile order. */
    Map<String, Double> metricResults();

    /** Counts of true against predicted classes for a classifier; null otherwise. */
    default ConfusionMatrix confusionMatrix() {
        return null;
    }
}
