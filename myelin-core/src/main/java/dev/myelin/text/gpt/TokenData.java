package dev.myelin.text.gpt;

import dev.myelin.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A text as token ids for a language model: its first part for training, its end for validation. The
 * split is by characters (the last {@code validationFraction} of the text), before tokenizing, so every
 * tokenizer is scored on the same validation text; {@link #validationCharacters} counts the characters of
 * the validation tokens that are predicted (all but the first), the denominator of bits per character.
 *
 * @param tokenizer            the tokenizer that produced the ids
 * @param train                the training text's ids
 * @param validation           the validation text's ids
 * @param validationCharacters characters of {@code decode(validation[1..])}
 */
public record TokenData(Tokenizer tokenizer, int[] train, int[] validation, int validationCharacters) {
    public TokenData {
        Objects.requireNonNull(tokenizer);
        if (train.length < 2 || validation.length < 2) {
            throw new IllegalArgumentException("a language model needs at least 2 training and 2 validation tokens, got " + train.length + " and "
                    + validation.length);
        }
    }

    /** The texts before and after the split point: {@code [train, validation]}, the validation part the last {@code validationFraction} of the characters. */
    public static String[] split(String text, double validationFraction) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("the text is empty: a language model needs text to train on");
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("the validation fraction must be in (0, 1), got " + validationFraction);
        }
        int cut = text.length() - (int) Math.round(text.length() * validationFraction);
        return new String[] {text.substring(0, cut), text.substring(cut)};
    }

    /** The ids of {@code trainText} and {@code validationText} under {@code tokenizer}. */
    public static TokenData of(Tokenizer tokenizer, String trainText, String validationText) {
        int[] validation = tokenizer.encode(validationText);
        int characters = validation.length < 2 ? 0 : tokenizer.decode(Arrays.copyOfRange(validation, 1, validation.length)).length();
        return new TokenData(tokenizer, tokenizer.encode(trainText), validation, characters);
    }

    /**
     * Writes the ids for another framework to read (the PyTorch twin {@code torch_gpt.py}): four lines,
     * {@code vocabulary_size N}, {@code validation_characters N}, then the training ids and the validation
     * ids, each space-separated.
     */
    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("vocabulary_size ").append(tokenizer.vocabularySize()).append('\n');
        sb.append("validation_characters ").append(validationCharacters).append('\n');
        appendIds(sb, train);
        appendIds(sb, validation);
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static void appendIds(StringBuilder sb, int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) sb.append(' ');
            sb.append(ids[i]);
        }
        sb.append('\n');
    }
}
