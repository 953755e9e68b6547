/**
 * Int8-quantized layers for inference: {@link dev.myelin.compress.quant.QuantizedDense} and
 * {@link dev.myelin.compress.quant.QuantizedConv2D} hold per-output-channel symmetric int8 kernels
 * ({@link dev.myelin.compress.quant.ChannelQuantization}) and quantize their input per tensor with an affine
 * int8 map ({@link dev.myelin.compress.quant.ActivationQuantization}) fixed by calibration; the product runs
 * in int8 × int8 → int32 ({@link dev.myelin.backend.Int8Gemm}). They save and load through model files
 * (kernels stored as safetensors I8). {@code dev.myelin.compress.PostTrainingQuantization} builds them
 * from a float model.
 */
package dev.myelin.compress.quant;
