package dev.myelin.examples;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
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
import dev.myelin.text.ClassificationReport;
import dev.myelin.text.TextVectorizer;
import dev.myelin.train.EarlyStopping;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.train.LambdaCallback;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The classifiers of issue 12's fortunes task ({@link FortunesData}), each trained on the training set with
 * early stopping on the validation loss (patience 3, best weights restored) and scored on the test set:
 * <ul>
 *   <li>{@link #TRANSFORMER}: {@link FortunesTransformer#DEFAULT} on word ids;
 *   <li>{@link #BIGRU}: words (sequence 100) → {@code Embedding(10000, 64, mask_zero) → Bidirectional(GRU(32)) → Dense(10, softmax)}, Adam 1e-3;
 *   <li>{@link #WORDS}: TF-IDF of the 10,000 most frequent words → {@code Dense(64, relu) → Dropout(0.5) → Dense(10, softmax)}, Adam 1e-3;
 *   <li>{@link #BPE}: the same on the ids of a 4,000-token byte-level BPE trained on the training texts.
 * </ul>
 * All take batches of 32 and seed their weights, dropout and shuffling from one seed.
 */
public enum FortunesModel {
    TRANSFORMER, BIGRU, WORDS, BPE;

    /** The word vocabulary of every model that reads words. */
    public static final int MAX_WORDS = 10_000;

    /** What a training run gives: the test report, the epochs run and the training time (validation included). */
    public record Result(FortunesModel model, ClassificationReport report, int epochs, double seconds) {
        public double secondsPerEpoch() {
            return seconds / Math.max(1, epochs);
        }
    }

    /** The lower-case name the command line uses. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The token ids this model reads ({@link FortunesData.TokenIds}; fixed-length rows for the sequence models). */
    public FortunesData.TokenIds tokenIds(FortunesData data) {
        return switch (this) {
            case TRANSFORMER -> neverEmpty(data.words(FortunesTransformer.DEFAULT.maxTokens(), FortunesTransformer.DEFAULT.sequenceLength()));
            case BIGRU -> data.words(MAX_WORDS, 100);
            case WORDS -> data.words(MAX_WORDS, 0);
            case BPE -> data.bpe(4_000, 0);
        };
    }

    /**
     * Trains this model for up to {@code epochs} epochs and scores it on the test set.
     *
     * @param progress where one line per epoch goes (loss, accuracy, their validation twins, seconds), or null
     */
    public Result train(FortunesData data, int epochs, long seed, PrintStream progress) {
        FortunesData.TokenIds ids = tokenIds(data);
        int classes = data.classNames().size();
        Model model;
        Tensor train, validation, test;
        if (this == WORDS || this == BPE) {
            BagOfWords bag = new BagOfWords(ids.vocabularySize(), BagOfWords.Mode.TF_IDF).adapt(ids.train());
            model = new Sequential(
                    new Dense(64, Activation.RELU).inputShape(ids.vocabularySize()),
                    new Dropout(0.5),
                    new Dense(classes, Activation.SOFTMAX));
            train = bag.transform(ids.train());
            validation = bag.transform(ids.validation());
            test = bag.transform(ids.test());
        } else {
            train = rows(ids.train());
            validation = rows(ids.validation());
            test = rows(ids.test());
            model = this == TRANSFORMER ? FortunesTransformer.DEFAULT.build(ids.vocabularySize(), classes) : new Sequential(
                    new Embedding(ids.vocabularySize(), 64).maskZero(true).inputShape(train.dim(1)),
                    new Bidirectional(new GRU(32)),
                    new Dense(classes, Activation.SOFTMAX));
        }
        model.seed(seed);
        var optimizer = this == TRANSFORMER ? FortunesTransformer.DEFAULT.optimizer(ids.train().size(), epochs) : new Adam(1e-3);
        model.compile(optimizer, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        int batchSize = this == TRANSFORMER ? FortunesTransformer.DEFAULT.batchSize() : 32;
        long t0 = System.nanoTime();
        History history = model.fit(train, data.split().train().labelTensor(), FitOptions.epochs(epochs).batchSize(batchSize).seed(seed).verbose(0)
                .validationData(validation, data.split().validation().labelTensor())
                .callbacks(new EarlyStopping("val_loss").patience(3).restoreBestWeights(true), epochLines(progress)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        ClassificationReport report = ClassificationReport.of(data.split().test().labels(), model.predict(test), data.classNames());
        return new Result(this, report, history.get("loss").size(), seconds);
    }

    /**
     * The ids with {@code [UNK]} as the first id of a text that has no word (only punctuation): the masked mean of
     * the Transformer's pooling is undefined (0 / 0) over a row that is all padding.
     */
    private static FortunesData.TokenIds neverEmpty(FortunesData.TokenIds ids) {
        UnaryOperator<List<int[]>> fix = rows -> rows.stream().map(r -> {
            if (r.length == 0 || r[0] != TextVectorizer.PAD) return r;
            int[] copy = r.clone();
            copy[0] = TextVectorizer.OOV;
            return copy;
        }).toList();
        return new FortunesData.TokenIds(fix.apply(ids.train()), fix.apply(ids.validation()), fix.apply(ids.test()), ids.vocabulary());
    }

    /** {@code [texts, length]} ids as float32 (every row has the same length). */
    static Tensor rows(List<int[]> ids) {
        int length = ids.get(0).length;
        float[] x = new float[ids.size() * length];
        for (int i = 0; i < ids.size(); i++) for (int j = 0; j < length; j++) x[i * length + j] = ids.get(i)[j];
        return Tensor.of(x, ids.size(), length);
    }

    private static final List<String> FIRST_KEYS = List.of("loss", "accuracy", "val_loss", "val_accuracy");

    private static LambdaCallback epochLines(PrintStream out) {
        long[] start = {System.nanoTime()};
        return LambdaCallback.onEpochEnd((epoch, logs) -> {
            if (out == null) return;
            long now = System.nanoTime();
            List<String> keys = new ArrayList<>(new TreeMap<>(logs).keySet());
            keys.sort(Comparator.comparingInt(k -> { // Keras's order: training values, then validation, then the rest
                int i = FIRST_KEYS.indexOf(k);
                return i < 0 ? FIRST_KEYS.size() : i;
            }));
            List<String> values = new ArrayList<>();
            for (String k : keys) values.add(String.format(Locale.ROOT, "%s %.4f", k, logs.get(k)));
            out.printf(Locale.ROOT, "  epoch %d: %s (%.1f s)%n", epoch + 1, String.join(", ", values), (now - start[0]) / 1e9);
            start[0] = now;
        });
    }
}
