package dev.myelin.examples;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.text.BagOfWords;
import dev.myelin.text.BpeTokenizer;
import dev.myelin.text.ClassificationReport;
import dev.myelin.text.FortunesCorpus;
import dev.myelin.text.LabelledTexts;
import dev.myelin.text.TextSplit;
import dev.myelin.text.TextVectorizer;
import dev.myelin.train.EarlyStopping;
import dev.myelin.train.FitOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 12's text classification baselines on Debian's fortunes: a quotation's category among the ten the
 * issue names, reported as accuracy and macro-F1 on a held-out test set.
 *
 * <p>Data: {@code FortunesCorpus(DEBIAN_FOLDER).categories(ISSUE_CATEGORIES).lengthRange(1, 1000)}, split by
 * {@code TextSplit.stratified(all, 0.1, 0.2, 42)} (70 / 10 / 20 %, every category in proportion). Models:
 * <ul>
 *   <li>{@code words}: TF-IDF of the 10,000 most frequent words (lower case, punctuation stripped) →
 *       {@code Dense(64, relu) → Dropout(0.5) → Dense(10, softmax)};
 *   <li>{@code bpe}: the same on the ids of a 4,000-token byte-level BPE trained on the training texts;
 *   <li>{@code bigru}: words (sequence 100) → {@code Embedding(10000, 64, mask_zero) → Bidirectional(GRU(32)) → Dense(10, softmax)}.
 * </ul>
 * Adam (1e-3), sparse categorical cross-entropy, batch 32, up to 30 epochs with early stopping on the
 * validation loss (patience 3, best weights restored).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp myelin-core/target/classes:myelin-examples/target/classes
 * dev.myelin.examples.FortunesClassificationExample [words|bpe|bigru ...] [FOLDER]}.
 */
public final class FortunesClassificationExample {
    private static final long SEED = 42;

    private FortunesClassificationExample() {}

    public static void main(String[] args) throws Exception {
        List<String> models = new ArrayList<>();
        Path folder = FortunesCorpus.DEBIAN_FOLDER;
        for (String a : args) {
            if (List.of("words", "bpe", "bigru").contains(a)) models.add(a);
            else folder = Path.of(a);
        }
        if (models.isEmpty()) models = List.of("words", "bpe");
        LabelledTexts all = new FortunesCorpus(folder).categories(FortunesCorpus.ISSUE_CATEGORIES).lengthRange(1, 1000).load();
        TextSplit split = TextSplit.stratified(all, 0.1, 0.2, SEED);
        System.out.printf("fortunes: %d quotations in %d categories, train %d / validation %d / test %d%n", all.size(), all.classNames().size(),
                split.train().size(), split.validation().size(), split.test().size());
        int[] counts = TextSplit.classCounts(all);
        for (int c = 0; c < counts.length; c++) System.out.printf("  %-11s %5d%n", all.classNames().get(c), counts[c]);
        for (String model : models) {
            long t0 = System.nanoTime();
            ClassificationReport report = switch (model) {
                case "words" -> bagOfWords(split, wordIds(split, 0));
                case "bpe" -> bagOfWords(split, bpeIds(split));
                default -> biGru(split);
            };
            System.out.printf(Locale.ROOT, "%s: test accuracy %.4f, macro-F1 %.4f (%.1f s)%n%s", model, report.accuracy(), report.macroF1(), (System.nanoTime() - t0) / 1e9, report);
        }
    }

    /** Ids of the train, validation and test texts, and the vocabulary size. */
    private record Encoded(List<int[]> train, List<int[]> validation, List<int[]> test, int vocabularySize) {}

    private static Encoded wordIds(TextSplit s, int sequenceLength) {
        TextVectorizer v = new TextVectorizer().maxTokens(10_000).sequenceLength(sequenceLength).adapt(s.train().texts());
        return new Encoded(encode(s.train(), v::encode), encode(s.validation(), v::encode), encode(s.test(), v::encode), v.vocabularySize());
    }

    private static Encoded bpeIds(TextSplit s) {
        BpeTokenizer bpe = BpeTokenizer.train(s.train().texts(), 4_000);
        return new Encoded(encode(s.train(), bpe::encode), encode(s.validation(), bpe::encode), encode(s.test(), bpe::encode), bpe.vocabularySize());
    }

    private static List<int[]> encode(LabelledTexts texts, java.util.function.Function<String, int[]> f) {
        return texts.texts().stream().map(f).toList();
    }

    private static ClassificationReport bagOfWords(TextSplit s, Encoded ids) {
        BagOfWords bag = new BagOfWords(ids.vocabularySize(), BagOfWords.Mode.TF_IDF).adapt(ids.train());
        var model = new Sequential(
                new Dense(64, Activation.RELU).inputShape(ids.vocabularySize()),
                new Dropout(0.5),
                new Dense(s.train().classNames().size(), Activation.SOFTMAX));
        return fitAndTest(model, s, bag.transform(ids.train()), bag.transform(ids.validation()), bag.transform(ids.test()));
    }

    private static ClassificationReport biGru(TextSplit s) {
        Encoded ids = wordIds(s, 100);
        var model = new Sequential(
                new Embedding(ids.vocabularySize(), 64).maskZero(true).inputShape(100),
                new Bidirectional(new GRU(32)),
                new Dense(s.train().classNames().size(), Activation.SOFTMAX));
        return fitAndTest(model, s, rows(ids.train()), rows(ids.validation()), rows(ids.test()));
    }

    private static Tensor rows(List<int[]> ids) {
        int length = ids.get(0).length;
        float[] x = new float[ids.size() * length];
        for (int i = 0; i < ids.size(); i++) for (int j = 0; j < length; j++) x[i * length + j] = ids.get(i)[j];
        return Tensor.of(x, ids.size(), length);
    }

    private static ClassificationReport fitAndTest(Sequential model, TextSplit s, Tensor xTrain, Tensor xValidation, Tensor xTest) {
        model.seed(SEED);
        model.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        model.fit(xTrain, s.train().labelTensor(), FitOptions.epochs(30).batchSize(32).seed(SEED).verbose(0)
                .validationData(xValidation, s.validation().labelTensor())
                .callbacks(new EarlyStopping("val_loss").patience(3).restoreBestWeights(true)));
        return ClassificationReport.of(s.test().labels(), model.predict(xTest), s.test().classNames());
    }
}
