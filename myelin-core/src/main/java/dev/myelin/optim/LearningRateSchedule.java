package dev.myelin.optim;

/**
 * A learning rate that depends on the training step, as Keras's {@code LearningRateSchedule}.
 * An {@link Optimizer} given one through {@link Optimizer#learningRateSchedule} calls
 * {@code rate(iterations())} before each step, so the first step uses {@code rate(0)}.
 *
 * <p>Built in: {@link ExponentialDecay}, {@link PiecewiseConstantDecay}, {@link CosineDecay}. A lambda
 * is a schedule too: {@code step -> 0.1 / (1 + step)}.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate for the step numbered {@code step} (0 for the first). */
    double rate(long step);
}
