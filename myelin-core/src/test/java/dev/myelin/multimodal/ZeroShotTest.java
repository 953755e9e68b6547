package dev.myelin.multimodal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.RandomStream;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recall@k and class prototypes by hand, class descriptions' checks, word dropout. */
class ZeroShotTest {
    /**
     * Three images, a gallery of four texts of classes 0, 0, 1, 2. Image 0 (class 0) ranks its class's text
     * first; image 1 (class 1) ranks it third; image 2 (class 2) second, tied with the text before it.
     */
    @Test
    void recallAtKByHand() {
        int[] gallery = {0, 0, 1, 2};
        double[] sim = {
                0.9, 0.1, 0.2, 0.3,
                0.8, 0.7, 0.5, 0.1,
                0.4, 0.6, 0.1, 0.6};
        int[] classes = {0, 1, 2};
        assertEquals(1 / 3.0, ZeroShot.recallAtK(sim, gallery, classes, 1), 1e-12, "image 2's tie goes to the earlier gallery entry");
        assertEquals(2 / 3.0, ZeroShot.recallAtK(sim, gallery, classes, 2), 1e-12);
        assertEquals(1.0, ZeroShot.recallAtK(sim, gallery, classes, 3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ZeroShot.recallAtK(sim, gallery, classes, 0));
    }

    @Test
    void prototypesAreNormalizedClassMeans() {
        Tensor e = Tensor.of(new double[] {1, 0, 0, 1, 3, 4}, 3, 2);
        double s = Math.sqrt(0.5);
        assertArrayEquals(new double[] {s, s, 0.6, 0.8}, ZeroShot.classPrototypes(e, new int[] {0, 0, 1}, 2).toDoubleArray(), 1e-9);
    }

    @Test
    void classDescriptionsRefuseAnEmptyClass() {
        List<List<String>> texts = new ArrayList<>(List.of(List.of("a cat"), List.of()));
        var e = assertThrows(IllegalArgumentException.class, () -> new ClassDescriptions(texts));
        assertTrue(e.getMessage().contains("class 1 has no description"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClassDescriptions(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ClassDescriptions(List.of(List.of("  "))));
        ClassDescriptions fashion = ClassDescriptions.fashionMnist();
        assertEquals(10, fashion.classes());
        for (int c = 0; c < 10; c++) assertEquals(6, fashion.of(c).size());
        assertEquals(60, fashion.all().size());
        assertEquals(9, fashion.classOfEach()[59]);
        assertThrows(IllegalArgumentException.class, () -> fashion.of(10));
    }

    @Test
    void wordDropoutKeepsOrderAndOneWord() {
        Tensor ids = Tensor.of(new double[] {5, 6, 7, 8, 0, 0, 9, 0, 0, 0, 0, 0}, 2, 6);
        Tensor none = WordDropout.apply(ids, 0, RandomStream.seeded(1));
        assertArrayEquals(ids.toDoubleArray(), none.toDoubleArray());
        for (long seed = 0; seed < 20; seed++) {
            double[] out = WordDropout.apply(ids, 0.9, RandomStream.seeded(seed)).toDoubleArray();
            // row 0: a non-empty, in-order subsequence of 5 6 7 8, left-aligned; row 1: 9 kept; row 2 stays padding
            assertTrue(out[0] != 0, "at least one word kept");
            double last = 0;
            boolean padding = false;
            for (int j = 0; j < 6; j++) {
                if (out[j] == 0) padding = true;
                else {
                    assertTrue(!padding && out[j] > last, "kept words stay in order, left-aligned: " + java.util.Arrays.toString(out));
                    last = out[j];
                }
            }
            assertEquals(9, out[6]);
        }
        double kept = 0;
        Tensor many = Tensor.ones(1000, 4);
        for (double v : WordDropout.apply(many, 0.25, RandomStream.seeded(4)).toDoubleArray()) kept += v;
        assertEquals(3000, kept, 80, "about 75% of 4000 words kept");
    }
}
