package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grad-CAM against a case computed by hand, the resize, and the layer tap on a graph with a skip connection. */
class GradCamTest {
    /**
     * Input 2×2×1 → 1×1 convolution with kernel [1, −1] and bias [0, 0.5] (so A_0 = x, A_1 = 0.5 − x) →
     * Flatten (index (2i + j)·2 + k) → Dense to 2 classes, whose column for class 0 holds g_0 = [1, 2, 3, 4]
     * for channel 0 and g_1 = [0, 0, 2, −6] for channel 1. The score's gradient with respect to A_k is g_k,
     * so α_0 = 2.5, α_1 = −1, and for x = [[1, 2], [3, −1]]:
     * L = ReLU(2.5 x − (0.5 − x)) = ReLU([[3, 6.5], [10, −4]]) = [[3, 6.5], [10, 0]].
     */
    private static Model handModel(Activation output) {
        Layer conv = new Conv2D(2, 1).inputShape(2, 2, 1).name("conv");
        Layer dense = new Dense(2, output).name("head");
        Model m = new Sequential(conv, new Flatten(), dense);
        m.build();
        ExplainModels.set(conv, "kernel", Tensor.of(new float[] {1, -1}, 1, 1, 1, 2));
        ExplainModels.set(conv, "bias", Tensor.of(new float[] {0, 0.5f}, 2));
        float[] g0 = {1, 2, 3, 4}, g1 = {0, 0, 2, -6};
        float[] k = new float[8 * 2];
        for (int p = 0; p < 4; p++) {
            k[(p * 2) * 2] = g0[p];
            k[(p * 2 + 1) * 2] = g1[p];
            k[(p * 2) * 2 + 1] = 0.3f * p - 1; // class 1: anything
            k[(p * 2 + 1) * 2 + 1] = 0.7f;
        }
        ExplainModels.set(dense, "kernel", Tensor.of(k, 8, 2));
        ExplainModels.set(dense, "bias", Tensor.of(new float[] {0.25f, -2}, 2));
        return m;
    }

    private static final Tensor X = Tensor.of(new float[] {1, 2, 3, -1}, 1, 2, 2, 1);

    @Test
    void matchesTheHandComputedMapOnTheLogitWhetherOrNotTheModelEndsInSoftmax() {
        for (Activation a : new Activation[] {Activation.LINEAR, Activation.SOFTMAX}) {
            Attribution cam = new GradCam("conv").explain(handModel(a), X, Target.of(0));
            assertAllClose(cam.values().toFloatArray(), new float[] {3, 6.5f, 10, 0}, 1e-6, 1e-6);
            assertArrayEquals(new int[] {1, 2, 2, 1}, cam.values().shape().toArray());
        }
    }

    @Test
    void aBatchGetsEachExamplesOwnMap() {
        Tensor two = Tensor.concat(List.of(X, X.mul(-1)), 0);
        // second example: A_0 = −x, A_1 = 0.5 + x: L = ReLU(−2.5 x − 0.5 − x) = ReLU(−3.5 x − 0.5) = [[0, 0], [0, 3]]
        Attribution cam = new GradCam("conv").explain(handModel(Activation.SOFTMAX), two, Target.of(0));
        assertAllClose(cam.values().toFloatArray(), new float[] {3, 6.5f, 10, 0, 0, 0, 0, 3}, 1e-6, 1e-6);
    }

    @Test
    void resizesBilinearlyWithPixelCentresAligned() {
        // PyTorch: F.interpolate([[0, 1], [2, 3]], size=4, mode='bilinear', align_corners=False)
        Tensor up = GradCam.resize(Tensor.of(new float[] {0, 1, 2, 3}, 1, 2, 2, 1), new int[] {1, 4, 4, 3});
        assertAllClose(up.toFloatArray(), new float[] {
                0, 0.25f, 0.75f, 1,
                0.5f, 0.75f, 1.25f, 1.5f,
                1.5f, 1.75f, 2.25f, 2.5f,
                2, 2.25f, 2.75f, 3}, 0, 1e-6);
        assertArrayEquals(new int[] {1, 4, 4, 1}, up.shape().toArray());
    }

    @Test
    void tapsALayerInsideAGraphWithASkipConnection() {
        // x → conv → add(conv, x') where x' = x through a second conv: the gradient at conv's output must
        // come only through the head, and the cam at the layer's size equals the one computed by hand
        SymbolicTensor in = Input.of(2, 2, 1);
        Layer conv = new Conv2D(2, 1).name("conv");
        Layer side = new Conv2D(2, 1).name("side");
        SymbolicTensor sum = new Add().apply(List.of(conv.apply(in), side.apply(in)));
        Layer dense = new Dense(2).name("head");
        Model m = new Model(in, dense.apply(new Flatten().apply(sum)));
        m.build();
        ExplainModels.set(conv, "kernel", Tensor.of(new float[] {1, -1}, 1, 1, 1, 2));
        ExplainModels.set(conv, "bias", Tensor.of(new float[] {0, 0.5f}, 2));
        ExplainModels.set(side, "kernel", Tensor.of(new float[] {5, 7}, 1, 1, 1, 2));
        float[] k = new float[16];
        float[] g0 = {1, 2, 3, 4}, g1 = {0, 0, 2, -6};
        for (int p = 0; p < 4; p++) {
            k[(p * 2) * 2] = g0[p];
            k[(p * 2 + 1) * 2] = g1[p];
        }
        ExplainModels.set(dense, "kernel", Tensor.of(k, 8, 2));
        Attribution cam = new GradCam("conv").layerMaps(m, X, Target.of(0), 0);
        assertAllClose(cam.values().toFloatArray(), new float[] {3, 6.5f, 10, 0}, 1e-6, 1e-6);
    }

    @Test
    void anUnknownLayerIsRefusedNamingTheLayers() {
        var e = assertThrows(IllegalArgumentException.class, () -> new GradCam("conv9").explain(handModel(Activation.LINEAR), X, Target.of(0)));
        assertTrue(e.getMessage().contains("no layer 'conv9'") && e.getMessage().contains("conv"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GradCam("head").explain(handModel(Activation.LINEAR), X, Target.of(0)));
        assertTrue(e.getMessage().contains("feature maps"), e.getMessage());
    }
}
