/**
 * Whether operations record the autograd graph: {@link dev.myelin.autograd.NoGrad} scopes turn recording
 * off for inference and optimizer updates, {@link dev.myelin.autograd.GradMode} asks whether it is on. The
 * graph itself (nodes, backward closures, the gradient rules in {@code Derivatives}) lives with the tensors
 * in {@link dev.myelin.tensor}; this package depends on nothing.
 *
 * <pre>{@code
 * try (var g = NoGrad.scope()) {
 *     Tensor y = model.call(x, false); // no graph is kept
 * }
 * }</pre>
 */
package dev.myelin.autograd;
