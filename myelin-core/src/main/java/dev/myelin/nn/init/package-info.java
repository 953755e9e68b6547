/**
 * Weight initializers with Keras's names and formulas: Glorot (the default for kernels), He, LeCun,
 * variance scaling, orthogonal (the default for recurrent kernels), random normal/uniform, truncated normal,
 * zeros, ones, constant. Randomness comes from the generator passed to {@code build}, so a seed makes
 * weights repeatable; {@link dev.myelin.nn.init.Initializers} reads them by Keras name.
 */
package dev.myelin.nn.init;
