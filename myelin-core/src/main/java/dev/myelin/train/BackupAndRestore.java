package dev.myelin.train;

import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Makes a training run survive being killed, as Keras's {@code BackupAndRestore} ({@code save_freq="epoch"},
 * {@code delete_checkpoint=True}): at the end of every epoch the run's state ({@link TrainingPlan#snapshot})
 * goes to one backup file in {@code backupDir}, written atomically ({@link SnapshotFile#write}); when
 * {@code fit} starts and a backup is there, the run resumes from it: the epochs already done are skipped and
 * their History rows put back. When the run ends normally (all epochs, or stopped by a callback), the backup is
 * deleted; when it ends by Ctrl-C or an exception, or the process dies, the backup stays, and the same call
 * resumes it.
 *
 * <p><b>Guarantee:</b> with a seeded model ({@code model.seed}) and seeded data ({@code FitOptions.seed},
 * or a seeded {@code DataLoader}), or unshuffled data, a run killed at any moment (SIGKILL, a power cut) and
 * started again with the same code ends bit-identical to the run that was never interrupted: weights,
 * optimizer slots and iteration count, the learning-rate schedule's position, every random generator drawn
 * from in training (dropout, augmentation, shuffling) and the History. The backup holds the last completed
 * epoch: the work of an epoch cut short is done again.
 *
 * <p><b>Not restored:</b> the internal state of other callbacks ({@link EarlyStopping}'s patience count and
 * best weights, {@link ModelCheckpoint}'s best value, {@link ReduceLROnPlateau}'s wait; the learning rate it
 * set is restored, being the optimizer's); they start over as in a new {@code fit}. Put this callback first
 * among the callbacks, so that those after it see the resumed plan.
 *
 * <p>A backup from another model (a weight whose name or shape differs) is refused, naming the weight and the
 * backup file: delete the folder to start over.
 *
 * <p>Example:
 * <pre>{@code
 * model.seed(42);
 * History h = model.fit(x, y, FitOptions.epochs(30).seed(7).callbacks(new BackupAndRestore(Path.of("backup"))));
 * // killed in epoch 12? run the same program again: it goes on from epoch 11's backup
 * }</pre>
 */
public final class BackupAndRestore implements Callback {
    /** The backup's file name in the backup folder. */
    public static final String FILE_NAME = "latest.snapshot";

    private final Path backupDir;
    private boolean deleteCheckpoint = true;
    private TrainingPlan plan;

    /** Backs up into {@code backupDir} (created when needed); its file is {@value #FILE_NAME}. */
    public BackupAndRestore(Path backupDir) {
        this.backupDir = Objects.requireNonNull(backupDir, "backupDir");
    }

    /** Whether the backup is deleted when the run ends normally (true by default, as Keras's {@code delete_checkpoint}). */
    public BackupAndRestore deleteCheckpoint(boolean value) {
        this.deleteCheckpoint = value;
        return this;
    }

    /** The backup file: {@code backupDir/}{@value #FILE_NAME}. */
    public Path backupFile() {
        return backupDir.resolve(FILE_NAME);
    }

    /**
     * Resumes from the backup when there is one.
     *
     * @throws IllegalArgumentException when the backup is from another model or another run (naming the weight
     *     or what differs, and the file), or cannot be read
     */
    @Override
    public void onTrainBegin(Trainable model, TrainingPlan p) {
        plan = p;
        Path file = backupFile();
        if (!Files.exists(file)) return;
        TrainingSnapshot backup;
        try {
            backup = SnapshotFile.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resume from the backup " + file + ": " + e.getMessage() + "; delete " + backupDir
                    + " to start over", e);
        }
        requireSameWeights(model, backup, file);
        try {
            p.resume(backup);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the backup " + file + " does not fit this run: " + e.getMessage() + "; delete " + backupDir
                    + " to start over", e);
        }
    }

    /** Same weight names and shapes, checked before anything is set. */
    private void requireSameWeights(Trainable model, TrainingSnapshot backup, Path file) {
        Map<String, Tensor> current = model.weightValues();
        for (var e : current.entrySet()) {
            Tensor saved = backup.weights().get(e.getKey());
            if (saved == null) {
                throw new IllegalArgumentException("the backup " + file + " is from another model: it has no weight '" + e.getKey() + "' "
                        + e.getValue().shape() + " of '" + model.name() + "'; delete " + backupDir + " to start over");
            }
            if (!saved.shape().equals(e.getValue().shape())) {
                throw new IllegalArgumentException("the backup " + file + " is from another model: weight '" + e.getKey() + "' has shape "
                        + saved.shape() + " there but " + e.getValue().shape() + " in '" + model.name() + "'; delete " + backupDir + " to start over");
            }
        }
        for (String name : backup.weights().keySet()) {
            if (!current.containsKey(name)) {
                throw new IllegalArgumentException("the backup " + file + " is from another model: its weight '" + name + "' is not in '"
                        + model.name() + "'; delete " + backupDir + " to start over");
            }
        }
    }

    /** Writes the state after this epoch, replacing the previous backup atomically. */
    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Path file = backupFile();
        try {
            SnapshotFile.write(file, plan.snapshot(epoch + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the backup after a run that ended normally; keeps it after Ctrl-C, to resume from. */
    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (!deleteCheckpoint || plan == null || plan.interrupted()) return;
        Path file = backupFile();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore could not delete " + file + " after the run: " + e.getMessage(), e);
        }
    }
}
