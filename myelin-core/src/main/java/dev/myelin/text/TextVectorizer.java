package dev.myelin.text;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns text into integer token ids, as Keras's {@code TextVectorization} with {@code output_mode="int"}:
 * standardize (lower-case, strip punctuation), split (on whitespace, or into characters), look each token
 * up in a vocabulary built by {@link #adapt}, and pad with 0 or truncate to a fixed length.
 *
 * <p>Ids: 0 is padding ({@code ""}), 1 is the out-of-vocabulary token ({@code "[UNK]"}), then the
 * vocabulary's tokens by decreasing frequency (ties in alphabetical order). {@code maxTokens} bounds the
 * vocabulary size including those two, as Keras's {@code max_tokens}.
 *
 * <p>Example:
 * <pre>{@code
 * var v = new TextVectorizer().maxTokens(10_000).sequenceLength(200);
 * v.adapt(trainTexts);
 * Tensor ids = v.vectorize(trainTexts);          // [n, 200], for new Embedding(v.vocabularySize(), 64).maskZero(true)
 * }</pre>
 */
public final class TextVectorizer {
    /** The longest {@link #sequenceLength} accepted: far beyond any text model, and small enough to catch a typo. */
    public static final int MAX_SEQUENCE_LENGTH = 1 << 20;

    /** How text is normalized before splitting. */
    public enum Standardize { NONE, LOWER, LOWER_AND_STRIP_PUNCTUATION }

    /** How standardized text is cut into tokens. */
    public enum Split { WHITESPACE, CHARACTER }

    public static final int PAD = 0;
    public static final int OOV = 1;
    public static final String OOV_TOKEN = "[UNK]";
    private static final Pattern PUNCTUATION = Pattern.compile("[!\"#$%&()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~']");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private int maxTokens;
    private int sequenceLength;
    private Standardize standardize = Standardize.LOWER_AND_STRIP_PUNCTUATION;
    private Split split = Split.WHITESPACE;
    private List<String> vocabulary = List.of();
    private Map<String, Integer> ids = Map.of();

    /** Largest vocabulary, padding and OOV included (0: unlimited). */
    public TextVectorizer maxTokens(int value) {
        if (value != 0 && value < 3) throw new IllegalArgumentException("maxTokens must be 0 (unlimited) or at least 3, got " + value);
        this.maxTokens = value;
        return this;
    }

    /** Pad with 0 or truncate every text to this many tokens (0: {@link #vectorize} pads to the longest text). */
    public TextVectorizer sequenceLength(int value) {
        if (value < 0) throw new IllegalArgumentException("sequenceLength must be >= 0, got " + value);
        if (value > MAX_SEQUENCE_LENGTH) {
            throw new IllegalArgumentException("sequenceLength " + value + " is beyond any text model (at most " + MAX_SEQUENCE_LENGTH
                    + "; each text becomes a row of that many ids)");
        }
        this.sequenceLength = value;
        return this;
    }

    public TextVectorizer standardize(Standardize value) {
        this.standardize = value;
        return this;
    }

    public TextVectorizer split(Split value) {
        this.split = value;
        return this;
    }

    /** Builds the vocabulary from {@code texts}, replacing any earlier one. */
    public TextVectorizer adapt(Collection<String> texts) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) for (String token : tokens(text)) counts.merge(token, 1, Integer::sum);
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : b.getValue() - a.getValue());
        List<String> vocab = new ArrayList<>(List.of("", OOV_TOKEN));
        for (Map.Entry<String, Integer> e : entries) {
            if (maxTokens > 0 && vocab.size() >= maxTokens) break;
            vocab.add(e.getKey());
        }
        setVocabulary(vocab.subList(2, vocab.size()));
        return this;
    }

    /** Uses {@code tokens} (without padding and OOV, which get ids 0 and 1) as the vocabulary. */
    public TextVectorizer setVocabulary(List<String> tokens) {
        List<String> vocab = new ArrayList<>(List.of("", OOV_TOKEN));
        vocab.addAll(tokens);
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            if (map.putIfAbsent(vocab.get(i), i) != null) throw new IllegalArgumentException("vocabulary repeats the token '" + vocab.get(i) + "'");
        }
        this.vocabulary = List.copyOf(vocab);
        this.ids = map;
        return this;
    }

    /** The vocabulary, index = id: {@code ["", "[UNK]", most frequent, ...]}. */
    public List<String> vocabulary() {
        return Collections.unmodifiableList(vocabulary);
    }

    /** Number of ids (the {@code inputDim} of an Embedding). */
    public int vocabularySize() {
        return vocabulary.size();
    }

    /** The standardized tokens of {@code text}. */
    public List<String> tokens(String text) {
        String s = switch (standardize) {
            case NONE -> text;
            case LOWER -> text.toLowerCase(Locale.ROOT);
            case LOWER_AND_STRIP_PUNCTUATION -> PUNCTUATION.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("");
        };
        List<String> out = new ArrayList<>();
        if (split == Split.CHARACTER) {
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        } else {
            for (String t : WHITESPACE.split(s.strip())) if (!t.isEmpty()) out.add(t);
        }
        return out;
    }

    /** The id of one token ({@link #OOV} when unknown). */
    public int id(String token) {
        return ids.getOrDefault(token, OOV);
    }

    /** Ids of {@code text}'s tokens, padded with 0 or truncated to {@code sequenceLength} if one is set. */
    public int[] encode(String text) {
        requireVocabulary();
        List<String> tokens = tokens(text);
        int n = sequenceLength > 0 ? sequenceLength : tokens.size();
        int[] out = new int[n];
        for (int i = 0; i < Math.min(n, tokens.size()); i++) out[i] = id(tokens.get(i));
        return out;
    }

    /** Tokens of {@code ids} joined by spaces (characters joined directly), padding skipped. */
    public String decode(int[] tokenIds) {
        StringBuilder sb = new StringBuilder();
        for (int id : tokenIds) {
            if (id < 0 || id >= vocabulary.size()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabulary.size() + ")");
            if (id == PAD) continue;
            if (split == Split.WHITESPACE && !sb.isEmpty()) sb.append(' ');
            sb.append(vocabulary.get(id));
        }
        return sb.toString();
    }

    /** {@code [texts, length]} ids (float32, as layers take them), padded with 0 at the end or truncated. */
    public Tensor vectorize(List<String> texts) {
        requireVocabulary();
        List<int[]> rows = new ArrayList<>();
        int length = sequenceLength;
        for (String t : texts) {
            int[] r = encode(t);
            rows.add(r);
            length = Math.max(length, r.length);
        }
        length = Math.max(length, 1);
        int count = MemoryCheck.elementCount("TextVectorizer.vectorize: " + texts.size() + " texts × " + length + " ids", texts.size(), length);
        MemoryCheck.requireAvailable("TextVectorizer.vectorize: " + texts.size() + " texts × " + length + " ids", (long) count * Float.BYTES);
        float[] data = new float[count];
        for (int i = 0; i < rows.size(); i++) {
            int[] r = rows.get(i);
            for (int j = 0; j < r.length; j++) data[i * length + j] = r[j];
        }
        return Tensor.of(data, texts.size(), length);
    }

    private void requireVocabulary() {
        if (vocabulary.isEmpty()) throw new IllegalStateException("TextVectorizer has no vocabulary; call adapt(texts) or setVocabulary(tokens) first");
    }
}
