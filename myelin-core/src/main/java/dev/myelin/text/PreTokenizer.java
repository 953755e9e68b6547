package dev.myelin.text;

/**
 * Cuts text into the pieces byte-level BPE merges within, as GPT-2's pattern
 * <pre>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</pre>
 * does (the first alternative that matches at a position wins, each as long as it can): English
 * contractions; a run of letters, of digits or of other symbols, each with at most one leading ASCII space;
 * a run of white space that leaves its last character to the next word; white space at the end.
 * So {@code "Hello world!!  ok"} becomes {@code "Hello", " world", "!!", " ", " ok"}.
 *
 * <p>A hand-written scan over code points, linear in the text's length by construction: no regular
 * expression engine, so no backtracking whose cost depends on the input, and no {@code Matcher} or
 * substring per piece ({@code PreTokenizerTest} checks it against {@code java.util.regex} running the pattern).
 * Classes: letters are {@link Character#isLetter} ({@code \p{L}}), numbers the categories Nd, Nl and No
 * ({@code \p{N}}), white space the Unicode White_Space property ({@code \s} in Python's {@code regex} and in
 * Oniguruma, which Hugging Face's tokenizers use). A lone surrogate counts as a symbol.
 */
final class PreTokenizer {
    /** Receives each piece as the char range {@code [start, end)} of the text. */
    @FunctionalInterface
    interface PieceConsumer {
        void accept(int start, int end);
    }

    private static final int SPACE = 0, LETTER = 1, NUMBER = 2, OTHER = 3;
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

    private PreTokenizer() {}

    /** Calls {@code consumer} with each piece of {@code text} in order; the pieces cover the text. */
    static void split(CharSequence text, PieceConsumer consumer) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            int c = Character.codePointAt(text, i);
            if (c == '\'') {
                int len = contraction(text, i);
                if (len > 0) {
                    consumer.accept(i, i + len);
                    i += len;
                    continue;
                }
            }
            int runStart = i;
            if (c == ' ' && i + 1 < n) {
                int d = Character.codePointAt(text, i + 1);
                if (classOf(d) != SPACE) {
                    runStart = i + 1;
                    c = d;
                }
            }
            int cls = classOf(c);
            if (cls != SPACE) {
                int k = runStart + Character.charCount(c);
                while (k < n) {
                    int d = Character.codePointAt(text, k);
                    if (classOf(d) != cls) break;
                    k += Character.charCount(d);
                }
                consumer.accept(i, k);
                i = k;
                continue;
            }
            // White space: the whole run at the end of the text; else all but its last character (which
            // starts the next piece: " word" takes a space), or the single character when the run is one.
            int k = i, last = i;
            while (k < n) {
                int d = Character.codePointAt(text, k);
                if (classOf(d) != SPACE) break;
                last = k;
                k += Character.charCount(d);
            }
            int end = (k == n || last == i) ? k : last;
            consumer.accept(i, end);
            i = end;
        }
    }

    private static int contraction(CharSequence text, int at) {
        for (String c : CONTRACTIONS) {
            if (at + c.length() > text.length()) continue;
            boolean match = true;
            for (int j = 1; j < c.length() && match; j++) match = text.charAt(at + j) == c.charAt(j);
            if (match) return c.length();
        }
        return 0;
    }

    private static int classOf(int cp) {
        if (isWhiteSpace(cp)) return SPACE;
        if (Character.isLetter(cp)) return LETTER;
        int type = Character.getType(cp);
        if (type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER) return NUMBER;
        return OTHER;
    }

    /** Unicode's White_Space property. */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
