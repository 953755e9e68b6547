/**
 * Streaming metrics (reset, update per batch, result), as Keras's: accuracies (sparse, categorical,
 * binary, top-k), precision, recall, AUC, mean errors, and a confusion matrix.
 * {@link dev.myelin.metrics.Metric} names them for {@code compile}.
 */
package dev.myelin.metrics;
