package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.examples.TransferLearning;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Layer;
import dev.myelin.tensor.Tensor;
import dev.myelin.zoo.SeedModels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The transfer steps that {@code fine-tune} and the transfer example share (myelin-examples has no tests of its own). */
class TransferLearningTest {
    private static float[] kernel(Model m, int layer) {
        return m.layers().get(layer).weights().getFirst().value().toFloatArray();
    }

    @Test
    void newHeadSitsOnTheBaseLayersThemselves() {
        Sequential base = SeedModels.mlp().seed(1);
        Model transfer = TransferLearning.withNewHead(base, TransferLearning.belowHead(base), 3, 9);
        assertEquals(3, transfer.layers().size(), "flatten, the hidden dense, the new head");
        assertSame(base.layers().get(1), transfer.layers().get(1));
        assertEquals(3, ModelInputs.numClasses(transfer));
        Model again = TransferLearning.withNewHead(base, TransferLearning.belowHead(base), 3, 9);
        assertArrayEquals(kernel(transfer, 2), kernel(again, 2), "the head's weights come from the seed");
        assertEquals("new_head", transfer.layers().get(2).name());
        Model twice = TransferLearning.withNewHead(transfer, TransferLearning.belowHead(transfer), 2, 9);
        assertEquals("new_head_1", twice.layers().get(2).name(), "a name no base layer has");
    }

    @Test
    void freshCopyIsTheSameNetworkWithNewSeededUnfrozenWeights() {
        Sequential base = SeedModels.mlp().seed(1);
        Model transfer = TransferLearning.withNewHead(base, TransferLearning.belowHead(base), 5, 2);
        base.trainable(false);
        Model a = TransferLearning.freshCopy(transfer, 4), b = TransferLearning.freshCopy(transfer, 4);
        assertEquals(transfer.layers().stream().map(l -> l.getClass().getSimpleName() + " " + l.name()).toList(),
                a.layers().stream().map(l -> l.getClass().getSimpleName() + " " + l.name()).toList());
        assertEquals(transfer.countParams(), a.countParams());
        assertEquals(transfer.outputs().getFirst().shape(), a.outputs().getFirst().shape());
        assertArrayEquals(kernel(a, 1), kernel(b, 1), "seeded");
        assertFalse(Arrays.equals(kernel(transfer, 1), kernel(a, 1)), "fresh, not the trained weights");
        for (Layer l : a.layers()) assertTrue(l.isTrainable(), l.name());
        Tensor x = Tensor.zeros(2, 28, 28, 1);
        assertArrayEquals(new int[] {2, 5}, a.predict(x).shape().toArray());
    }

    @Test
    void aModelWithNothingBelowItsHeadIsRefused() {
        Sequential one = new Sequential(new dev.myelin.nn.layers.Dense(3).inputShape(4));
        var e = assertThrows(IllegalArgumentException.class, () -> TransferLearning.belowHead(one));
        assertTrue(e.getMessage().contains("no layers below"), e.getMessage());
    }
}
