/**
 * Layers with bfloat16 weights for inference: {@link dev.myelin.compress.bf16.Bf16Dense} and
 * {@link dev.myelin.compress.bf16.Bf16Conv2D} keep their kernels as bfloat16 (the upper half of a float32:
 * float32's range, 8 significant bits) and multiply float32 inputs by them with float32 accumulation
 * ({@link dev.myelin.backend.Bf16Gemm}): half the weight bytes in files and half the weight traffic in the
 * product. They save and load through model files (kernels stored as safetensors BF16).
 * {@code dev.myelin.compress.Bf16Inference} builds them from a float model.
 */
package dev.myelin.compress.bf16;
