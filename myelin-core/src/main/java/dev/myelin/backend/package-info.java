/**
 * The backend line: {@link dev.myelin.backend.Backend} is what a device implements (buffers, copies,
 * element-wise unary/binary ops with strided broadcasting, reductions, batched GEMM, gather/scatter-add),
 * and its fused kernels (convolution, pooling, softmax, batch normalization, optimizer updates) are default
 * methods composed from those primitives that a backend overrides when it has something faster.
 *
 * <p>{@link dev.myelin.backend.ReferenceBackend} is the scalar definition of every kernel;
 * {@link dev.myelin.backend.Backends} finds implementations with {@link java.util.ServiceLoader} and picks
 * the usable one with the highest priority (the Vector API CPU backend when {@code jdk.incubator.vector}
 * is present). Users rarely touch this package: tensors call it.
 */
package dev.myelin.backend;
