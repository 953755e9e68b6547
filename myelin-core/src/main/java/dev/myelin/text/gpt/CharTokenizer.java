package dev.myelin.text.gpt;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One token per character (UTF-16 unit): the ids are the distinct characters of a text in sorted order,
 * {@code 0..n−1}. A character the text did not contain is an error naming it and its position.
 *
 * <p>Example: {@code new CharTokenizer("abca").encode("cab")} is {@code [2, 0, 1]}.
 */
public final class CharTokenizer implements Tokenizer {
    private final char[] symbols;
    private final Map<Character, Integer> ids = new TreeMap<>();

    /** The alphabet of {@code text} (every character it contains). */
    public CharTokenizer(String text) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("a character tokenizer needs a non-empty text to take its alphabet from");
        char[] all = text.toCharArray();
        Arrays.sort(all);
        int n = 0;
        for (int i = 0; i < all.length; i++) if (i == 0 || all[i] != all[i - 1]) all[n++] = all[i];
        symbols = Arrays.copyOf(all, n);
        for (int i = 0; i < n; i++) ids.put(symbols[i], i);
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(text.charAt(i));
            if (id == null) {
                throw new IllegalArgumentException(String.format("the character '%c' (U+%04X) at position %d is not in the tokenizer's alphabet of %d characters",
                        text.charAt(i), (int) text.charAt(i), i, symbols.length));
            }
            out[i] = id;
        }
        return out;
    }

    @Override
    public String decode(int[] tokenIds) {
        StringBuilder sb = new StringBuilder(tokenIds.length);
        for (int id : tokenIds) {
            if (id < 0 || id >= symbols.length) throw new IllegalArgumentException("token id " + id + " is outside [0, " + symbols.length + ")");
            sb.append(symbols[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabularySize() {
        return symbols.length;
    }

    @Override
    public Map<String, Object> toJsonTree() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", "char");
        tree.put("symbols", new String(symbols));
        return tree;
    }

    @Override
    public String describe() {
        return "char (" + symbols.length + " symbols)";
    }
}
