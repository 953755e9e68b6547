package dev.myelin.nn.layers;

import static dev.myelin.nn.layers.LayerAsserts.assertMessage;
import static dev.myelin.nn.layers.LayerAsserts.built;
import static dev.myelin.nn.layers.LayerAsserts.built64;
import static dev.myelin.nn.layers.LayerAsserts.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.myelin.nn.Activation;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** Dense, Flatten, Reshape, ActivationLayer and LeakyReLU. */
class CoreLayersTest {

    @Test
    void denseHarnessAndSeedModelCount() {
        LayerTestHarness.of(() -> new Dense(4)).inputShape(3).expectOutputShape(4).expectWeights(2, 0).expectParams(16).run();
        LayerTestHarness.of(() -> new Dense(3, Activation.TANH)).inputShape(2, 5).expectOutputShape(2, 3).expectParams(18).run();
        // one unit: the product is a matrix-vector one (its own CPU path)
        LayerTestHarness.of(() -> new Dense(1, Activation.SIGMOID)).inputShape(37).expectOutputShape(1).expectParams(38).run();
        LayerTestHarness.of(() -> new Dense(2, Activation.SOFTMAX).useBias(false)).inputShape(4).expectWeights(1, 0).expectParams(8).run();
        Dense d = built(new Dense(128, Activation.RELU), 5408);
        assertEquals(692_352, d.countParams());
        assertEquals(10 * 128 + 10, built(new Dense(10), 128).countParams());
    }

    @Test
    void flatten() {
        Flatten f = built(new Flatten(), 13, 13, 32);
        assertEquals(Shape.of(5408), f.outputShape(Shape.of(13, 13, 32)));
        Tensor x = filled(i -> i, 2, 2, 3, 2);
        Tensor y = built(new Flatten(), 2, 3, 2).call(x, false);
        assertEquals(Shape.of(2, 12), y.shape());
        TensorAssert.assertAllClose(y.toDoubleArray(), x.toDoubleArray(), 0, 0);
        assertEquals(Shape.of(1), new Flatten().outputShape(Shape.scalar()));
        assertEquals(Shape.of(5, 1), built(new Flatten()).call(Tensor.zeros(5), false).shape());
        LayerTestHarness.of(Flatten::new).inputShape(3, 2, 2).expectOutputShape(12).expectWeights(0, 0).run();
    }

    @Test
    void reshapeInfersMinusOne() {
        assertEquals(Shape.of(3, 4), new Reshape(-1, 4).outputShape(Shape.of(2, 6)));
        assertEquals(Shape.of(2, 2, 3), new Reshape(2, -1, 3).outputShape(Shape.of(12)));
        assertEquals(Shape.of(28, 28, 1), new Reshape(28, 28, 1).outputShape(Shape.of(784)));
        Tensor x = filled(i -> i, 2, 2, 6);
        Tensor y = built(new Reshape(-1, 4), 2, 6).call(x, false);
        assertEquals(Shape.of(2, 3, 4), y.shape());
        TensorAssert.assertAllClose(y.toDoubleArray(), x.toDoubleArray(), 0, 0);
        LayerTestHarness.of(() -> new Reshape(3, -1)).inputShape(2, 3).expectOutputShape(3, 2).expectWeights(0, 0).run();
    }

    @Test
    void activationLayer() {
        ActivationLayer relu = built(new ActivationLayer(Activation.RELU), 3);
        Tensor x = Tensor.of(new float[] {-1, 0.5f, 2, -3, 0, 1}, 2, 3);
        TensorAssert.assertValues(relu.call(x, false), new double[] {0, 0.5, 2, 0, 0, 1}, 0);
        assertSame(x, relu.preActivation(x));
        ActivationLayer softmax = built64(new ActivationLayer("softmax"), 3);
        assertEquals(Activation.SOFTMAX, softmax.activation());
        Tensor p = softmax.call(Tensor.of(new double[] {0, 1, 2}, 1, 3), false);
        double z = 1 + Math.E + Math.exp(2);
        TensorAssert.assertValues(p, new double[] {1 / z, Math.E / z, Math.exp(2) / z}, 1e-12);
        LayerTestHarness.of(() -> new ActivationLayer(Activation.TANH)).inputShape(2, 3).expectOutputShape(2, 3).expectWeights(0, 0).run();
        LayerTestHarness.of(() -> new ActivationLayer(Activation.SOFTMAX)).inputShape(4).expectOutputShape(4).run();
    }

    @Test
    void leakyReluDefaultsToKerasLayerSlope() {
        LeakyReLU l = built64(new LeakyReLU(), 4);
        assertEquals(0.3, l.negativeSlope());
        TensorAssert.assertValues(l.call(Tensor.of(new double[] {-2, -0.5, 0, 3}, 1, 4), false), new double[] {-0.6, -0.15, 0, 3}, 1e-15);
        LeakyReLU l2 = built64(new LeakyReLU(0.1), 2);
        TensorAssert.assertValues(l2.call(Tensor.of(new double[] {-2, 3}, 1, 2), false), new double[] {-0.2, 3}, 1e-15);
        LayerTestHarness.of(LeakyReLU::new).inputShape(3, 2).expectOutputShape(3, 2).expectWeights(0, 0).run();
    }

    @Test
    void errorMessages() {
        assertMessage(() -> new Reshape(-1, -1), "-1", "at most once", "[-1, -1]");
        assertMessage(() -> new Reshape(3, 0), "positive", "[3, 0]");
        assertMessage(() -> new Reshape(5, -1).name("rs").outputShape(Shape.of(2, 6)), "rs", "Reshape", "divisible by 5", "[2, 6]");
        assertMessage(() -> new Reshape(5, 2).outputShape(Shape.of(2, 6)), "10 elements", "[5, 2]", "has 12", "[2, 6]");
        assertMessage(() -> new LeakyReLU(-0.1), "negativeSlope", "-0.1");
        assertMessage(() -> new ActivationLayer((Activation) null), "activation");
        assertMessage(() -> new ActivationLayer("swishy"), "swishy");
        assertMessage(() -> new Dense(0), "units", "0");
        assertMessage(() -> new Dense(3).name("dd").outputShape(Shape.scalar()), "dd", "Dense", "[]");
    }
}
