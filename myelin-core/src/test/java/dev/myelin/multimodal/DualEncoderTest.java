package dev.myelin.multimodal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.Backends;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.RandomStream;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.text.TextVectorizer;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A dual encoder on a synthetic paired task: "images" are noisy vectors near one of four class prototypes,
 * texts are descriptions of their class. Training lowers InfoNCE and the encoders then classify zero-shot.
 */
class DualEncoderTest {
    private static final ClassDescriptions DESCRIPTIONS = new ClassDescriptions(List.of(
            List.of("a red circle", "something round and red"),
            List.of("a blue square", "a square that is blue"),
            List.of("a green triangle", "three green corners"),
            List.of("a yellow star", "a bright yellow star shape")));

    private static TextVectorizer vectorizer() {
        TextVectorizer v = new TextVectorizer().sequenceLength(6);
        v.adapt(DESCRIPTIONS.all());
        return v;
    }

    private static DualEncoder encoder(TextVectorizer v, long seed) {
        Model image = new Sequential(new Dense(16, Activation.RELU).inputShape(6), new Dense(8)).seed(seed);
        Model text = new Sequential(new Embedding(v.vocabularySize(), 8).maskZero(true).inputShape(6), new GlobalAveragePooling1D(), new Dense(8)).seed(seed + 1);
        return new DualEncoder(image, text).compile(new Adam(0.01)).wordDropout(0.2).seed(seed + 2);
    }

    /** n images of random classes: prototype (one-hot over 4 of the 6 features, scaled by 2) plus N(0, 0.3²) noise. */
    private static Tensor images(int[] labels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[labels.length * 6];
        for (int i = 0; i < labels.length; i++) {
            for (int j = 0; j < 6; j++) v[i * 6 + j] = 0.3 * r.nextDouble(-1.7, 1.7);
            v[i * 6 + labels[i]] += 2;
        }
        return Tensor.of(v, labels.length, 6).to(dev.myelin.backend.DType.FLOAT32);
    }

    private static int[] labels(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(4);
        return y;
    }

    private static Tensor labelTensor(int[] y) {
        double[] d = new double[y.length];
        for (int i = 0; i < y.length; i++) d[i] = y[i];
        return Tensor.of(d, y.length);
    }

    @Test
    void trainsAndClassifiesZeroShot() {
        TextVectorizer v = vectorizer();
        DualEncoder clip = encoder(v, 5);
        int[] y = labels(256, 1);
        Tensor x = images(y, 2);
        Tensor texts = v.vectorize(DESCRIPTIONS.captions(y, RandomStream.seeded(3)));
        int[] yTest = labels(200, 4);
        Tensor xTest = images(yTest, 5);
        ZeroShot.Report before = ZeroShot.evaluate(clip, v, DESCRIPTIONS, xTest, labelTensor(yTest));
        History h = clip.fit(x, texts, FitOptions.epochs(12).batchSize(32).seed(6).verbose(0));
        List<Double> loss = h.get("loss");
        // about 8 of a batch's 32 pairs share a class (and so a description): the loss cannot go below about ln 8 = 2.08
        assertTrue(loss.getLast() < 0.7 * loss.getFirst() && loss.getLast() < 2.4, "InfoNCE should fall towards ln 8: " + loss);
        ZeroShot.Report after = ZeroShot.evaluate(clip, v, DESCRIPTIONS, xTest, labelTensor(yTest));
        assertTrue(after.accuracy() >= 0.9, "zero-shot accuracy " + after + " (before training " + before + ")");
        assertTrue(after.recallAt5() >= after.recallAt1() && after.recallAt1() >= 0.85, after.toString());
        assertEquals(8, after.galleryTexts());
        assertNotEquals(InfoNce.INITIAL_LOG_SCALE, clip.logScale().value().item(), "the temperature is learned");
        assertTrue(h.get("logit_scale").size() == 12);
    }

    @Test
    void seededRunsRepeatOnAnyThreadCount() {
        TextVectorizer v = vectorizer();
        int[] y = labels(64, 1);
        Tensor x = images(y, 2);
        Tensor texts = v.vectorize(DESCRIPTIONS.captions(y, RandomStream.seeded(3)));
        int saved = Backends.threads();
        try {
            Backends.setThreads(1);
            double[] first = encoder(v, 9).fit(x, texts, FitOptions.epochs(2).batchSize(16).seed(1).verbose(0)).get("loss").stream().mapToDouble(d -> d).toArray();
            Backends.setThreads(2);
            double[] second = encoder(v, 9).fit(x, texts, FitOptions.epochs(2).batchSize(16).seed(1).verbose(0)).get("loss").stream().mapToDouble(d -> d).toArray();
            assertArrayEquals(first, second, "the same seed gives the same losses, on 1 thread and on 2");
        } finally {
            Backends.setThreads(saved);
        }
    }

    @Test
    void badInput() {
        TextVectorizer v = vectorizer();
        DualEncoder clip = encoder(v, 1);
        int[] y = labels(10, 1);
        Tensor texts = v.vectorize(DESCRIPTIONS.captions(y, RandomStream.seeded(3)));
        var counts = assertThrows(IllegalArgumentException.class, () -> clip.fit(images(labels(9, 1), 2), texts, FitOptions.epochs(1)));
        assertTrue(counts.getMessage().contains("9 images but 10 texts"), counts.getMessage());
        var batch = assertThrows(IllegalArgumentException.class, () -> clip.fit(images(y, 2), texts, FitOptions.epochs(1).batchSize(1)));
        assertTrue(batch.getMessage().contains("at least 2"), batch.getMessage());
        var one = assertThrows(IllegalArgumentException.class, () -> clip.trainStep(List.of(images(new int[] {0}, 2), texts.slice(0, 0, 1)), List.of()));
        assertTrue(one.getMessage().contains("at least 2 pairs"), one.getMessage());
        var step = assertThrows(IllegalArgumentException.class, () -> clip.trainStep(List.of(images(y, 2), texts.slice(0, 0, 4)), List.of()));
        assertTrue(step.getMessage().contains("10 images but 4 texts"), step.getMessage());
        Model wide = new Sequential(new Dense(5).inputShape(6));
        var widths = assertThrows(IllegalArgumentException.class, () -> new DualEncoder(wide, clip.textEncoder()));
        assertTrue(widths.getMessage().contains("width 5") && widths.getMessage().contains("in 8"), widths.getMessage());
        var uncompiled = assertThrows(IllegalStateException.class,
                () -> new DualEncoder(new Sequential(new Dense(8).inputShape(6)), clip.textEncoder()).fit(images(y, 2), texts, FitOptions.epochs(1)));
        assertTrue(uncompiled.getMessage().contains("compile"), uncompiled.getMessage());
    }
}
