package dev.myelin.text.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers, the split, the scores and a short training run. */
class GptTrainerTest {
    private static final String TEXT = "In the beginning God created the heaven and the earth. And the earth was without form, and void; "
            + "and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters. ";

    @Test
    void charTokenizerRoundTripsAndNamesUnknownCharacters() {
        CharTokenizer t = new CharTokenizer("abca");
        assertArrayEquals(new int[] {2, 0, 1}, t.encode("cab"));
        assertEquals("cab", t.decode(new int[] {2, 0, 1}));
        assertEquals(3, t.vocabularySize());
        var e = assertThrows(IllegalArgumentException.class, () -> t.encode("abz"));
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("position 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(""));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {3}));
    }

    @Test
    void splitKeepsTheLastTenthForValidation() {
        String[] parts = TokenData.split("0123456789abcdefghij", 0.1);
        assertEquals("0123456789abcdefgh", parts[0]);
        assertEquals("ij", parts[1]);
        assertThrows(IllegalArgumentException.class, () -> TokenData.split("", 0.1), "empty text");
        assertThrows(IllegalArgumentException.class, () -> TokenData.split("abc", 1.0));
        CharTokenizer chars = new CharTokenizer(TEXT);
        String[] p = TokenData.split(TEXT, 0.1);
        TokenData data = TokenData.of(chars, p[0], p[1]);
        assertEquals(p[1].length() - 1, data.validationCharacters());
        Tokenizer bpe = Tokenizer.bpe(List.of(p[0]), 300);
        TokenData bytes = TokenData.of(bpe, p[0], p[1]);
        assertEquals(p[1], bpe.decode(bytes.validation()));
        assertEquals(bpe.decode(java.util.Arrays.copyOfRange(bytes.validation(), 1, bytes.validation().length)).length(), bytes.validationCharacters());
    }

    @Test
    void writesTheIdsForThePyTorchTwin(@TempDir Path dir) throws Exception {
        CharTokenizer chars = new CharTokenizer("abcd");
        TokenData data = TokenData.of(chars, "abcab", "dca");
        data.write(dir.resolve("ids.txt"));
        assertEquals(List.of("vocabulary_size 4", "validation_characters 2", "0 1 2 0 1", "3 2 0"), Files.readAllLines(dir.resolve("ids.txt")));
    }

    /** The score is the mean cross-entropy of every validation token after the first, each from its window; bits per character follow. */
    @Test
    void scoresEveryValidationTokenOnce() {
        CharTokenizer chars = new CharTokenizer(TEXT);
        String[] p = TokenData.split(TEXT, 0.3);
        TokenData data = TokenData.of(chars, p[0], p[1]);
        GptModel gpt = new GptModel(new GptConfig(chars.vocabularySize(), 16, 16, 2, 1, 32, 0, 1e-5), 4);
        GptTrainer.Score s = new GptTrainer(gpt, data).batchSize(2).evaluate(data.validation(), data.validationCharacters());
        int[] v = data.validation();
        assertEquals(v.length - 1, s.tokens());
        double nats = 0;
        try (var _ = NoGrad.scope()) {
            for (int start = 0; start < v.length - 1; start += 16) {
                int len = Math.min(16, v.length - 1 - start);
                float[] x = new float[len], y = new float[len];
                for (int j = 0; j < len; j++) {
                    x[j] = v[start + j];
                    y[j] = v[start + j + 1];
                }
                nats += gpt.loss(Tensor.of(x, 1, len), Tensor.of(y, 1, len), false).item() * len;
            }
        }
        assertEquals(nats / (v.length - 1), s.loss(), 1e-5);
        assertEquals(Math.exp(s.loss()), s.perplexity(), 1e-9);
        assertEquals(nats / Math.log(2) / data.validationCharacters(), s.bitsPerCharacter(), 1e-4);
    }

    @Test
    void trainingLowersTheValidationLoss() {
        String text = TEXT.repeat(6);
        CharTokenizer chars = new CharTokenizer(text);
        String[] p = TokenData.split(text, 0.1);
        TokenData data = TokenData.of(chars, p[0], p[1]);
        GptModel gpt = new GptModel(new GptConfig(chars.vocabularySize(), 32, 32, 4, 2, 64, 0, 1e-5), 1);
        GptTrainer trainer = new GptTrainer(gpt, data).batchSize(8).learningRate(5e-3).seed(5);
        double before = trainer.evaluate(data.validation(), data.validationCharacters()).loss();
        List<GptTrainer.EpochReport> reports = trainer.fit(15, null);
        assertEquals(15, reports.size());
        double after = reports.get(14).validation().loss();
        assertTrue(before > Math.log(chars.vocabularySize()) - 0.5, "untrained: about uniform, " + before);
        assertTrue(after < 0.6 * before, "validation loss " + before + " -> " + after);
        assertTrue(reports.get(14).trainLoss() < reports.get(0).trainLoss());
    }

    @Test
    void badSetupsAreClearErrors() {
        CharTokenizer chars = new CharTokenizer(TEXT);
        String[] p = TokenData.split(TEXT, 0.1);
        TokenData data = TokenData.of(chars, p[0], p[1]);
        GptModel small = new GptModel(new GptConfig(chars.vocabularySize() - 1, 16, 16, 2, 1, 32, 0, 1e-5), 4);
        assertThrows(IllegalArgumentException.class, () -> new GptTrainer(small, data), "a vocabulary smaller than the tokenizer's");
        GptModel wide = new GptModel(new GptConfig(chars.vocabularySize(), 1024, 16, 2, 1, 32, 0, 1e-5), 4);
        assertThrows(IllegalArgumentException.class, () -> new GptTrainer(wide, data), "a context longer than the text");
        assertThrows(IllegalArgumentException.class, () -> TokenData.of(chars, p[0], "a"), "a validation text of one token");
    }
}
