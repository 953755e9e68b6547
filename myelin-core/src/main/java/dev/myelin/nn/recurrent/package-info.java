/**
 * Sequence layers with Keras 3's semantics: {@link dev.myelin.nn.recurrent.Embedding} (with
 * {@code maskZero}), {@link dev.myelin.nn.recurrent.Masking}, {@link dev.myelin.nn.recurrent.LSTM}
 * (gates i, f, c, o), {@link dev.myelin.nn.recurrent.GRU} ({@code reset_after}), 
 * {@link dev.myelin.nn.recurrent.SimpleRNN}, and the wrappers {@link dev.myelin.nn.recurrent.Bidirectional}
 * and {@link dev.myelin.nn.recurrent.TimeDistributed}. Masks travel with tensors as Keras's implicit masks
 * ({@link dev.myelin.nn.recurrent.Masks}); the recurrence runs as one fused kernel on backends that have
 * it and as tensor ops otherwise.
 */
package dev.myelin.nn.recurrent;
