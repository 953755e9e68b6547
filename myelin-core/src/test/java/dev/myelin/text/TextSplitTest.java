package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextSplitTest {
    /** Class c has sizes[c] texts named "c:i". */
    private static LabelledTexts corpus(int... sizes) {
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < sizes.length; c++) {
            names.add("class" + c);
            for (int i = 0; i < sizes[c]; i++) {
                texts.add(c + ":" + i);
                labels.add(c);
            }
        }
        return new LabelledTexts(texts, labels.stream().mapToInt(Integer::intValue).toArray(), names);
    }

    @Test
    void everyClassIsSplitInTheSameProportions() {
        LabelledTexts all = corpus(100, 7, 33, 1);
        TextSplit s = TextSplit.stratified(all, 0.1, 0.2, 42);
        // test = round(n * 0.2), validation = round(n * 0.1), train the rest
        assertArrayEquals(new int[] {20, 1, 7, 0}, TextSplit.classCounts(s.test()));
        assertArrayEquals(new int[] {10, 1, 3, 0}, TextSplit.classCounts(s.validation()));
        assertArrayEquals(new int[] {70, 5, 23, 1}, TextSplit.classCounts(s.train()));
        Set<String> seen = new HashSet<>();
        for (LabelledTexts part : List.of(s.train(), s.validation(), s.test())) {
            assertEquals(all.classNames(), part.classNames());
            for (int i = 0; i < part.size(); i++) {
                String t = part.texts().get(i);
                assertEquals(Integer.parseInt(t.substring(0, t.indexOf(':'))), part.labels()[i], "label travels with its text");
                assertEquals(true, seen.add(t), "each text in one set only: " + t);
            }
        }
        assertEquals(all.size(), seen.size());
    }

    @Test
    void theSeedDecides() {
        LabelledTexts all = corpus(50, 50);
        assertEquals(TextSplit.stratified(all, 0.2, 0.2, 1).test().texts(), TextSplit.stratified(all, 0.2, 0.2, 1).test().texts());
        assertNotEquals(TextSplit.stratified(all, 0.2, 0.2, 1).test().texts(), TextSplit.stratified(all, 0.2, 0.2, 2).test().texts());
    }

    @Test
    void badFractionsAreRefused() {
        LabelledTexts all = corpus(5);
        assertThrows(IllegalArgumentException.class, () -> TextSplit.stratified(all, 0.5, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> TextSplit.stratified(all, -0.1, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> TextSplit.stratified(all, Double.NaN, 0.5, 1));
        assertEquals(5, TextSplit.stratified(all, 0, 0, 1).train().size());
    }
}
