/**
 * Model compression: post-training int8 quantization ({@link dev.myelin.compress.PostTrainingQuantization}
 * with {@link dev.myelin.compress.MinMaxObserver} or {@link dev.myelin.compress.PercentileObserver}; the
 * layers are in {@code dev.myelin.compress.quant}), magnitude pruning during training
 * ({@link dev.myelin.compress.PruneCallback} with a {@link dev.myelin.compress.PolynomialDecaySparsity}
 * schedule; {@link dev.myelin.compress.Pruning#saveCompressed} for compact files), knowledge distillation
 * ({@link dev.myelin.compress.Distiller}) and weight-only 16-bit files
 * ({@link dev.myelin.compress.HalfPrecisionStorage}). Every compressed model saves and loads as an ordinary
 * model file.
 */
package dev.myelin.compress;
