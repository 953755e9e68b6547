package dev.myelin.optim;

/**
 * The settings every optimizer has, Keras's base {@code Optimizer} config: the learning rate (a constant
 * or a schedule), decoupled weight decay and gradient clipping (0 turns each off). Part of each optimizer's
 * config record. Not part of it: the iteration count and slots (state, not configuration), the scale that
 * {@link Optimizer#setLearningRate} puts on a schedule, and {@link Optimizer#excludeFromWeightDecay}'s
 * name fragments (Keras does not serialize them either).
 *
 * @param learningRate the constant rate; 0 with a schedule (Keras's config has one {@code learning_rate}, a number
 *                     or a schedule, so the constant an optimizer falls back to without its schedule is not kept)
 * @param schedule     null for the constant rate
 */
public record OptimizerSettings(double learningRate, LearningRateSchedule schedule, double weightDecay, double clipValue,
                                double clipNorm, double globalClipNorm) {
    public OptimizerSettings {
        if (schedule != null) learningRate = 0;
    }
}
