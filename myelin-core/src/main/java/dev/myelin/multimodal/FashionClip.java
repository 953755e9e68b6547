package dev.myelin.multimodal;

import dev.myelin.data.Dataset;
import dev.myelin.data.TrainTest;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.RandomStream;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.text.TextVectorizer;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The CLIP recipe on Fashion-MNIST: a {@link DualEncoder} trained on images paired with short descriptions
 * written from their class ({@link ClassDescriptions#fashionMnist()}, six wordings per class), then judged by
 * zero-shot accuracy and image→text recall@1/@5 on the test images ({@link ZeroShot}).
 *
 * <p>Encoders (embedding width {@code d}, 64 by default):
 * <ul>
 *   <li>image: Conv2D(16, 3, relu) → MaxPooling2D(2) → Conv2D(32, 3, relu) → MaxPooling2D(2) → Flatten →
 *       Dense(128, relu) → Dense(d), on pixels scaled to [0, 1];</li>
 *   <li>text: {@link TextVectorizer} (lower case, punctuation stripped, 8 tokens) → Embedding(vocabulary, 32,
 *       mask_zero) → masked GlobalAveragePooling1D → Dense(64, relu) → Dense(d).</li>
 * </ul>
 * Each epoch pairs every training image with a description of its class drawn afresh, and the dual encoder
 * drops words at random ({@link WordDropout}) in each step.
 *
 * <p>Example: {@code FashionClip.train(FashionMnist.load(dir), FashionClip.Settings.defaults().epochs(3).limit(6000), System.out::println);}
 */
public final class FashionClip {
    /** Tokens per description: the longest Fashion-MNIST description has 6 words. */
    public static final int SEQUENCE_LENGTH = 8;

    private FashionClip() {}

    /**
     * Training settings: epochs, training images used ({@code limit}, 0 = all), test images evaluated
     * ({@code testLimit}, 0 = all), batch size, Adam learning rate, word dropout rate, embedding width, seed.
     */
    public record Settings(int epochs, int limit, int testLimit, int batchSize, double learningRate, double wordDropout, int embeddingDim, long seed) {
        public Settings {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            if (limit < 0 || testLimit < 0) throw new IllegalArgumentException("limits must be 0 (all) or positive, got " + limit + " and " + testLimit);
            if (batchSize < 2) throw new IllegalArgumentException("batch size must be at least 2 for InfoNCE, got " + batchSize);
            if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
            if (!(wordDropout >= 0 && wordDropout < 1)) throw new IllegalArgumentException("word dropout must be in [0, 1), got " + wordDropout);
            if (embeddingDim < 1) throw new IllegalArgumentException("embedding width must be positive, got " + embeddingDim);
        }

        /** 3 epochs, all images, batch 128, Adam(1e-3), word dropout 0.2, d = 64, seed 1. */
        public static Settings defaults() {
            return new Settings(3, 0, 0, 128, 1e-3, 0.2, 64, 1);
        }

        public Settings epochs(int value) {
            return new Settings(value, limit, testLimit, batchSize, learningRate, wordDropout, embeddingDim, seed);
        }

        public Settings limit(int value) {
            return new Settings(epochs, value, testLimit, batchSize, learningRate, wordDropout, embeddingDim, seed);
        }

        public Settings testLimit(int value) {
            return new Settings(epochs, limit, value, batchSize, learningRate, wordDropout, embeddingDim, seed);
        }

        public Settings batchSize(int value) {
            return new Settings(epochs, limit, testLimit, value, learningRate, wordDropout, embeddingDim, seed);
        }

        public Settings seed(long value) {
            return new Settings(epochs, limit, testLimit, batchSize, learningRate, wordDropout, embeddingDim, value);
        }
    }

    /** One epoch's figures: the mean training loss, the log scale at its end, the test evaluation, the epoch's seconds. */
    public record EpochReport(int epoch, double loss, double logitScale, ZeroShot.Report test, double seconds) {}

    /** What {@link #train} returns: the dual encoder, its tokenizer and every epoch's report. */
    public record Result(DualEncoder encoder, TextVectorizer vectorizer, List<EpochReport> epochs) {}

    /** The image encoder above, for {@code [28, 28, 1]} images. */
    public static Model imageEncoder(int d, long seed) {
        return new Sequential(new Conv2D(16, 3, Activation.RELU).inputShape(28, 28, 1), new MaxPooling2D(2), new Conv2D(32, 3, Activation.RELU),
                new MaxPooling2D(2), new Flatten(), new Dense(128, Activation.RELU), new Dense(d)).seed(seed);
    }

    /** The text encoder above, for {@code [SEQUENCE_LENGTH]} token ids below {@code vocabulary}. */
    public static Model textEncoder(int vocabulary, int d, long seed) {
        return new Sequential(new Embedding(vocabulary, 32).maskZero(true).inputShape(SEQUENCE_LENGTH), new GlobalAveragePooling1D(),
                new Dense(64, Activation.RELU), new Dense(d)).seed(seed);
    }

    /**
     * Trains on {@code data} (Fashion-MNIST: {@code x [n, 28, 28, 1]} in 0..255, {@code y [n]} class ids) and
     * evaluates after every epoch, handing each report to {@code onEpoch} as it is ready.
     */
    public static Result train(TrainTest data, Settings settings, Consumer<EpochReport> onEpoch) {
        ClassDescriptions descriptions = ClassDescriptions.fashionMnist();
        Dataset train = take(data.train(), settings.limit());
        Dataset test = take(data.test(), settings.testLimit());
        if (train.size() < 2) throw new IllegalArgumentException("CLIP training needs at least 2 training images, got " + train.size());
        Tensor images = scaled(train.x());
        Tensor testImages = scaled(test.x());
        int[] labels = train.y().toIndexArray(descriptions.classes(), "Fashion-MNIST label");

        TextVectorizer vectorizer = new TextVectorizer().sequenceLength(SEQUENCE_LENGTH);
        vectorizer.adapt(descriptions.all());
        DualEncoder clip = new DualEncoder(imageEncoder(settings.embeddingDim(), settings.seed()),
                textEncoder(vectorizer.vocabularySize(), settings.embeddingDim(), settings.seed() + 1))
                .compile(new Adam(settings.learningRate())).wordDropout(settings.wordDropout()).seed(settings.seed() + 2);
        RandomStream captionRng = RandomStream.seeded(settings.seed() + 3);
        List<EpochReport> reports = new ArrayList<>();
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            long t0 = System.nanoTime();
            Tensor captions = vectorizer.vectorize(descriptions.captions(labels, captionRng));
            History h = clip.fit(images, captions, FitOptions.epochs(1).batchSize(settings.batchSize()).seed(settings.seed() * 1000 + epoch).verbose(0));
            ZeroShot.Report r = ZeroShot.evaluate(clip, vectorizer, descriptions, testImages, test.y());
            EpochReport report = new EpochReport(epoch, h.last("loss"), clip.logScale().value().item(), r, (System.nanoTime() - t0) / 1e9);
            reports.add(report);
            if (onEpoch != null) onEpoch.accept(report);
        }
        return new Result(clip, vectorizer, reports);
    }

    private static Dataset take(Dataset d, int limit) {
        return limit == 0 || limit >= d.size() ? d : d.slice(0, limit);
    }

    private static Tensor scaled(Tensor pixels) {
        return pixels.div(255.0).contiguous();
    }
}
