package dev.myelin.text.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.SnapshotFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GPT and its tokenizer through a model file: the same logits and generated tokens after loading, and clear errors for bad files. */
class GptFileTest {
    private static final String TEXT = "In the beginning God created the heaven and the earth. And the earth was without form, and void.";

    @TempDir
    Path dir;

    private static Tensor ids(int[] ids) {
        float[] x = new float[ids.length];
        for (int i = 0; i < ids.length; i++) x[i] = ids[i];
        return Tensor.of(x, 1, ids.length);
    }

    private static void assertSameModel(GptModel expected, GptModel actual, int[] prompt) {
        assertEquals(expected.config(), actual.config());
        try (var _ = NoGrad.scope()) {
            assertArrayEquals(expected.logits(ids(prompt), false).toFloatArray(), actual.logits(ids(prompt), false).toFloatArray());
        }
        Sampler sampler = new Sampler(0.8, 5, null);
        int[] a = expected.generate(prompt, 30, sampler, RandomGeneratorFactory.of("L64X128MixRandom").create(7), true);
        int[] b = actual.generate(prompt, 30, sampler, RandomGeneratorFactory.of("L64X128MixRandom").create(7), true);
        assertArrayEquals(a, b, "the same tokens are generated after loading");
    }

    @Test
    void aCharacterGptRoundTripsWithItsTokenizer() throws Exception {
        Tokenizer tok = new CharTokenizer(TEXT);
        GptModel gpt = new GptModel(new GptConfig(tok.vocabularySize(), 16, 12, 3, 2, 20, 0.1, 1e-5), 5);
        new GptTrainer(gpt, TokenData.of(tok, TEXT.substring(0, 80), TEXT.substring(80))).batchSize(4).seed(1).fit(1, r -> {});
        Path file = dir.resolve("gpt.myelin");
        gpt.save(file, tok);
        GptModel loaded = GptModel.load(file);
        assertSameModel(gpt, loaded, tok.encode("In the"));
        Tokenizer again = GptModel.loadTokenizer(file).orElseThrow();
        assertEquals(tok.describe(), again.describe());
        assertArrayEquals(tok.encode(TEXT), again.encode(TEXT));
        assertEquals(TEXT, again.decode(again.encode(TEXT)));
    }

    @Test
    void aBpeGptRoundTripsWithItsTokenizer() throws Exception {
        Tokenizer tok = Tokenizer.bpe(List.of(TEXT), 270);
        GptModel gpt = new GptModel(GptConfig.of(tok.vocabularySize(), 8, 8, 2, 1), 3);
        Path file = dir.resolve("bpe.myelin");
        gpt.save(file, tok);
        assertSameModel(gpt, GptModel.load(file), tok.encode("the earth"));
        Tokenizer again = GptModel.loadTokenizer(file).orElseThrow();
        assertEquals(tok.vocabularySize(), again.vocabularySize());
        assertArrayEquals(tok.encode(TEXT), again.encode(TEXT));
    }

    @Test
    void withoutATokenizerThereIsNone() throws Exception {
        GptModel gpt = new GptModel(GptConfig.of(11, 6, 8, 2, 1), 3);
        Path file = dir.resolve("bare.myelin");
        gpt.save(file, null);
        assertSameModel(gpt, GptModel.load(file), new int[] {1, 2, 3});
        assertFalse(GptModel.loadTokenizer(file).isPresent());
    }

    @Test
    void aTokenizerOfAnotherSizeIsRefusedBeforeWriting() {
        GptModel gpt = new GptModel(GptConfig.of(11, 6, 8, 2, 1), 3);
        Path file = dir.resolve("never.myelin");
        var e = assertThrows(IllegalArgumentException.class, () -> gpt.save(file, new CharTokenizer("abc")));
        assertTrue(e.getMessage().contains("3 ids") && e.getMessage().contains("11"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void otherModelFilesAndBadFilesAreClearErrors() throws Exception {
        GptModel gpt = new GptModel(GptConfig.of(11, 6, 8, 2, 1), 3);
        Path file = dir.resolve("gpt.myelin");
        gpt.save(file, null);
        var notModel = assertThrows(FileFormatException.class, () -> Model.load(file));
        assertTrue(notModel.getMessage().contains("GptModel.load"), notModel.getMessage());

        Map<String, byte[]> entries = ZipArchive.read(file, SnapshotFile.limits(List.of("metadata.json", "config.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = new LinkedHashMap<>((Map<String, Object>) Json.parse(new String(entries.get("config.json"), StandardCharsets.UTF_8)));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) tree.get("config"));
        tree.put("config", config);

        config.put("width", 12L); // the weights are for width 8
        var shape = assertThrows(FileFormatException.class, () -> GptModel.load(rewrite(entries, tree, "wide.myelin")));
        assertTrue(shape.getMessage().contains("gpt/token_embedding/embeddings") && shape.getMessage().contains("shape"), shape.getMessage());

        config.put("width", 8L);
        config.put("num_heads", 3L);
        var heads = assertThrows(FileFormatException.class, () -> GptModel.load(rewrite(entries, tree, "heads.myelin")));
        assertTrue(heads.getMessage().contains("does not divide"), heads.getMessage());

        config.put("num_heads", 2L);
        config.put("num_layers", 2L); // block_1's weights are missing
        var missing = assertThrows(FileFormatException.class, () -> GptModel.load(rewrite(entries, tree, "deeper.myelin")));
        assertTrue(missing.getMessage().contains("no weight 'gpt/block_1"), missing.getMessage());

        config.put("num_layers", 1L);
        config.put("tokenizer", Map.of("type", "words"));
        var tokenizer = assertThrows(FileFormatException.class, () -> GptModel.load(rewrite(entries, tree, "words.myelin")));
        assertTrue(tokenizer.getMessage().contains("\"char\" or \"bpe\""), tokenizer.getMessage());

        config.put("tokenizer", Map.of("type", "char", "symbols", "abc"));
        var size = assertThrows(FileFormatException.class, () -> GptModel.load(rewrite(entries, tree, "small.myelin")));
        assertTrue(size.getMessage().contains("3 ids") && size.getMessage().contains("vocabulary_size is 11"), size.getMessage());
    }

    private Path rewrite(Map<String, byte[]> entries, Map<String, Object> tree, String name) throws Exception {
        Map<String, byte[]> copy = new LinkedHashMap<>(entries);
        copy.put("config.json", Json.write(tree).getBytes(StandardCharsets.UTF_8));
        Path out = dir.resolve(name);
        ZipArchive.write(out, copy);
        return out;
    }
}
