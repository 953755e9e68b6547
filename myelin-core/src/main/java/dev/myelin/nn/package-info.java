/**
 * The layer contract, in Keras's shape: {@link dev.myelin.nn.Layer} takes its settings in the constructor,
 * creates its weights ({@link dev.myelin.nn.Parameter}) in {@code build(inputShape, rng)}, computes its
 * output shape without data, runs {@code call(x, training)}, and returns a config record that rebuilds it.
 * {@link dev.myelin.nn.Input} and {@link dev.myelin.nn.SymbolicTensor} make the functional API;
 * {@link dev.myelin.nn.MergeLayer} is the base of layers with several inputs;
 * {@link dev.myelin.nn.Activation} the activation functions by Keras name.
 *
 * <p>The layers themselves are in {@link dev.myelin.nn.layers} (dense, convolution, pooling, normalization,
 * reshaping, merging) and {@link dev.myelin.nn.recurrent} (embedding, masking, LSTM, GRU, SimpleRNN and their
 * wrappers); initializers in {@link dev.myelin.nn.init}, regularizers in {@link dev.myelin.nn.regularizers}.
 */
package dev.myelin.nn;
