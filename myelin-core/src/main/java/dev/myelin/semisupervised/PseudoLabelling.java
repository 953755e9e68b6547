package dev.myelin.semisupervised;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.BackupAndRestore;
import dev.myelin.train.Callback;
import dev.myelin.train.Callback.TrainingPlan;
import dev.myelin.train.History;
import dev.myelin.train.SnapshotFile;
import dev.myelin.train.TrainingSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Pseudo-labelling (self-training; Lee 2013, with a confidence threshold): train a classifier on the
 * labelled data, label the unlabelled data with it ({@link AutoLabeler}), add the samples labelled with
 * confidence {@code >= threshold} to the training set, and train again; {@code rounds} times. Each fit
 * continues from the current weights and optimizer state. Pseudo-labels take the format of the labelled
 * targets (class ids or one-hot), and a sample's pseudo-label is re-chosen every round.
 *
 * <p>Example:
 * <pre>{@code
 * PseudoLabelling.Result r = new PseudoLabelling(0.95, 3).fit(model, x, y, unlabelled, FitOptions.epochs(2).verbose(0), Path.of("backup"));
 * System.out.println(r.labels());   // the last round's labels: how many were kept
 * }</pre>
 *
 * @param threshold the confidence from which a pseudo-label is used, in [0, 1]
 * @param rounds    the number of pseudo-labelled rounds after the first, supervised fit, >= 0
 */
public record PseudoLabelling(double threshold, int rounds) {

    public PseudoLabelling {
        AutoLabeler.checkThreshold("PseudoLabelling", threshold);
        if (rounds < 0) throw new IllegalArgumentException("PseudoLabelling: rounds must be >= 0, got " + rounds);
    }

    /**
     * What a run did: the history of each fit (the supervised one first) and the labels proposed after the
     * last fit.
     */
    public record Result(List<History> histories, AutoLabels labels) {
        public Result {
            histories = List.copyOf(histories);
        }
    }

    /**
     * Runs the recipe on a compiled {@code classifier}: {@code x}, {@code y} labelled (class ids or one-hot),
     * {@code unlabelled} without targets; each fit with {@code eachRound}.
     *
     * @throws IllegalArgumentException when the labelled data do not hold every class the classifier predicts
     */
    public Result fit(Model classifier, Tensor x, Tensor y, Tensor unlabelled, FitOptions eachRound) {
        return fit(classifier, x, y, unlabelled, eachRound, null);
    }

    /**
     * As {@link #fit(Model, Tensor, Tensor, Tensor, FitOptions)}, backed up in {@code backupDir} so that a
     * killed run, started again the same way, resumes and (seeded) ends bit-identical to the uninterrupted
     * one: each round's fit runs with a {@link BackupAndRestore} in {@code backupDir/round-K} (first among
     * its callbacks), and a finished round leaves {@code backupDir/round-K.snapshot} (the classifier's state
     * and the round's History). A resumed run restores the last finished round, takes its History back and
     * goes on with the next; the pseudo-labels are chosen again from the restored weights, as they were.
     * The round files are deleted when all rounds are done. A run interrupted by Ctrl-C returns the rounds so
     * far and keeps the backup. {@code backupDir} null: no backup.
     *
     * @throws IllegalArgumentException when a round's backup cannot be read or does not fit the classifier
     */
    public Result fit(Model classifier, Tensor x, Tensor y, Tensor unlabelled, FitOptions eachRound, Path backupDir) {
        Objects.requireNonNull(classifier, "classifier");
        int classes = LabelCoverage.classesOf(classifier, "PseudoLabelling");
        LabelCoverage.requireEveryClass(y, classes, "PseudoLabelling");
        List<History> histories = new ArrayList<>();
        int done = backupDir == null ? 0 : resume(classifier, backupDir, histories);
        for (int r = done; r <= rounds; r++) {
            Tensor trainX = x, trainY = y;
            if (r > 0) {
                AutoLabels proposed = AutoLabeler.autoLabel(classifier, unlabelled, threshold);
                int[] kept = proposed.keptIndices(), all = proposed.labels();
                if (kept.length > 0) {
                    int[] ids = new int[kept.length];
                    for (int j = 0; j < kept.length; j++) ids[j] = all[kept[j]];
                    trainX = Tensor.concat(List.of(x, unlabelled.indexSelect(0, kept).to(x.dtype())), 0);
                    trainY = Tensor.concat(List.of(y, LabelCoverage.targetsLike(y, ids, classes)), 0);
                }
            }
            if (backupDir == null) {
                histories.add(classifier.fit(trainX, trainY, eachRound));
                continue;
            }
            PlanWatch watch = new PlanWatch();
            List<Callback> callbacks = new ArrayList<>(List.of(new BackupAndRestore(backupDir.resolve("round-" + r)), watch));
            callbacks.addAll(eachRound.callbacks());
            History h = classifier.fit(trainX, trainY, new FitOptions(eachRound.epochs(), eachRound.batchSize(), eachRound.shuffle(),
                    eachRound.seed(), eachRound.validationSplit(), eachRound.validationX(), eachRound.validationY(), callbacks,
                    eachRound.verbose(), eachRound.initialEpoch()));
            histories.add(h);
            if (watch.plan != null && watch.plan.interrupted()) return new Result(histories, AutoLabeler.autoLabel(classifier, unlabelled, threshold));
            write(roundFile(backupDir, r), classifier.snapshot().withProgress(h.epochsRun(), h.asMap(), null));
        }
        AutoLabels labels = AutoLabeler.autoLabel(classifier, unlabelled, threshold);
        if (backupDir != null) {
            for (int r = 0; r <= rounds; r++) delete(roundFile(backupDir, r));
        }
        return new Result(histories, labels);
    }

    /** Restores the last finished round in {@code dir}, adding the finished rounds' Histories; returns how many rounds are done. */
    private int resume(Model classifier, Path dir, List<History> histories) {
        int done = 0;
        while (done <= rounds && Files.exists(roundFile(dir, done))) done++;
        TrainingSnapshot last = null;
        for (int r = 0; r < done; r++) {
            Path file = roundFile(dir, r);
            try {
                last = SnapshotFile.read(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("PseudoLabelling: cannot resume from " + file + ": " + e.getMessage() + "; delete " + dir + " to start over", e);
            }
            History h = new History();
            for (int epoch = 0; epoch < last.epochsDone(); epoch++) {
                Map<String, Double> logs = new LinkedHashMap<>();
                for (var e : last.history().entrySet()) if (epoch < e.getValue().size()) logs.put(e.getKey(), e.getValue().get(epoch));
                h.onEpochEnd(epoch, logs);
            }
            histories.add(h);
        }
        if (last != null) {
            try {
                classifier.restore(last);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PseudoLabelling: the backup " + roundFile(dir, done - 1) + " does not fit model '" + classifier.name()
                        + "': " + e.getMessage() + "; delete " + dir + " to start over", e);
            }
        }
        return done;
    }

    private static Path roundFile(Path dir, int round) {
        return dir.resolve("round-" + round + ".snapshot");
    }

    private static void write(Path file, TrainingSnapshot snapshot) {
        try {
            SnapshotFile.write(file, snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException("PseudoLabelling could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("PseudoLabelling could not delete " + file + " after the run: " + e.getMessage(), e);
        }
    }

    /** Keeps the fit's plan, to tell an interrupted round (Ctrl-C) from a finished one. */
    private static final class PlanWatch implements Callback {
        TrainingPlan plan;

        @Override
        public void onTrainBegin(dev.myelin.train.Trainable model, TrainingPlan p) {
            plan = p;
        }
    }
}
