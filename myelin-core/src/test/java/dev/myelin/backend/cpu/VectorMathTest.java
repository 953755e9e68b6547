package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath#expShifted}: the same bits as subtracting the shift in a pass of its own and then
 * {@link VectorMath#exp} (what the attention kernels did before the shift moved into the exponential's loop),
 * on softmax-like rows, on values that overflow, underflow or are special, and with shifts that are (NaNs compared as
 * NaN, whatever their payload).
 */
class VectorMathTest {
    private static final int N = 16 * 64;

    @Test
    void expShiftedIsSubtractThenExpBitForBit() {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = switch (i % 8) {
                case 0 -> (float) (r.nextGaussian() * 30);
                case 1 -> (float) (r.nextDouble() * 400 - 200);      // past both ends of the clamp
                case 2 -> -1e9f + (float) r.nextGaussian();          // a masked score
                case 3 -> Float.intBitsToFloat(r.nextInt());           // any float, NaN and ±∞ included
                case 4 -> i % 16 == 4 ? -0f : 0f;
                case 5 -> Float.NEGATIVE_INFINITY;
                default -> (float) r.nextGaussian();
            };
        }
        for (float shift : new float[] {0f, -0f, 3.25f, -17.5f, 88.7f, -1e9f, 1e9f, Float.NEGATIVE_INFINITY, Float.NaN}) {
            float[] shifted = new float[N], want = new float[N], got = new float[N];
            for (int i = 0; i < N; i++) shifted[i] = x[i] - shift;
            VectorMath.exp(shifted, 0, want, 0, N);
            VectorMath.expShifted(x, 0, shift, got, 0, N);
            for (int i = 0; i < N; i++) {
                int at = i;
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                        () -> "e^(" + x[at] + " - " + shift + "): want " + want[at] + ", got " + got[at]);
            }
        }
    }

    @Test
    void expShiftedWritesInPlaceAtAnOffset() {
        float[] x = new float[3 * 16 * 4];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.01f - 1f;
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) want[i] = x[i] - 0.5f;
        VectorMath.exp(want, 0, want, 0, want.length);
        int off = 16 * 4, n = 16 * 4;
        float[] y = x.clone();
        VectorMath.expShifted(y, off, 0.5f, y, off, n);
        for (int i = 0; i < x.length; i++) {
            float w = i >= off && i < off + n ? want[i] : x[i];
            assertEquals(Float.floatToIntBits(w), Float.floatToIntBits(y[i]), "element " + i);
        }
    }
}
