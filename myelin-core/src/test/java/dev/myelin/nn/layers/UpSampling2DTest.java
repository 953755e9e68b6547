package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.LayerTestHarness;
import org.junit.jupiter.api.Test;

class UpSampling2DTest {
    @Test
    void repeatsEachPixel() {
        UpSampling2D up = built(new UpSampling2D(2, 3), 2, 2, 1);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2, 1);
        Tensor y = up.call(x, true);
        assertEquals(Shape.of(1, 4, 6, 1), y.shape());
        assertArrayEquals(new float[] {
                1, 1, 1, 2, 2, 2,
                1, 1, 1, 2, 2, 2,
                3, 3, 3, 4, 4, 4,
                3, 3, 3, 4, 4, 4}, y.toFloatArray());
    }

    @Test
    void keepsChannelsApart() {
        UpSampling2D up = built(new UpSampling2D(), 1, 1, 2);
        Tensor y = up.call(Tensor.of(new float[] {5, 7}, 1, 1, 1, 2), false);
        assertArrayEquals(new float[] {5, 7, 5, 7, 5, 7, 5, 7}, y.toFloatArray());
    }

    @Test
    void gradientCheck() {
        Tensor x = filled(i -> Math.sin(0.37 * i) * 2, 2, 3, 2, 2);
        UpSampling2D up = built(new UpSampling2D(2, 3), 3, 2, 2);
        GradCheck.check(in -> up.call(in[0], true), x);
    }

    @Test
    void layerContract() {
        LayerTestHarness.of(() -> new UpSampling2D(2)).inputShape(3, 2, 2).expectOutputShape(6, 4, 2).expectWeights(0, 0).expectParams(0).run();
    }

    @Test
    void badArguments() {
        assertMessage(() -> new UpSampling2D(0), "size");
        assertMessage(() -> new UpSampling2D(2).outputShape(Shape.of(4, 4)), "UpSampling2D", "[4, 4]");
    }
}
