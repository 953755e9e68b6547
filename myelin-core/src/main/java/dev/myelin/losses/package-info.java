/**
 * Training losses with Keras's formulas and reductions: cross-entropies (sparse, categorical, binary; read
 * from the logits when the model ends in softmax or sigmoid, as Keras does, for stability), mean squared
 * and absolute error, Huber. {@link dev.myelin.losses.Loss} names them for {@code compile}.
 */
package dev.myelin.losses;
