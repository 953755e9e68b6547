package dev.myelin.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The quantization maps: per-channel weight error within half a step, activation ranges that hold 0 exactly. */
class QuantizationMathTest {

    @Test
    void perChannelQuantizeDequantizeErrorIsAtMostHalfAScale() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 37, channels = 13;
        float[] w = new float[rows * channels];
        for (int i = 0; i < w.length; i++) {
            int c = i % channels;
            w[i] = (float) (r.nextGaussian() * Math.pow(10, c % 5 - 3)); // channels of very different magnitudes
        }
        for (int i = 0; i < rows; i++) w[i * channels + 4] = 0; // an all-zero channel
        float[] scales = ChannelQuantization.scales(w, channels);
        byte[] q = ChannelQuantization.quantize(w, scales);
        float[] back = ChannelQuantization.dequantize(q, scales);
        for (int c = 0; c < channels; c++) {
            double max = 0;
            for (int i = 0; i < rows; i++) max = Math.max(max, Math.abs(w[i * channels + c]));
            assertEquals(max > 0 ? max / 127 : 1, scales[c], 1e-6 * Math.max(max, 1e-30) / 127 + (max > 0 ? 0 : 0), "scale of channel " + c);
            for (int i = 0; i < rows; i++) {
                int k = i * channels + c;
                assertTrue(q[k] >= -127 && q[k] <= 127);
                double error = Math.abs(w[k] - back[k]);
                assertTrue(error <= scales[c] / 2 * (1 + 1e-5), "channel " + c + " row " + i + ": error " + error + " > scale/2 = " + scales[c] / 2);
            }
        }
        // the largest magnitude of each channel maps to ±127 exactly
        int top = 0;
        for (int i = 1; i < rows; i++) if (Math.abs(w[i * channels]) > Math.abs(w[top * channels])) top = i;
        assertEquals(127, Math.abs(q[top * channels]));
    }

    @Test
    void kernelsMustBeFiniteAndSplitIntoChannels() {
        assertThrows(IllegalArgumentException.class, () -> ChannelQuantization.scales(new float[] {1, Float.NaN}, 2));
        assertThrows(IllegalArgumentException.class, () -> ChannelQuantization.scales(new float[5], 2));
    }

    @Test
    void activationRangesHoldZeroAndRoundTripWithinHalfAStep() {
        ActivationQuantization relu = ActivationQuantization.ofRange(0.5, 6); // widened to [0, 6]
        assertEquals(6.0 / 255, relu.scale(), 1e-15);
        assertEquals(-128, relu.zeroPoint());
        assertEquals(0.0, relu.dequantize(relu.quantize(0f)));
        ActivationQuantization both = ActivationQuantization.ofRange(-1, 3);
        assertEquals(0.0, both.dequantize(both.quantize(0f)));
        for (double x = -1; x <= 3; x += 0.01) {
            assertTrue(Math.abs(both.dequantize(both.quantize((float) x)) - x) <= both.scale() / 2 + 1e-6, "x = " + x);
        }
        assertEquals(127, both.quantize(100f)); // saturates
        assertEquals(-128, both.quantize(-100f));
        assertEquals(new ActivationQuantization(1, 0), ActivationQuantization.ofRange(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ActivationQuantization(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ActivationQuantization(1, 128));
        assertThrows(IllegalArgumentException.class, () -> ActivationQuantization.ofRange(0, Double.NaN));
    }
}
