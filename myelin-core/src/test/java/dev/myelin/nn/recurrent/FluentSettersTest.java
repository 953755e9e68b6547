package dev.myelin.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Layer's fluent setters keep the subclass type through KernelLayer's and RecurrentLayer's self types. */
class FluentSettersTest {
    @Test
    void recurrentChainsKeepTheirType() {
        LSTM lstm = new LSTM(8).name("enc").returnSequences(true);
        assertEquals("enc", lstm.name());
        assertTrue(lstm.returnSequences());

        GRU gru = new GRU(4).inputShape(5, 3).dtype(DType.FLOAT64).trainable(false).goBackwards(true).dropout(0.1);
        assertEquals(Shape.of(5, 3), gru.declaredInputShape());
        assertEquals(DType.FLOAT64, gru.dtype());
        assertFalse(gru.isTrainable());
        assertTrue(gru.goBackwards());
        assertEquals(0.1, gru.dropout());

        SimpleRNN rnn = new SimpleRNN(2).useBias(false).name("r").seed(3).fused(false).recurrentDropout(0.2).returnState(true);
        assertEquals("r", rnn.name());
        assertFalse(rnn.recurrentSettings().useBias());
        assertEquals(3L, rnn.recurrentSettings().seed());
        assertEquals(Boolean.FALSE, rnn.recurrentSettings().fused());
        assertTrue(rnn.returnState());
    }

    @Test
    void kernelLayerChainsKeepTheirType() {
        Dense d = new Dense(3, Activation.RELU).name("head").inputShape(4).trainable(false).useBias(false);
        assertEquals("head", d.name());
        assertEquals(Shape.of(4), d.declaredInputShape());
        assertFalse(d.isTrainable());
        assertFalse(d.useBias());
        Conv2D c = new Conv2D(2, 3).dtype(DType.FLOAT64).name("c").strides(2);
        assertEquals(DType.FLOAT64, c.dtype());
        assertEquals(2, c.options().strideH());
    }
}
