package dev.myelin.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** Layer.randomState / restoreRandomState: a layer set back to a state draws the same masks again. */
class RandomStateTest {
    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static <L extends Layer> L built(L layer, int... inputDims) {
        layer.build(Shape.of(inputDims), rng(1));
        return layer;
    }

    /** Two training calls from the same state give the same output; a third, from where they left off, another. */
    private static void drawsTheSameAfterRestore(Layer layer, Tensor x) {
        long[] state = layer.randomState();
        float[] first = layer.call(x, true).toFloatArray();
        long[] after = layer.randomState();
        assertFalse(Arrays.equals(state, after), layer.name() + " drew, so its state moved");
        layer.restoreRandomState(state);
        assertArrayEquals(first, layer.call(x, true).toFloatArray(), layer.name());
        assertArrayEquals(after, layer.randomState(), layer.name());
        assertFalse(Arrays.equals(first, layer.call(x, true).toFloatArray()), layer.name() + ": new masks from the new state");
    }

    @Test
    void dropoutRecurrentDropoutAndTheWrappersRestoreTheirMasks() {
        drawsTheSameAfterRestore(built(new Dropout(0.5).seed(4), 6), Tensor.normal(rng(2), 0, 1, 3, 6));
        Tensor seq = Tensor.normal(rng(3), 0, 1, 2, 5, 3);
        drawsTheSameAfterRestore(built(new LSTM(4).dropout(0.3).recurrentDropout(0.3), 5, 3), seq);
        drawsTheSameAfterRestore(built(new GRU(4).recurrentDropout(0.4), 5, 3), seq);
        Bidirectional bi = built(new Bidirectional(new LSTM(4).dropout(0.3)), 5, 3);
        assertEquals(8, bi.randomState().length, "forward then backward");
        drawsTheSameAfterRestore(bi, seq);
        TimeDistributed td = built(new TimeDistributed(new Dropout(0.5)), 5, 3);
        assertEquals(4, td.randomState().length);
        drawsTheSameAfterRestore(td, seq);
    }

    @Test
    void layersThatDrawNothingHaveNoState() {
        Dense dense = built(new Dense(2), 3);
        assertNull(dense.randomState());
        dense.restoreRandomState(null);
        var e = assertThrows(IllegalArgumentException.class, () -> dense.restoreRandomState(new long[4]));
        assertTrue(e.getMessage().contains("'" + dense.name() + "'"), e.getMessage());
        LSTM noDropout = built(new LSTM(3), 5, 3);
        assertNull(noDropout.randomState(), "no dropout: nothing drawn");
        noDropout.restoreRandomState(null);
        assertNull(built(new Bidirectional(new LSTM(3)), 5, 3).randomState());
    }

    @Test
    void errorsNameTheLayer() {
        Dropout unbuilt = (Dropout) new Dropout(0.5).name("drop_x");
        assertNull(unbuilt.randomState());
        var notBuilt = assertThrows(IllegalStateException.class, () -> unbuilt.restoreRandomState(new long[] {1, 0, 1, 1}));
        assertTrue(notBuilt.getMessage().contains("'drop_x'") && notBuilt.getMessage().contains("not built"), notBuilt.getMessage());
        Dropout d = built((Dropout) new Dropout(0.5).name("drop_y"), 4);
        var missing = assertThrows(IllegalArgumentException.class, () -> d.restoreRandomState(null));
        assertTrue(missing.getMessage().contains("'drop_y'"), missing.getMessage());
        var wrong = assertThrows(IllegalArgumentException.class, () -> d.restoreRandomState(new long[] {1, 2}));
        assertTrue(wrong.getMessage().contains("'drop_y'") && wrong.getMessage().contains("4 longs"), wrong.getMessage());
        var odd = assertThrows(IllegalArgumentException.class, () -> built(new Bidirectional(new LSTM(3).dropout(0.2)), 5, 3).restoreRandomState(new long[5]));
        assertTrue(odd.getMessage().contains("Bidirectional"), odd.getMessage());
    }
}
