package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.optim.Adam;
import dev.myelin.optim.CosineDecay;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BackupAndRestore in one process: a run stopped by an exception or by Ctrl-C after epoch k, started again
 * with the same callback on a fresh model, ends bit-identical to the uninterrupted run (weights, optimizer
 * slots, iterations, schedule, dropout, shuffling, History); a run that completes deletes its backup; a
 * backup of another model is refused.
 */
class BackupAndRestoreTest {
    private static final int EPOCHS = 5;
    @TempDir Path dir;

    private static final Tensor X, Y;

    static {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(11);
        X = Tensor.normal(r, 0, 1, 40, 6);
        float[] y = new float[40];
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(3);
        Y = Tensor.of(y, 40);
    }

    private static Model model(int hidden) {
        Sequential m = new Sequential(new Dense(hidden, Activation.RELU).name("hidden").inputShape(6), new Dropout(0.3).name("drop"),
                new Dense(3, Activation.SOFTMAX).name("out"));
        m.seed(5);
        m.compile(new Adam(0.01).learningRateSchedule(new CosineDecay(0.02, 30, 0.1)), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static Model model() {
        return model(10);
    }

    private static FitOptions options(Callback... callbacks) {
        return FitOptions.epochs(EPOCHS).batchSize(8).seed(3).validationSplit(0.2).verbose(0).callbacks(callbacks);
    }

    /** Throws at the end of epoch {@code epoch}: a crash after that epoch's backup (it comes after the backup callback). */
    private static Callback crashAfter(int epoch) {
        return LambdaCallback.onEpochEnd((e, logs) -> {
            if (e == epoch) throw new IllegalStateException("crash after epoch " + e);
        });
    }

    private static void assertSameRun(Model expected, History expectedHistory, Model actual, History actualHistory) {
        assertEquals(expectedHistory.epochsRun(), actualHistory.epochsRun());
        assertEquals(expectedHistory.asMap().keySet(), actualHistory.asMap().keySet());
        for (String k : expectedHistory.asMap().keySet()) {
            List<Double> e = expectedHistory.get(k), a = actualHistory.get(k);
            for (int i = 0; i < e.size(); i++) {
                assertEquals(Double.doubleToRawLongBits(e.get(i)), Double.doubleToRawLongBits(a.get(i)), k + " at epoch " + i + ": " + e + " vs " + a);
            }
        }
        ResumeTest.assertSameState(expected.snapshot(), actual.snapshot());
        assertEquals(expected.optimizer().iterations(), actual.optimizer().iterations());
    }

    @Test
    void aCrashedRunResumesFromItsBackupAndEndsBitIdentical() throws IOException {
        Model uninterrupted = model();
        History full = uninterrupted.fit(X, Y, options());

        BackupAndRestore backup = new BackupAndRestore(dir.resolve("backup"));
        var crash = assertThrows(IllegalStateException.class, () -> model().fit(X, Y, options(backup, crashAfter(2))));
        assertEquals("crash after epoch 2", crash.getMessage());
        assertTrue(Files.exists(backup.backupFile()), "an exception keeps the backup");
        assertEquals(3, SnapshotFile.read(backup.backupFile()).epochsDone());

        Model fresh = model();
        List<Integer> epochs = new ArrayList<>();
        History resumed = fresh.fit(X, Y, options(new BackupAndRestore(dir.resolve("backup")), new Callback() {
            @Override
            public void onEpochBegin(int epoch) {
                epochs.add(epoch);
            }
        }));
        assertEquals(List.of(3, 4), epochs, "the epochs done are skipped");
        assertSameRun(uninterrupted, full, fresh, resumed);
        assertEquals(EPOCHS * 4L, fresh.optimizer().iterations());
        assertFalse(Files.exists(backup.backupFile()), "a completed run deletes its backup");
    }

    @Test
    void aCrashInTheFirstEpochLeavesNoBackupAndTheRunStartsOver() {
        Model uninterrupted = model();
        History full = uninterrupted.fit(X, Y, options());
        Callback crashEarly = LambdaCallback.onBatchEnd((b, logs) -> { throw new IllegalStateException("crash in epoch 0"); });
        assertThrows(IllegalStateException.class, () -> model().fit(X, Y, options(new BackupAndRestore(dir), crashEarly)));
        assertFalse(Files.exists(dir.resolve(BackupAndRestore.FILE_NAME)));
        Model fresh = model();
        History again = fresh.fit(X, Y, options(new BackupAndRestore(dir)));
        assertSameRun(uninterrupted, full, fresh, again);
    }

    @Test
    void drawnDataSeedsAreKeptInTheBackup() throws IOException {
        // no FitOptions.seed: fit draws one; the backup keeps it, and the resumed run shuffles with it
        FitOptions unseeded = FitOptions.epochs(EPOCHS).batchSize(8).verbose(0);
        assertThrows(IllegalStateException.class, () -> model().fit(X, Y, unseeded.callbacks(new BackupAndRestore(dir), crashAfter(1))));
        Long drawn = SnapshotFile.read(dir.resolve(BackupAndRestore.FILE_NAME)).dataSeed();
        assertNotNull(drawn);
        Model uninterrupted = model();
        History full = uninterrupted.fit(X, Y, unseeded.seed(drawn));
        Model fresh = model();
        History resumed = fresh.fit(X, Y, unseeded.callbacks(new BackupAndRestore(dir)));
        assertSameRun(uninterrupted, full, fresh, resumed);
    }

    @Test
    void ctrlCKeepsTheBackupOfTheLastCompleteEpoch() throws IOException {
        Model uninterrupted = model();
        History full = uninterrupted.fit(X, Y, options());

        BackupAndRestore backup = new BackupAndRestore(dir);
        Callback ctrlC = new Callback() { // what InterruptHandler does on SIGINT, in the middle of epoch 3
            TrainingPlan plan;
            int epoch;

            @Override
            public void onTrainBegin(Trainable m, TrainingPlan p) {
                plan = p;
            }

            @Override
            public void onEpochBegin(int e) {
                epoch = e;
            }

            @Override
            public void onBatchEnd(int batch, Map<String, Double> logs) {
                if (epoch == 3 && batch == 1) plan.markInterrupted();
            }
        };
        History cut = model().fit(X, Y, options(backup, ctrlC));
        assertEquals(3, cut.epochsRun());
        assertEquals(3, SnapshotFile.read(backup.backupFile()).epochsDone(), "Ctrl-C keeps the backup of the last complete epoch");

        Model fresh = model();
        History resumed = fresh.fit(X, Y, options(new BackupAndRestore(dir)));
        assertSameRun(uninterrupted, full, fresh, resumed);
        assertFalse(Files.exists(backup.backupFile()));
    }

    @Test
    void aRunStoppedByACallbackEndsNormallyAndDeletesItsBackup() {
        BackupAndRestore backup = new BackupAndRestore(dir);
        Callback stop = new Callback() {
            Trainable target;

            @Override
            public void onTrainBegin(Trainable m, TrainingPlan p) {
                target = m;
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                if (epoch == 1) target.stopTraining(true);
            }
        };
        History h = model().fit(X, Y, options(backup, stop));
        assertEquals(2, h.epochsRun());
        assertFalse(Files.exists(backup.backupFile()));
    }

    @Test
    void keepingTheBackupOfACompletedRunResumesToNothingLeftToDo() throws IOException {
        Model first = model();
        History full = first.fit(X, Y, options(new BackupAndRestore(dir).deleteCheckpoint(false)));
        assertEquals(EPOCHS, SnapshotFile.read(dir.resolve(BackupAndRestore.FILE_NAME)).epochsDone());
        Model fresh = model();
        List<Integer> epochs = new ArrayList<>();
        History again = fresh.fit(X, Y, options(new BackupAndRestore(dir).deleteCheckpoint(false), LambdaCallback.onEpochEnd((e, logs) -> epochs.add(e))));
        assertEquals(List.of(), epochs, "every epoch was done");
        assertSameRun(first, full, fresh, again);
        assertTrue(Files.exists(dir.resolve(BackupAndRestore.FILE_NAME)));
    }

    @Test
    void aBackupOfAnotherModelIsRefusedNamingTheWeightAndTheFile() {
        assertThrows(IllegalStateException.class, () -> model().fit(X, Y, options(new BackupAndRestore(dir), crashAfter(0))));
        Path file = dir.resolve(BackupAndRestore.FILE_NAME);

        Model wider = model(12);
        var shape = assertThrows(IllegalArgumentException.class, () -> wider.fit(X, Y, options(new BackupAndRestore(dir))));
        assertTrue(shape.getMessage().contains("'hidden/kernel'") && shape.getMessage().contains(file.toString())
                && shape.getMessage().contains("delete " + dir), shape.getMessage());

        Sequential other = new Sequential(new Dense(3, Activation.SOFTMAX).name("only").inputShape(6));
        other.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        var names = assertThrows(IllegalArgumentException.class, () -> other.fit(X, Y, options(new BackupAndRestore(dir))));
        assertTrue(names.getMessage().contains("'only/kernel'") && names.getMessage().contains(file.toString()), names.getMessage());
        assertTrue(Files.exists(file), "a refused backup is left alone");
    }

    @Test
    void aBackupOfARunWithMoreEpochsIsRefused() {
        assertThrows(IllegalStateException.class, () -> model().fit(X, Y, options(new BackupAndRestore(dir), crashAfter(3))));
        var e = assertThrows(IllegalArgumentException.class,
                () -> model().fit(X, Y, FitOptions.epochs(2).batchSize(8).seed(3).verbose(0).callbacks(new BackupAndRestore(dir))));
        assertTrue(e.getMessage().contains(dir.resolve(BackupAndRestore.FILE_NAME).toString()) && e.getMessage().contains("after epoch 4"), e.getMessage());
    }

    @Test
    void aDamagedBackupIsRefusedWithTheFileAndWhatToDo() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(BackupAndRestore.FILE_NAME), "not a zip");
        var e = assertThrows(IllegalArgumentException.class, () -> model().fit(X, Y, options(new BackupAndRestore(dir))));
        assertTrue(e.getMessage().contains(BackupAndRestore.FILE_NAME) && e.getMessage().contains("to start over"), e.getMessage());
    }
}
