package dev.myelin.semisupervised;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
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
 * PseudoLabelling.Result r = new PseudoLabelling(0.95, 3).fit(model, x, y, unlabelled, FitOptions.epochs(2).verbose(0));
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
        Objects.requireNonNull(classifier, "classifier");
        int classes = LabelCoverage.classesOf(classifier, "PseudoLabelling");
        LabelCoverage.requireEveryClass(y, classes, "PseudoLabelling");
        List<History> histories = new ArrayList<>();
        histories.add(classifier.fit(x, y, eachRound));
        AutoLabels labels = AutoLabeler.autoLabel(classifier, unlabelled, threshold);
        for (int r = 0; r < rounds; r++) {
            int[] kept = labels.keptIndices();
            Tensor trainX = x, trainY = y;
            if (kept.length > 0) {
                int[] ids = new int[kept.length], all = labels.labels();
                for (int j = 0; j < kept.length; j++) ids[j] = all[kept[j]];
                trainX = Tensor.concat(List.of(x, unlabelled.indexSelect(0, kept).to(x.dtype())), 0);
                trainY = Tensor.concat(List.of(y, LabelCoverage.targetsLike(y, ids, classes)), 0);
            }
            histories.add(classifier.fit(trainX, trainY, eachRound));
            labels = AutoLabeler.autoLabel(classifier, unlabelled, threshold);
        }
        return new Result(histories, labels);
    }
}
