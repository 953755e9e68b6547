/**
 * {@link dev.myelin.tensor.Tensor}: an n-dimensional float32 (or float64) array on a backend, with
 * broadcasting, views that only change metadata (reshape, permute, slice, broadcast), the operations layers
 * are made of, and eager autograd: a result that needs a gradient keeps a node with its inputs, and
 * {@code backward()} runs the rules of {@code Derivatives} (every gradient rule, in one file) in reverse
 * topological order, accumulating into {@code grad()}.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(rng, 3, 2).requiresGrad(true);
 * Tensor loss = x.matmul(w).relu().sum();
 * loss.backward();
 * Tensor dw = w.grad();
 * }</pre>
 *
 * <p>{@link dev.myelin.tensor.Shape} is an immutable shape; {@link dev.myelin.tensor.Padding},
 * {@link dev.myelin.tensor.ConvOptions} and {@link dev.myelin.tensor.PoolOptions} describe convolutions
 * and pooling (channels-last, as Keras).
 */
package dev.myelin.tensor;
