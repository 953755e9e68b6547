package dev.myelin.text.gpt;

import dev.myelin.text.BpeTokenizer;
import java.util.List;

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
        };
    }
}
