package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BagOfWordsTest {
    private static final List<int[]> DOCS = List.of(new int[] {1, 2, 2, 0, 0}, new int[] {3, 2}, new int[] {});

    @Test
    void multiHotAndCountsIgnorePadding() {
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0}, new BagOfWords(4, BagOfWords.Mode.MULTI_HOT).transform(DOCS).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0}, new BagOfWords(4, BagOfWords.Mode.COUNT).adapt(DOCS).transform(DOCS).toFloatArray());
        assertEquals(List.of(3, 4), List.of(new BagOfWords(4, BagOfWords.Mode.COUNT).transform(DOCS).dim(0), 4));
    }

    @Test
    void tfIdfUsesKerasFormula() {
        BagOfWords bag = new BagOfWords(4, BagOfWords.Mode.TF_IDF).adapt(DOCS);
        // N = 3; df = {1 (padding), 1, 2, 1}; idf = ln(1 + 3 / (1 + df))
        float idf1 = (float) Math.log(1 + 3.0 / 2), idf2 = (float) Math.log(1 + 3.0 / 3);
        assertArrayEquals(new float[] {(float) Math.log(2.5), idf1, idf2, idf1}, bag.idf(), 1e-7f);
        assertArrayEquals(new float[] {0, idf1, 2 * idf2, 0, 0, 0, idf2, idf1, 0, 0, 0, 0}, bag.transform(DOCS).toFloatArray(), 1e-6f);
    }

    @Test
    void badInputIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BagOfWords(3, BagOfWords.Mode.COUNT).transform(List.of(new int[] {1}, new int[] {3})));
        assertTrue(e.getMessage().contains("document 1") && e.getMessage().contains("token id 3"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new BagOfWords(3, BagOfWords.Mode.TF_IDF).transform(DOCS));
        assertThrows(IllegalArgumentException.class, () -> new BagOfWords(3, BagOfWords.Mode.TF_IDF).adapt(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new BagOfWords(0, BagOfWords.Mode.COUNT));
    }
}
