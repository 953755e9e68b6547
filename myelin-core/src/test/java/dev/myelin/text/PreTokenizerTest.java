package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GPT-2's pattern, case by case, each expected list worked out from the regular expression by hand. */
class PreTokenizerTest {
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        PreTokenizer.split(text, (s, e) -> out.add(text.substring(s, e)));
        return out;
    }

    @Test
    void wordsTakeTheirLeadingSpace() {
        assertEquals(List.of("Hello", " world", "!!", " ", " ok"), pieces("Hello world!!  ok"));
        assertEquals(List.of("héllo", " wörld", " 東京"), pieces("héllo wörld 東京"));
    }

    @Test
    void contractionsAreTheirOwnPieces() {
        assertEquals(List.of("don", "'t", " we", "'ll", " see", "'s"), pieces("don't we'll see's"));
        // only lower-case forms, as GPT-2's pattern; " '" is a symbol run with its space
        assertEquals(List.of("DON", "'", "T", " '", "s"), pieces("DON'T 's"));
        assertEquals(List.of("?'", "s"), pieces("?'s"));
    }

    @Test
    void lettersDigitsAndSymbolsSplit() {
        assertEquals(List.of("abc", "123", " 45", "x", "++", " --"), pieces("abc123 45x++ --"));
        assertEquals(List.of("Ⅻ²", " ٣"), pieces("Ⅻ² ٣")); // Nl, No and Nd are all \p{N}
    }

    @Test
    void whiteSpaceRunsLeaveTheirLastCharacterToTheNextWord() {
        assertEquals(List.of("a", "\n", "\n", "b"), pieces("a\n\nb"));
        assertEquals(List.of(" ", " x"), pieces("  x"));
        assertEquals(List.of(" \t", " x"), pieces(" \t x"));
        assertEquals(List.of("x", "  "), pieces("x  "));
        assertEquals(List.of("x", " "), pieces("x "));
        assertEquals(List.of("\u00A0", "x"), pieces("\u00A0x")); // no-break space is white space, but only ' ' joins a word
        assertEquals(List.of(), pieces(""));
    }

    @Test
    void supplementaryCharactersAndLoneSurrogatesStayWhole() {
        String emoji = "😀"; // one code point, two chars: a symbol
        assertEquals(List.of("a", " " + emoji + emoji, " b"), pieces("a " + emoji + emoji + " b"));
        assertEquals(List.of("a", "\uD800", "b"), pieces("a\uD800b"));
    }

    @Test
    void piecesCoverTheText() {
        String text = "It's 2026: the  \"fast\" tokenizer, in\tJava!\r\n  Done.  ";
        assertEquals(text, String.join("", pieces(text)));
    }

    /** GPT-2's pattern itself, with \s as Unicode's White_Space (UNICODE_CHARACTER_CLASS). */
    private static final Pattern GPT2 = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    @Test
    void agreesWithTheRegularExpressionOnRandomText() {
        int[] alphabet = {' ', ' ', ' ', '\n', '\t', '\r', 0xA0, 0x2003, 0x3000, 'a', 'b', 'Z', 'é', 'ß', 'Я', '東', '1', '9', '٣', '²', 'Ⅻ', '\'', 's', 't', 'l', 'r', 'e',
            'v', 'm', 'd', '!', '.', '-', '"', 0x1F600, 0x0301, 0x1C};
        SplittableRandom rng = new SplittableRandom(5);
        for (int k = 0; k < 3000; k++) {
            StringBuilder sb = new StringBuilder();
            int n = rng.nextInt(30);
            for (int i = 0; i < n; i++) sb.appendCodePoint(alphabet[rng.nextInt(alphabet.length)]);
            String text = sb.toString();
            List<String> expected = new ArrayList<>();
            Matcher m = GPT2.matcher(text);
            while (m.find()) expected.add(m.group());
            assertEquals(expected, pieces(text), () -> "text: " + text.codePoints().mapToObj(Integer::toHexString).toList());
        }
    }
}
