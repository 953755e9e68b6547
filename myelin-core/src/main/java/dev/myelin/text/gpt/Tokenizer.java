package dev.myelin.text.gpt;

import dev.myelin.io.FileFormatException;
import dev.myelin.text.BpeTokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text to token ids and back, for a {@link GptModel}: {@link CharTokenizer} (one id per character) or a
 * byte-level BPE ({@link #bpe}).
 */
public interface Tokenizer {
    /** The ids of {@code text}'s tokens, each in {@code [0, vocabularySize())}. */
    int[] encode(String text);

    /** The text of {@code ids}. */
    String decode(int[] ids);

    /** Number of ids. */
    int vocabularySize();

    /** A short description for reports, such as {@code "char (65 symbols)"}. */
    String describe();

    /**
     * This tokenizer as a JSON tree, for a model file: {@code {"type": "char", "symbols": "..."}} or
     * {@code {"type": "bpe", "tokenizer": TREE}} with TREE Hugging Face's {@code tokenizer.json}.
     */
    Map<String, Object> toJsonTree();

    /**
     * The tokenizer a {@link #toJsonTree} tree describes.
     *
     * @throws FileFormatException naming {@code source} and the field when the tree is malformed
     */
    static Tokenizer fromJsonTree(Object tree, String source) throws FileFormatException {
        if (!(tree instanceof Map<?, ?> m)) throw new FileFormatException(source + ": the tokenizer is not a JSON object");
        Object type = m.get("type");
        if ("char".equals(type)) {
            if (!(m.get("symbols") instanceof String symbols) || symbols.isEmpty()) {
                throw new FileFormatException(source + ": a char tokenizer needs a non-empty string \"symbols\"");
            }
            CharTokenizer tokenizer = new CharTokenizer(symbols);
            if (tokenizer.vocabularySize() != symbols.length()) {
                throw new FileFormatException(source + ": the char tokenizer's \"symbols\" repeat a character");
            }
            return tokenizer;
        }
        if ("bpe".equals(type)) return bpe(BpeTokenizer.fromJsonTree(m.get("tokenizer"), source + ": tokenizer"));
        throw new FileFormatException(source + ": the tokenizer's \"type\" is " + type + ", expected \"char\" or \"bpe\"");
    }

    /** A byte-level BPE of {@code vocabularySize} ids learned from {@code texts} ({@link BpeTokenizer#train}). */
    static Tokenizer bpe(List<String> texts, int vocabularySize) {
        return bpe(BpeTokenizer.train(texts, vocabularySize));
    }

    /** {@code tokenizer} as a {@code Tokenizer}. */
    static Tokenizer bpe(BpeTokenizer tokenizer) {
        return new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return tokenizer.encode(text);
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids);
            }

            @Override
            public int vocabularySize() {
                return tokenizer.vocabularySize();
            }

            @Override
            public String describe() {
                return "byte-level BPE (" + tokenizer.vocabularySize() + " tokens)";
            }

            @Override
            public Map<String, Object> toJsonTree() {
                Map<String, Object> tree = new LinkedHashMap<>();
                tree.put("type", "bpe");
                tree.put("tokenizer", tokenizer.toJsonTree());
                return tree;
            }
        };
    }
}
