package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.Dataset;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassSelectionTest {
    @Test
    void readsRangesAndListsInOrder() {
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, ClassSelection.parse("--classes", "5-9").ids());
        assertArrayEquals(new int[] {7, 0, 1, 2}, ClassSelection.parse("--classes", "7, 0-2").ids());
        assertEquals("7,0,1,2", ClassSelection.parse("--classes", "7,0-2").toString());
    }

    @Test
    void refusesMalformedListsNamingTheOption() {
        for (String bad : new String[] {"", "5-", "a", "1-2-3", "3-1", "1,1", "-1", "10000", "1,,2"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ClassSelection.parse("--classes", bad), bad);
            assertTrue(e.getMessage().startsWith("--classes"), e.getMessage());
        }
    }

    @Test
    void keepsOrRelabelsTheChosenSamples() {
        Dataset d = Dataset.of(Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 6, 1), Tensor.of(new float[] {0, 5, 9, 5, 2, 9}, 6));
        ClassSelection s = ClassSelection.parse("--classes", "9,5");
        assertArrayEquals(new float[] {5, 9, 5, 9}, s.keep(d, 10, "data").y().toFloatArray());
        Dataset relabelled = s.relabel(d, 10, "data");
        assertArrayEquals(new float[] {1, 0, 1, 0}, relabelled.y().toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 5}, relabelled.x().toFloatArray());
        assertEquals(List.of("j", "f"), s.names(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")));
        var beyond = assertThrows(IllegalArgumentException.class, () -> ClassSelection.parse("--classes", "3,11").keep(d, 10, "the data"));
        assertTrue(beyond.getMessage().contains("class 11 is not in the data, whose labels are 0..9"), beyond.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> ClassSelection.parse("--classes", "3").keep(d, 10, "the data"));
        assertTrue(none.getMessage().contains("no samples"), none.getMessage());
    }
}
