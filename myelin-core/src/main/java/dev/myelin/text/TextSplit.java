package dev.myelin.text;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Labelled texts cut into train, validation and test sets with every class in the same proportions
 * (stratified), reproducibly from a seed.
 *
 * <p>How: for each class in label order, its texts (in corpus order) are shuffled by one
 * {@code SplittableRandom(seed)} used class after class; the first {@code round(n × testFraction)} go to
 * test, the next {@code round(n × validationFraction)} to validation, the rest to train. Each set is then
 * put in a random order ({@link LabelledTexts#shuffled} with {@code seed}), so batches mix the classes.
 * The same texts, fractions and seed give the same sets on every machine and Java version.
 */
public record TextSplit(LabelledTexts train, LabelledTexts validation, LabelledTexts test) {
    /**
     * @param validationFraction in [0, 1)
     * @param testFraction in [0, 1), with {@code validationFraction + testFraction < 1}
     */
    public static TextSplit stratified(LabelledTexts all, double validationFraction, double testFraction, long seed) {
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new IllegalArgumentException("need 0 <= validationFraction, 0 <= testFraction and their sum < 1, got " + validationFraction + " and " + testFraction);
        }
        int classes = all.classNames().size();
        int[] labels = all.labels();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) byClass.add(new ArrayList<>());
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("text " + i + " has label " + labels[i] + " outside [0, " + classes + ")");
            byClass.get(labels[i]).add(i);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> train = new ArrayList<>(), validation = new ArrayList<>(), test = new ArrayList<>();
        for (List<Integer> members : byClass) {
            for (int i = members.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                members.set(j, members.set(i, members.get(j)));
            }
            int n = members.size();
            int nTest = (int) Math.round(n * testFraction);
            int nValidation = (int) Math.round(n * validationFraction);
            test.addAll(members.subList(0, nTest));
            validation.addAll(members.subList(nTest, nTest + nValidation));
            train.addAll(members.subList(nTest + nValidation, n));
        }
        return new TextSplit(subset(all, train, labels).shuffled(seed), subset(all, validation, labels).shuffled(seed), subset(all, test, labels).shuffled(seed));
    }

    /** How many texts of each class {@code texts} holds, by label. */
    public static int[] classCounts(LabelledTexts texts) {
        int[] counts = new int[texts.classNames().size()];
        for (int label : texts.labels()) counts[label]++;
        return counts;
    }

    private static LabelledTexts subset(LabelledTexts all, List<Integer> indices, int[] labels) {
        List<String> texts = new ArrayList<>(indices.size());
        int[] l = new int[indices.size()];
        for (int k = 0; k < l.length; k++) {
            texts.add(all.texts().get(indices.get(k)));
            l[k] = labels[indices.get(k)];
        }
        return new LabelledTexts(texts, l, all.classNames());
    }
}
