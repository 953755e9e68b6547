package dev.myelin.nn.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GlobalAveragePooling1D (mask-aware, as Keras) and GlobalMaxPooling1D. */
class GlobalPooling1DTest {
    @Test
    void harness() {
        LayerTestHarness.of(GlobalAveragePooling1D::new).inputShape(5, 3).expectOutputShape(3).expectWeights(0, 0).run();
        LayerTestHarness.of(() -> new GlobalAveragePooling1D().keepDims(true)).inputShape(4, 2).expectOutputShape(1, 2).run();
        LayerTestHarness.of(GlobalMaxPooling1D::new).inputShape(5, 3).expectOutputShape(3).run();
        LayerTestHarness.of(() -> new GlobalMaxPooling1D().keepDims(true)).inputShape(4, 2).expectOutputShape(1, 2).run();
    }

    private static final double[] X = {1, 2, 3, 4, 5, 6, 7, 8, /* batch 1 */ -1, -2, -3, -4, -5, -6, -7, 80};

    @Test
    void averageAndMaxWithoutMask() {
        Tensor x = Tensor.of(X, 2, 4, 2);
        GlobalAveragePooling1D avg = new GlobalAveragePooling1D();
        avg.build(Shape.of(4, 2), null);
        GlobalMaxPooling1D max = new GlobalMaxPooling1D();
        max.build(Shape.of(4, 2), null);
        TensorAssert.assertValues(avg.call(x, false), new double[] {4, 5, -4, 17}, 1e-12);
        TensorAssert.assertValues(max.call(x, false), new double[] {7, 8, -1, 80}, 1e-12);
    }

    /** Keras: sum(x·mask) / sum(mask) over time. */
    @Test
    void averageHonoursTheImplicitMask() {
        Tensor mask = Tensor.of(new double[] {1, 1, 0, 0, 1, 0, 1, 0}, 2, 4);
        Tensor x = Masks.attach(Tensor.of(X, 2, 4, 2), mask);
        GlobalAveragePooling1D avg = new GlobalAveragePooling1D();
        avg.build(Shape.of(4, 2), null);
        TensorAssert.assertValues(avg.call(x, false), new double[] {2, 3, -3, -4}, 1e-12);
        Tensor x64 = Tensor.of(X, 2, 4, 2).to(DType.FLOAT64);
        GradCheck.check(t -> avg.call(Masks.attach(t[0], mask), true), x64);
    }

    @Test
    void wrongRankIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new GlobalAveragePooling1D().outputShape(Shape.of(2, 3, 4)));
        assertTrue(e.getMessage().contains("[time, features]") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GlobalMaxPooling1D().outputShape(Shape.of(4)));
        assertTrue(e.getMessage().contains("[time, features]"), e.getMessage());
    }
}
