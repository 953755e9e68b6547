package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizer / vectorizer, the labelled-folder loader, temperature sampling and a tiny character model. */
class TextTest {
    @Test
    void vectorizerBuildsKerasStyleVocabulary() {
        var v = new TextVectorizer().sequenceLength(5);
        v.adapt(List.of("The cat sat.", "the dog SAT"));
        // padding, OOV, then by frequency (ties alphabetical)
        assertEquals(List.of("", "[UNK]", "sat", "the", "cat", "dog"), v.vocabulary());
        assertArrayEquals(new int[] {3, 1, 2, 0, 0}, v.encode("The bird sat!"));
        assertEquals("the [UNK] sat", v.decode(v.encode("The bird sat!")));
        Tensor t = v.vectorize(List.of("cat", "dog dog dog dog dog dog"));
        assertEquals(Shape.of(2, 5), t.shape());
        assertArrayEquals(new double[] {4, 0, 0, 0, 0, 5, 5, 5, 5, 5}, t.toDoubleArray()); // padded, truncated

        var small = new TextVectorizer().maxTokens(4);
        small.adapt(List.of("a a a b b c"));
        assertEquals(List.of("", "[UNK]", "a", "b"), small.vocabulary());
        assertArrayEquals(new int[] {2, 3, 1}, small.encode("a b c"));

        var chars = new TextVectorizer().split(TextVectorizer.Split.CHARACTER).standardize(TextVectorizer.Standardize.NONE);
        chars.adapt(List.of("abba"));
        assertArrayEquals(new int[] {2, 3, 3, 2, 1}, chars.encode("abbaz"));
        assertEquals("abba", chars.decode(new int[] {2, 3, 3, 2, 0}));

        assertThrows(IllegalStateException.class, () -> new TextVectorizer().encode("x"));
        assertThrows(IllegalArgumentException.class, () -> v.decode(new int[] {6}));
    }

    @Test
    void loadsOneSubfolderPerClass(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("pos"));
        Files.createDirectories(dir.resolve("neg/nested"));
        Files.writeString(dir.resolve("pos/a.txt"), "great film");
        Files.writeString(dir.resolve("pos/b.txt"), "loved it");
        Files.writeString(dir.resolve("neg/nested/c.txt"), "boring");
        LabelledTexts data = LabelledTexts.fromDirectory(dir);
        assertEquals(List.of("neg", "pos"), data.classNames());
        assertEquals(List.of("boring", "great film", "loved it"), data.texts());
        assertArrayEquals(new int[] {0, 1, 1}, data.labels());
        assertArrayEquals(new double[] {0, 1, 1}, data.labelTensor().toDoubleArray());
        LabelledTexts shuffled = data.shuffled(7);
        assertEquals(3, shuffled.size());
        for (int i = 0; i < 3; i++) assertEquals(data.texts().indexOf(shuffled.texts().get(i)) == 0 ? 0 : 1, shuffled.labels()[i]);

        var e = assertThrows(IOException.class, () -> LabelledTexts.fromDirectory(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        Path flat = Files.createDirectories(dir.resolve("flat-only"));
        Files.writeString(flat.resolve("x.txt"), "x");
        e = assertThrows(IOException.class, () -> LabelledTexts.fromDirectory(flat));
        assertTrue(e.getMessage().contains("no class subfolders"), e.getMessage());
    }

    @Test
    void temperatureSampling() {
        float[] p = {0.1f, 0.6f, 0.3f};
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(1);
        assertEquals(1, CharLanguageModel.sample(p, 0, rng));
        int[] counts = new int[3], cold = new int[3];
        for (int i = 0; i < 20_000; i++) {
            counts[CharLanguageModel.sample(p, 1.0, rng)]++;
            cold[CharLanguageModel.sample(p, 0.1, rng)]++;
        }
        for (int k = 0; k < 3; k++) assertEquals(p[k], counts[k] / 20_000.0, 0.015, "T = 1 samples the distribution");
        assertTrue(cold[1] > 19_900, "T = 0.1 is nearly greedy: " + cold[1]); // (0.3/0.6)^10 ≈ 0.001
        RandomGenerator a = RandomGeneratorFactory.of("L64X128MixRandom").create(5), b = RandomGeneratorFactory.of("L64X128MixRandom").create(5);
        for (int i = 0; i < 100; i++) assertEquals(CharLanguageModel.sample(p, 0.8, a), CharLanguageModel.sample(p, 0.8, b));
        assertThrows(IllegalArgumentException.class, () -> CharLanguageModel.sample(p, -1, rng));
    }

    @Test
    void characterModelLearnsARepeatingText() {
        String text = "hello world. ".repeat(30);
        var lm = new CharLanguageModel(text, 8, 8, 24).learningRate(0.02).seed(1).verbose(0);
        History h = lm.fit(8, 16, 1);
        List<Double> loss = h.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.5 * loss.get(0), "loss falls: " + loss);
        String out = lm.generate("hello wo", 24, 0.2, RandomGeneratorFactory.of("L64X128MixRandom").create(3));
        assertTrue(out.startsWith("hello wo") && out.substring(8).contains("hello"), out);
        var e = assertThrows(IllegalArgumentException.class, () -> lm.generate("xyz", 3, 0.5, RandomGenerator.getDefault()));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
}
