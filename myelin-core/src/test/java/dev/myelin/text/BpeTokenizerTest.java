package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.TextFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training (against merges worked out by hand and a naive recounting trainer), encoding, decoding, bad input. */
class BpeTokenizerTest {
    private static final Path GENESIS = Path.of("..", "data", "text", "genesis-1-11-kjv.txt");

    private static BpeTrainer quiet(int size) {
        return new BpeTrainer(size).warnWhenSmaller(false);
    }

    private static List<String> genesisLines() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(GENESIS), "the bundled text " + GENESIS.toAbsolutePath() + " is not there");
        return List.of(TextFiles.readUtf8(GENESIS).split("\n"));
    }

    private static List<String> spelled(BpeTokenizer t, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) out.add(t.token(id));
        return out;
    }

    private static List<String> mergeList(BpeTokenizer t) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < t.mergeCount(); r++) out.add(t.token(t.merge(r)[0]) + " " + t.token(t.merge(r)[1]));
        return out;
    }

    @Test
    void smallCorpusMergesAsWorkedOutByHand() {
        // pieces "ab", " ab", " ab", " abc": (a,b) 4 times, then (' ', ab) 3 times, then (ab, c) once < minPairCount 2
        BpeTrainer trainer = quiet(300);
        BpeTokenizer t = trainer.train(List.of("ab ab ab abc"));
        assertEquals(List.of("a b", "Ġ ab"), mergeList(t));
        assertEquals(3 + 256 + 2, t.vocabularySize());
        assertEquals(List.of("<pad>", "<bos>", "<eos>"), t.specialTokens());
        assertEquals(3 + 'a', t.merge(0)[0]); // specials first, then bytes in byte order
        assertEquals(3 + 256, t.merge(0)[2]);
        BpeTrainer.Summary s = trainer.summary();
        assertFalse(s.reachedRequestedSize());
        assertTrue(s.stopReason().contains("occurs 1 time") && s.stopReason().contains("minPairCount 2"), s.stopReason());
        assertEquals(4, s.pieces());
        assertEquals(3, s.distinctPieces());
        assertEquals(List.of("ab", "Ġab", "Ġab", "Ġab", "c"), spelled(t, t.encode("ab ab ab abc")));
    }

    @Test
    void tiesGoToTheSmallestLeftIdThenRightId() {
        // "ab", " cd" twice each: (a,b), (' ',c), (c,d) all count 2; ' ' (32) < 'a' (97) < 'c' (99)
        BpeTokenizer t = quiet(300).specialTokens(List.of()).train(List.of("ab cd", "ab cd"));
        assertEquals(List.of("Ġ c", "a b", "Ġc d"), mergeList(t));
        assertArrayEquals(new int[] {256, 'a', 'b', 32, 'c'}, new int[] {t.merge(0)[2], t.merge(1)[0], t.merge(1)[1], t.merge(0)[0], t.merge(0)[1]});
    }

    @Test
    void repeatedLettersMergeLeftToRight() {
        // "aaaa": (a,a) counts 3 adjacent places; merged left to right it becomes [aa, aa], then (aa, aa) once
        BpeTokenizer t = quiet(300).specialTokens(List.of()).minPairCount(1).train(List.of("aaaa"));
        assertEquals(List.of("a a", "aa aa"), mergeList(t));
        assertEquals(List.of("aaaa"), spelled(t, t.encode("aaaa")));
        assertEquals(List.of("aa", "a"), spelled(t, t.encode("aaa")));
        assertEquals(List.of("aaaa", "a"), spelled(t, t.encode("aaaaa")));
        assertEquals(List.of("aaaa", "aa", "a"), spelled(t, t.encode("aaaaaaa")));
    }

    @Test
    void incrementalTrainingMatchesANaiveRecountingTrainer() throws IOException {
        List<String> texts = genesisLines().subList(0, 120);
        BpeTokenizer t = quiet(3 + 256 + 300).train(texts);
        assertEquals(naiveMerges(texts, 300, 3, 2), mergeList(t));
    }

    @Test
    void resultDoesNotDependOnTextOrder() throws IOException {
        List<String> texts = new ArrayList<>(genesisLines());
        BpeTokenizer a = quiet(800).train(texts);
        Collections.shuffle(texts, new java.util.Random(7));
        BpeTokenizer b = quiet(800).train(texts);
        assertEquals(mergeList(a), mergeList(b));
    }

    @Test
    void reachesTheVocabularySizeAskedFor() throws IOException {
        BpeTrainer trainer = new BpeTrainer(1_000);
        BpeTokenizer t = trainer.train(genesisLines());
        assertEquals(1_000, t.vocabularySize());
        assertTrue(trainer.summary().reachedRequestedSize());
        assertNull(trainer.summary().stopReason());
        assertEquals(1_000 - 256 - 3, t.mergeCount());
        // common words become single tokens
        assertEquals(List.of("And", "ĠGod", "Ġsaid"), spelled(t, t.encode("And God said")));
    }

    @Test
    void encodingMatchesGpt2sLowestRankFirstLoop() throws IOException {
        BpeTokenizer t = quiet(900).train(genesisLines());
        SplittableRandom rng = new SplittableRandom(3);
        String letters = "abdehilmnorstuwAGT ,.'\n";
        for (int k = 0; k < 300; k++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rng.nextInt(60);
            for (int i = 0; i < n; i++) sb.append(letters.charAt(rng.nextInt(letters.length())));
            String text = sb.toString();
            List<Integer> expected = new ArrayList<>();
            PreTokenizer.split(text, (s, e) -> expected.addAll(gpt2Merge(t, text.substring(s, e))));
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), t.encode(text), text);
        }
    }

    @Test
    void roundTripsRandomUnicode() throws IOException {
        BpeTokenizer t = quiet(700).train(genesisLines());
        SplittableRandom rng = new SplittableRandom(11);
        int[][] ranges = {{0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x17F}, {0x300, 0x36F}, {0x400, 0x4FF}, {0x4E00, 0x4FFF}, {0x1F600, 0x1F64F},
            {0x10000, 0x10FFFF}, {0x2000, 0x206F}, {0x0, 0x1F}};
        for (int k = 0; k < 500; k++) {
            StringBuilder sb = new StringBuilder();
            int n = rng.nextInt(40);
            for (int i = 0; i < n; i++) {
                int[] r = ranges[rng.nextInt(ranges.length)];
                int cp = r[0] + rng.nextInt(r[1] - r[0] + 1);
                if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            int[] ids = t.encode(text);
            for (int id : ids) assertFalse(t.isSpecial(id));
            assertEquals(text, t.decode(ids));
        }
    }

    @Test
    void loneSurrogatesBecomeTheReplacementCharacter() {
        BpeTokenizer t = quiet(260).train(List.of("x"));
        assertEquals("a\uFFFDb\uFFFD", t.decode(t.encode("a\uD800b\uDC00")));
        assertEquals("😀", t.decode(t.encode("😀")));
    }

    @Test
    void decodingBrokenUtf8WritesReplacementCharacters() {
        BpeTokenizer t = quiet(260).specialTokens(List.of()).train(List.of("x"));
        int[] ids = t.encode("é"); // two bytes: 0xC3 0xA9
        assertEquals(2, ids.length);
        assertEquals("\uFFFD", t.decode(new int[] {ids[0]}));
    }

    @Test
    void specialTokensAreNeverProducedFromText() {
        BpeTokenizer t = quiet(400).minPairCount(1).train(List.of("<pad> <eos> <pad><pad> x<eos>y"));
        for (int id : t.encode("<pad><eos>")) assertFalse(t.isSpecial(id));
        int eos = t.specialId("<eos>");
        assertEquals(2, eos);
        int[] ids = {t.specialId("<bos>"), t.encode("x")[0], eos};
        assertEquals("<bos>x<eos>", t.decode(ids));
        assertEquals("x", t.decode(ids, true));
        assertThrows(IllegalArgumentException.class, () -> t.specialId("<unk>"));
    }

    @Test
    void vectorizePadsWithPadAndTruncates() {
        BpeTokenizer t = quiet(300).train(List.of("ab ab ab", "cd cd"));
        int ab = t.encode("ab")[0];
        float[] x = t.vectorize(List.of("ab", "ab ab ab ab"), 3).toFloatArray();
        int sp = t.encode(" ab")[0];
        assertArrayEquals(new float[] {ab, 0, 0, ab, sp, sp}, x);
        assertEquals(0, t.specialId("<pad>"));
        var noPad = assertThrows(IllegalStateException.class, () -> quiet(300).specialTokens(List.of("<eos>")).train(List.of("x")).vectorize(List.of("x"), 2));
        assertTrue(noPad.getMessage().contains("<pad>"), noPad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.vectorize(List.of("x"), 0));
    }

    @Test
    void noMergeSpellsASpecialToken() {
        List<String> texts = List.of("<|><|> <|>x<|>");
        List<String> spellings = new ArrayList<>();
        BpeTokenizer plain = quiet(300).minPairCount(1).train(texts);
        for (int id = 0; id < plain.vocabularySize(); id++) spellings.add(plain.token(id));
        assertTrue(spellings.contains("<|>"), "without the special token a merge spells it: " + spellings);
        BpeTokenizer t = quiet(300).specialTokens(List.of("<pad>", "<|>")).minPairCount(1).train(texts);
        for (int id = 2; id < t.vocabularySize(); id++) assertFalse(t.token(id).equals("<|>"), "merge " + id + " spells the special token");
        assertEquals(texts.get(0), t.decode(t.encode(texts.get(0))));
    }

    @Test
    void longPiecesEncodeWithoutQuadraticCost() {
        BpeTokenizer t = quiet(300).train(List.of("abababab ab ab", "   "));
        String word = "ab".repeat(100_000);
        int[] ids = t.encode(word);
        assertEquals(word, t.decode(ids));
        String space = " ".repeat(200_000) + "x";
        assertEquals(space, t.decode(t.encode(space)));
    }

    @Test
    void saveAndLoadGiveTheSameIds(@TempDir Path dir) throws IOException {
        List<String> lines = genesisLines();
        BpeTokenizer t = quiet(900).specialTokens(List.of("<pad>", "<unk>", "<bos>", "<eos>", "<mask token>")).train(lines);
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        BpeTokenizer back = BpeTokenizer.load(file);
        assertEquals(t.vocabularySize(), back.vocabularySize());
        assertEquals(t.specialTokens(), back.specialTokens());
        assertEquals(mergeList(t), mergeList(back));
        for (int id = 0; id < t.vocabularySize(); id++) assertEquals(t.token(id), back.token(id));
        for (String line : lines) assertArrayEquals(t.encode(line), back.encode(line));
        String json = Files.readString(file);
        assertTrue(json.contains("\"type\": \"BPE\"") && json.contains("\"vocab\": {") && json.contains("\"merges\": [\"" + mergeList(t).get(0) + "\", ")
                && json.contains("\"content\": \"<mask token>\""), json.substring(0, 400));
        t.save(file); // overwrites atomically
        assertEquals(json, Files.readString(file));
    }

    @Test
    void badTrainingInputIsRefused() {
        var empty = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(List.of(), 300));
        assertTrue(empty.getMessage().contains("no texts"), empty.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(List.of("x"), 258));
        assertTrue(small.getMessage().contains("258") && small.getMessage().contains("259"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(100));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(BpeTokenizer.MAX_VOCABULARY_SIZE + 1));
        var dup = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300).specialTokens(List.of("<a>", "<a>")));
        assertTrue(dup.getMessage().contains("twice"), dup.getMessage());
        var oneByte = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300).specialTokens(List.of("!")));
        assertTrue(oneByte.getMessage().contains("byte 33"), oneByte.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300).specialTokens(List.of("<\uD800>")));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(300).minPairCount(0));
        var nullText = assertThrows(NullPointerException.class, () -> BpeTokenizer.train(java.util.Arrays.asList("a", null), 300));
        assertTrue(nullText.getMessage().contains("texts[1]"), nullText.getMessage());
    }

    @Test
    void tooFewPairsGiveASmallerVocabularyAndSayWhy() {
        BpeTrainer trainer = new BpeTrainer(4_000).warnWhenSmaller(false).minPairCount(1);
        BpeTokenizer t = trainer.train(List.of("", "ab"));
        assertEquals(3 + 256 + 1, t.vocabularySize());
        assertTrue(trainer.summary().stopReason().contains("no pair"), trainer.summary().stopReason());
        assertEquals(259, BpeTokenizer.train(List.of(""), 300).vocabularySize());
    }

    @Test
    void decodeRefusesIdsOutsideTheVocabulary() {
        BpeTokenizer t = quiet(260).train(List.of("x"));
        var e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {5, t.vocabularySize()}));
        assertTrue(e.getMessage().contains("token id " + t.vocabularySize() + " at position 1") && e.getMessage().contains("[0, 259)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> t.token(259));
        assertArrayEquals(new int[0], t.encode(""));
        assertEquals("", t.decode(new int[0]));
    }

    // ---- files ----

    /** A valid file's JSON tree, to be damaged by each case. */
    private static Map<String, Object> tree(Path dir) throws IOException {
        Path f = dir.resolve("good.json");
        quiet(270).train(List.of("aa bb aa bb cc cc")).save(f);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) deepCopy(dev.myelin.io.Json.parse(Files.readString(f)));
        return m;
    }

    private static Object deepCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, deepCopy(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(deepCopy(x));
            return out;
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> model(Map<String, Object> tree) {
        return (Map<String, Object>) tree.get("model");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> vocab(Map<String, Object> tree) {
        return (Map<String, Object>) model(tree).get("vocab");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> merges(Map<String, Object> tree) {
        return (List<Object>) model(tree).get("merges");
    }

    private static String refused(Path dir, String name, String json) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, json, StandardCharsets.UTF_8);
        var e = assertThrows(IOException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    private static String refused(Path dir, String name, Map<String, Object> tree) throws IOException {
        return refused(dir, name, dev.myelin.io.Json.write(tree));
    }

    @Test
    @SuppressWarnings("unchecked")
    void malformedFilesAreRefusedNamingTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        assertTrue(refused(dir, "broken.json", "{\"model\": ").contains("line 1"));
        assertTrue(refused(dir, "array.json", "[]").contains("not a JSON object"));
        assertTrue(refused(dir, "nomodel.json", "{}").contains("model is missing"));

        var t = tree(dir);
        model(t).put("type", "WordPiece");
        assertTrue(refused(dir, "type.json", t).contains("expected \"BPE\""));

        t = tree(dir);
        t.put("normalizer", Map.of("type", "NFC"));
        assertTrue(refused(dir, "norm.json", t).contains("normalizer"));

        t = tree(dir);
        ((Map<String, Object>) t.get("pre_tokenizer")).put("add_prefix_space", true);
        assertTrue(refused(dir, "prefix.json", t).contains("prefix space"));

        t = tree(dir);
        vocab(t).remove("A");
        assertTrue(refused(dir, "nobyte.json", t).contains("has id"));  // ids no longer 0..n-1

        t = tree(dir);
        vocab(t).put("A", 0L);
        assertTrue(refused(dir, "dupid.json", t).contains("id 0 is given to both"));

        t = tree(dir);
        vocab(t).put("A", -3L);
        assertTrue(refused(dir, "negid.json", t).contains("has id -3"));

        t = tree(dir);
        merges(t).add("zz q");
        assertTrue(refused(dir, "unknown.json", t).contains("'zz' is not in model.vocab"));

        t = tree(dir);
        merges(t).add("abc");
        assertTrue(refused(dir, "nospace.json", t).contains("expected \"left right\""));

        t = tree(dir);
        merges(t).add(merges(t).get(0));
        assertTrue(refused(dir, "repeat.json", t).contains("repeats merge 0"));

        t = tree(dir);
        merges(t).add("b c"); // both known, "bc" is not a token
        assertTrue(refused(dir, "result.json", t).contains("the joined token is not in the vocabulary"));

        t = tree(dir);
        String b = "ĉ"; // byte 9, a tab: rename it so byte 9 has no token
        Object id = vocab(t).remove(b);
        vocab(t).put("€", id); // not a byte character, not special
        assertTrue(refused(dir, "spelling.json", t).contains("not spelled in GPT-2's byte characters"));

        t = tree(dir);
        ((Map<String, Object>) ((List<Object>) t.get("added_tokens")).get(0)).put("id", 5L);
        assertTrue(refused(dir, "added.json", t).contains("added_tokens[0]"));

        Path folder = dir.resolve("folder.json");
        Files.createDirectory(folder);
        assertThrows(IOException.class, () -> BpeTokenizer.load(folder));
        var missing = assertThrows(IOException.class, () -> BpeTokenizer.load(dir.resolve("missing.json")));
        assertTrue(missing.getMessage().contains("missing.json"));
    }

    @Test
    void readsMergesWrittenAsPairsAndFilesWithoutSpecialTokens(@TempDir Path dir) throws IOException {
        var t = tree(dir);
        List<Object> pairs = new ArrayList<>();
        for (Object m : merges(t)) pairs.add(List.of(((String) m).split(" ")));
        model(t).put("merges", pairs);
        Path f = dir.resolve("pairs.json");
        Files.writeString(f, dev.myelin.io.Json.write(t));
        BpeTokenizer back = BpeTokenizer.load(f);
        assertNotNull(back);
        assertEquals("aa bb", back.decode(back.encode("aa bb")));
        assertEquals(quiet(270).train(List.of("aa bb aa bb cc cc")).mergeCount(), back.mergeCount());
    }

    // ---- references ----

    /** GPT-2's encoder: merge every occurrence of the lowest-ranked pair present, left to right, until none has a rank. */
    private static List<Integer> gpt2Merge(BpeTokenizer t, String piece) {
        Map<String, Integer> rank = new HashMap<>();
        for (int r = 0; r < t.mergeCount(); r++) rank.put(t.merge(r)[0] + "," + t.merge(r)[1], r);
        List<Integer> sym = new ArrayList<>();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) sym.add(byteId(t, b));
        while (sym.size() > 1) {
            int best = -1;
            for (int i = 0; i + 1 < sym.size(); i++) {
                Integer r = rank.get(sym.get(i) + "," + sym.get(i + 1));
                if (r != null && (best < 0 || r < best)) best = r;
            }
            if (best < 0) break;
            int[] m = t.merge(best);
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < sym.size(); ) {
                if (i + 1 < sym.size() && sym.get(i) == m[0] && sym.get(i + 1) == m[1]) {
                    out.add(m[2]);
                    i += 2;
                } else {
                    out.add(sym.get(i++));
                }
            }
            sym = out;
        }
        return sym;
    }

    private static int byteId(BpeTokenizer t, byte b) {
        for (int id = 0; id < t.vocabularySize(); id++) {
            byte[] bytes = t.tokenBytes(id);
            if (!t.isSpecial(id) && bytes.length == 1 && bytes[0] == b) return id;
        }
        throw new AssertionError("no token for byte " + b);
    }

    /** Recounts every pair before each merge: the definition the incremental trainer must match. */
    private static List<String> naiveMerges(List<String> texts, int merges, int specials, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) PreTokenizer.split(text, (s, e) -> counts.merge(text.substring(s, e), 1, Integer::sum));
        List<List<Integer>> words = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        List<String> spelling = new ArrayList<>();
        for (int i = 0; i < specials; i++) spelling.add("<special " + i + ">");
        for (int b = 0; b < 256; b++) spelling.add(ByteLevel.spell(new byte[] {(byte) b}));
        counts.forEach((w, f) -> {
            List<Integer> s = new ArrayList<>();
            for (byte b : w.getBytes(StandardCharsets.UTF_8)) s.add(specials + (b & 0xFF));
            words.add(s);
            freq.add(f);
        });
        List<String> out = new ArrayList<>();
        for (int m = 0; m < merges; m++) {
            Map<Long, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<Integer> s = words.get(w);
                for (int j = 0; j + 1 < s.size(); j++) pairs.merge(PairMap.key(s.get(j), s.get(j + 1)), (long) freq.get(w), Long::sum);
            }
            long bestKey = -1, bestCount = 0;
            for (var e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < bestKey)) {
                    bestKey = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (bestCount < minCount) break;
            int a = PairMap.left(bestKey), b = PairMap.right(bestKey), x = spelling.size();
            out.add(spelling.get(a) + " " + spelling.get(b));
            spelling.add(spelling.get(a) + spelling.get(b));
            for (List<Integer> s : words) {
                for (int j = 0; j + 1 < s.size(); j++) {
                    if (s.get(j) == a && s.get(j + 1) == b) {
                        s.set(j, x);
                        s.remove(j + 1);
                    }
                }
            }
        }
        return out;
    }
}
