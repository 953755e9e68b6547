package dev.myelin.train;

import java.util.Map;
import java.util.Objects;

/**
 * Hooks into {@link Trainer#fit}, as Keras's callbacks. {@code logs} map metric names to values:
 * {@code loss}, the compiled metrics, and at epoch end {@code val_loss} and {@code val_...} when there
 * is validation data. Batch logs hold running means over the epoch so far. Epochs and batches count from 0;
 * epoch numbers are absolute (a run resumed at epoch 2 calls {@code onEpochBegin(2)} first).
 */
public interface Callback {
    /**
     * Called once before training with the model and the run's plan. A callback that resumes an interrupted
     * run (a backup) calls {@link TrainingPlan#resume} here; the loop reads the plan after every callback's
     * {@code onTrainBegin}.
     */
    default void onTrainBegin(Trainable model, TrainingPlan plan) {}

    default void onEpochBegin(int epoch) {}

    default void onBatchEnd(int batch, Map<String, Double> logs) {}

    default void onEpochEnd(int epoch, Map<String, Double> logs) {}

    /**
     * Called once after training, also when it stopped early or was interrupted (Ctrl-C: the epoch that was
     * cut short gets no {@code onEpochEnd}, so the History and {@link TrainingPlan#epochsCompleted()} hold
     * complete epochs only).
     */
    default void onTrainEnd(Map<String, Double> logs) {}

    /**
     * What {@code fit} is about to do (epochs, steps per epoch, samples, the first epoch, the data seed), and
     * the handle through which a callback captures the run ({@link #snapshot}) or resumes one
     * ({@link #resume}). Plans made with the public constructor (for testing callbacks) have no run behind
     * them: capturing or resuming throws.
     */
    final class TrainingPlan {
        private final int epochs;
        private final int stepsPerEpoch;
        private final int samples;
        private final boolean validation;
        private final Trainable target;
        private final History history;
        private int initialEpoch;
        private Long dataSeed;
        private int epochsCompleted;
        private volatile boolean interrupted;

        /** A plan with no run behind it: starts at epoch 0, no data seed. */
        public TrainingPlan(int epochs, int stepsPerEpoch, int samples, boolean validation) {
            this(epochs, stepsPerEpoch, samples, validation, 0, null, null, null);
        }

        TrainingPlan(int epochs, int stepsPerEpoch, int samples, boolean validation, int initialEpoch, Long dataSeed,
                     Trainable target, History history) {
            this.epochs = epochs;
            this.stepsPerEpoch = stepsPerEpoch;
            this.samples = samples;
            this.validation = validation;
            this.initialEpoch = initialEpoch;
            this.epochsCompleted = initialEpoch;
            this.dataSeed = dataSeed;
            this.target = target;
            this.history = history;
        }

        /** The number of epochs of the whole run ({@code FitOptions.epochs}); the last epoch is {@code epochs() − 1}. */
        public int epochs() {
            return epochs;
        }

        public int stepsPerEpoch() {
            return stepsPerEpoch;
        }

        public int samples() {
            return samples;
        }

        public boolean validation() {
            return validation;
        }

        /** The first epoch this run trains: {@code FitOptions.initialEpoch}, or where {@link #resume} set it. */
        public int initialEpoch() {
            return initialEpoch;
        }

        /**
         * The seed of the in-memory data's shuffling and augmentation: {@code FitOptions.seed}, or the one
         * {@code fit} drew when none was given (so a backup can keep it); null when the data are not shuffled
         * by {@code fit} (no shuffling, or a {@code DataLoader} of the caller's, which keeps its own seed).
         */
        public Long dataSeed() {
            return dataSeed;
        }

        /** Epochs completed so far (absolute: {@link #initialEpoch()} plus the epochs this run finished). */
        public int epochsCompleted() {
            return epochsCompleted;
        }

        /** Whether the run was interrupted (Ctrl-C); then the epoch in progress was cut short, with no {@code onEpochEnd}. */
        public boolean interrupted() {
            return interrupted;
        }

        void epochCompleted(int epoch) {
            epochsCompleted = epoch + 1;
        }

        void markInterrupted() {
            interrupted = true;
        }

        /**
         * The run's state after {@code epochsDone} epochs: the model's {@link Trainable#snapshot()} with the
         * History so far and the data seed. Call it from {@code onEpochEnd(epochsDone − 1)} (the History
         * has recorded that epoch by then) or after the run.
         */
        public TrainingSnapshot snapshot(int epochsDone) {
            requireRun("snapshot");
            return target.snapshot().withProgress(epochsDone, history.asMap(), dataSeed);
        }

        /**
         * Resumes the run from {@code snapshot}, from {@code onTrainBegin}: restores the model
         * ({@link Trainable#restore}), puts the History rows of epochs {@code 0 .. epochsDone − 1} back,
         * starts at epoch {@code snapshot.epochsDone()} and, when this run shuffles in-memory data by a seed,
         * uses the snapshot's data seed (when it has one). A snapshot whose epochs are all done leaves no
         * epoch to run.
         *
         * @throws IllegalArgumentException when the snapshot has done more epochs than this run has, or does
         *         not fit the model (naming what differs)
         */
        public void resume(TrainingSnapshot snapshot) {
            requireRun("resume");
            Objects.requireNonNull(snapshot, "snapshot");
            if (snapshot.epochsDone() > epochs) {
                throw new IllegalArgumentException("cannot resume '" + target.name() + "' after epoch " + snapshot.epochsDone()
                        + ": this run has " + epochs + " epochs");
            }
            target.restore(snapshot);
            history.restoreRows(snapshot.history(), snapshot.epochsDone());
            initialEpoch = snapshot.epochsDone();
            epochsCompleted = initialEpoch;
            if (dataSeed != null && snapshot.dataSeed() != null) dataSeed = snapshot.dataSeed();
        }

        private void requireRun(String what) {
            if (target == null) throw new IllegalStateException("this TrainingPlan was not made by fit: no run to " + what);
        }

        @Override
        public String toString() {
            return "TrainingPlan[epochs=" + epochs + ", stepsPerEpoch=" + stepsPerEpoch + ", samples=" + samples + ", validation="
                    + validation + ", initialEpoch=" + initialEpoch + ", dataSeed=" + dataSeed + "]";
        }
    }
}
