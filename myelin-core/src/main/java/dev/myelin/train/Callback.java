package dev.myelin.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}, as Keras's callbacks. {@code logs} map metric names to values:
 * {@code loss}, the compiled metrics, and at epoch end {@code val_loss} and {@code val_...} when there
 * is validation data. Batch logs hold running means over the epoch so far. Epochs and batches count from 0.
 */
public interface Callback {
    /** Called once before training with the model and the run's plan. */
    default void onTrainBegin(Trainable model, TrainingPlan plan) {}

    default void onEpochBegin(int epoch) {}

    default void onBatchEnd(int batch, Map<String, Double> logs) {}

    default void onEpochEnd(int epoch, Map<String, Double> logs) {}

    default void onTrainEnd(Map<String, Double> logs) {}

    /** What {@code fit} is about to do: epochs, steps per epoch, samples. */
    record TrainingPlan(int epochs, int stepsPerEpoch, int samples, boolean validation) {}
}
