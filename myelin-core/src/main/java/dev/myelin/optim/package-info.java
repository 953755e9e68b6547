/**
 * Optimizers and learning-rate schedules, with Keras 3's formulas and defaults.
 *
 * <p>{@link dev.myelin.optim.Optimizer} owns the bookkeeping (per-weight slots, iteration count,
 * learning-rate schedule, gradient clipping, decoupled weight decay); each subclass writes only its update
 * equation, given in its Javadoc: {@link dev.myelin.optim.SGD}, {@link dev.myelin.optim.Adam},
 * {@link dev.myelin.optim.AdamW}, {@link dev.myelin.optim.RMSprop}, {@link dev.myelin.optim.Adagrad}.
 * Schedules: {@link dev.myelin.optim.ExponentialDecay}, {@link dev.myelin.optim.PiecewiseConstantDecay},
 * {@link dev.myelin.optim.CosineDecay}.
 *
 * <pre>{@code
 * Optimizer opt = new Adam().learningRateSchedule(new CosineDecay(1e-3, 10_000)).globalClipNorm(1.0);
 * loss.backward();
 * opt.apply(model.trainableWeights());
 * }</pre>
 */
package dev.myelin.optim;
