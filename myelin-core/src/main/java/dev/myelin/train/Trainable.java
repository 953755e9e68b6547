package dev.myelin.train;

import dev.myelin.metrics.Metric;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link Trainer#fit} trains: the whole contract between the fit loop and a model, as the methods
 * Keras's {@code Trainer} calls on a model ({@code train_step}, {@code test_step}, {@code metrics},
 * weights, {@code stop_training}). {@code Model} implements it with its compiled optimizer, loss and
 * metrics; {@code GAN} with a round of its two-player game. The loop knows nothing else about either.
 *
 * <p>Example, a custom step on a compiled model (callbacks, batching and the progress bar come with
 * {@code fit}):
 * <pre>{@code
 * Model model = new Model(in, out) {
 *     @Override
 *     public double trainStep(List<Tensor> xs, List<Tensor> ys) {
 *         Tensor noisy = xs.get(0).add(Tensor.normal(rng, 0, 0.1, xs.get(0).shape().toArray()));
 *         return super.trainStep(List.of(noisy), ys);
 *     }
 * };
 * }</pre>
 */
public interface Trainable {
    /** The name used in messages. */
    String name();

    /**
     * Called once as {@code fit} starts: checks that training can run and creates missing weights.
     *
     * @throws IllegalStateException naming what is missing (such as a {@code compile} call)
     */
    void prepareTraining();

    /**
     * One optimization step on a batch (samples along axis 0 of every tensor): updates the weights and
     * {@link #trainingMetrics()}; returns the batch's loss.
     */
    double trainStep(List<Tensor> xs, List<Tensor> ys);

    /** The metrics {@code fit} resets each epoch and logs next to {@code loss}, by log name. */
    Map<String, Metric> trainingMetrics();

    /**
     * A new evaluation pass in inference mode, for validation and {@code evaluate}: fresh metric instances,
     * so the training metrics keep their values.
     *
     * @throws IllegalStateException when this target cannot be evaluated (not compiled with a loss, say)
     */
    Evaluator evaluator();

    /** The optimizer whose learning rate {@code fit} logs and {@link ReduceLROnPlateau} lowers; null when none. */
    Optimizer optimizer();

    /** A copy of every weight's values, by full name (for {@link EarlyStopping}'s best weights, checkpoints). */
    Map<String, Tensor> weightValues();

    /** Restores weights saved by {@link #weightValues()}. */
    void setWeightValues(Map<String, Tensor> values);

    /**
     * A copy of the model's training state: weights, optimizer states and the random generators drawn from in
     * training; {@link TrainingSnapshot#ofModel} (the run's progress is added by
     * {@link Callback.TrainingPlan#snapshot(int)}). Builds the model if needed.
     *
     * @throws UnsupportedOperationException for a target that cannot be captured
     */
    default TrainingSnapshot snapshot() {
        throw new UnsupportedOperationException("'" + name() + "' (" + getClass().getSimpleName() + ") cannot take a training snapshot");
    }

    /**
     * Sets the model's part of {@code snapshot} back (weights, optimizer states, random generators), on this
     * target or a fresh one built the same way; the run's progress is set by {@link Callback.TrainingPlan#resume}.
     *
     * @throws IllegalArgumentException naming the first weight, optimizer slot or layer that does not fit
     * @throws UnsupportedOperationException for a target that cannot be restored
     */
    default void restore(TrainingSnapshot snapshot) {
        throw new UnsupportedOperationException("'" + name() + "' (" + getClass().getSimpleName() + ") cannot be restored from a training snapshot");
    }

    /**
     * Saves the whole target in one file, atomically (what {@link ModelCheckpoint} writes; {@code Model}
     * saves its architecture, weights and training state).
     *
     * @throws IOException when the file cannot be written
     * @throws UnsupportedOperationException for a target that cannot be saved as one file
     */
    default void save(Path file) throws IOException {
        throw new UnsupportedOperationException("'" + name() + "' (" + getClass().getSimpleName() + ") cannot be saved to a file; cannot write " + file);
    }

    /**
     * Saves the weights alone, atomically (what {@link ModelCheckpoint#saveWeightsOnly} writes; {@code Model}
     * writes safetensors by full weight name).
     *
     * @throws IOException when the file cannot be written
     * @throws UnsupportedOperationException for a target whose weights cannot be saved to a file
     */
    default void saveWeights(Path file) throws IOException {
        throw new UnsupportedOperationException("'" + name() + "' (" + getClass().getSimpleName() + ") cannot save its weights to a file; cannot write " + file);
    }

    /**
     * Values this target adds to the logs of each epoch, after validation (a private model's privacy budget
     * spent so far, {@code epsilon}); none by default. {@code fit}'s callbacks and {@link History} see them
     * as any other log value.
     */
    default Map<String, Double> epochLogs() {
        return Map.of();
    }

    /** Asks {@code fit} to stop after the current batch (used by {@link EarlyStopping}, {@link TerminateOnNaN}). */
    void stopTraining(boolean value);

    boolean stopTrainingRequested();
}
