package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Saliency, gradient × input, SmoothGrad and the shared machinery (targets, scores, batching). */
class AttributionMethodsTest {
    private static final List<AttributionMethod> ALL = List.of(new Saliency(), new GradientTimesInput(), new SmoothGrad(4, 0.1, 9),
            new IntegratedGradients(8, Quadrature.GAUSS_LEGENDRE), new GradCam("conv"), new Occlusion(3, 2, 0.0, 7));

    private static float[] kernel(Model m) {
        return m.weights().get(0).value().contiguous().toFloatArray(); // Dense kernel [in, classes]
    }

    @Test
    void saliencyOfALinearSoftmaxModelIsTheLogitsKernelColumnNotTheProbabilitysGradient() {
        Model m = ExplainModels.linear(5, 3, 1);
        Tensor x = Tensor.rand(ExplainModels.rng(2), 4, 5);
        Attribution a = new Saliency().explain(m, x, Target.of(2));
        float[] w = kernel(m);
        float[] want = new float[4 * 5];
        for (int i = 0; i < 4; i++) for (int f = 0; f < 5; f++) want[i * 5 + f] = Math.abs(w[f * 3 + 2]);
        assertAllClose(a.values().toFloatArray(), want, 1e-6, 1e-7);
        assertArrayEquals(new int[] {2, 2, 2, 2}, a.targets());
    }

    @Test
    void gradientTimesInputOfALinearModelWithoutBiasSumsToTheLogit() {
        Model m = ExplainModels.linear(6, 4, 3);
        Tensor x = Tensor.randn(ExplainModels.rng(4), 5, 6);
        Attribution a = new GradientTimesInput().explain(m, x, Target.predicted());
        Tensor logits = Scores.values(m, x);
        double[] sums = a.values().sum(1).toDoubleArray();
        for (int i = 0; i < 5; i++) assertEquals(logits.get(i, a.targets()[i]), sums[i], 1e-5);
    }

    @Test
    void theInputGradientMatchesCentralDifferencesOfTheScore() {
        Model m = ExplainModels.cnn(11);
        Tensor x = ExplainModels.images(2, 12);
        int[] targets = {1, 2};
        float[] g = InputGradient.of(m, x, targets).gradient().toFloatArray();
        float[] data = x.toFloatArray();
        double eps = 1e-2;
        for (int idx : new int[] {0, 17, 40, 81, 162 + 5, 162 + 99, 323}) {
            float[] plus = data.clone(), minus = data.clone();
            plus[idx] += (float) eps;
            minus[idx] -= (float) eps;
            double fp = sum(Scores.selectedValues(m, Tensor.of(plus, 2, 9, 9, 2), targets));
            double fm = sum(Scores.selectedValues(m, Tensor.of(minus, 2, 9, 9, 2), targets));
            assertEquals((fp - fm) / (2 * eps), g[idx], 2e-3 + 2e-2 * Math.abs(g[idx]), "element " + idx);
        }
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s;
    }

    @Test
    void everyMethodGivesTheSameAttributionsInOneBatchAsOneExampleAtATime() {
        Model m = ExplainModels.cnn(5);
        Tensor x = ExplainModels.images(5, 6);
        for (AttributionMethod method : ALL) {
            Attribution together = method.explain(m, x, Target.predicted(), 5);
            Attribution apart = method.explain(m, x, Target.predicted(), 1);
            assertArrayEquals(together.targets(), apart.targets(), method.name());
            assertAllClose(together.values(), apart.values(), 1e-4, 1e-6);
            assertEquals(together.completenessErrors().length, apart.completenessErrors().length);
        }
    }

    @Test
    void imageMapsHaveOneChannelOrTheInputsShape() {
        Model m = ExplainModels.cnn(5);
        Tensor x = ExplainModels.images(2, 6);
        for (AttributionMethod method : ALL) {
            int[] shape = method.explain(m, x, Target.of(0)).values().shape().toArray();
            boolean perPixel = !(method instanceof GradientTimesInput || method instanceof IntegratedGradients);
            assertArrayEquals(new int[] {2, 9, 9, perPixel ? 1 : 2}, shape, method.name());
        }
    }

    @Test
    void thePredictedTargetIsTheArgMaxAndPerExampleTargetsAreHonoured() {
        Model m = ExplainModels.cnn(7);
        Tensor x = ExplainModels.images(6, 8);
        int[] predicted = m.predict(x).argmax(1).toIndexArray(3, "class");
        assertArrayEquals(predicted, new Saliency().explain(m, x, Target.predicted(), 4).targets());
        int[] chosen = {2, 0, 1, 1, 0, 2};
        assertArrayEquals(chosen, new Saliency().explain(m, x, Target.perExample(chosen), 4).targets());
    }

    @Test
    void targetsOutOfRangeOrTooFewAreRefusedWithAMessage() {
        Model m = ExplainModels.cnn(7);
        Tensor x = ExplainModels.images(3, 8);
        var e = assertThrows(IllegalArgumentException.class, () -> new Saliency().explain(m, x, Target.of(3)));
        assertTrue(e.getMessage().contains("target class 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Saliency().explain(m, x, Target.perExample(0, 1)));
        assertTrue(e.getMessage().contains("has 2 classes"), e.getMessage());
    }

    @Test
    void explainingLeavesTheWeightsTrainableAndTheirGradientsUntouched() {
        Model m = ExplainModels.cnn(3);
        Tensor x = ExplainModels.images(2, 4);
        for (AttributionMethod method : ALL) method.explain(m, x, Target.predicted());
        for (Parameter p : m.weights()) {
            assertTrue(p.value().requiresGrad(), p.name());
            assertNull(p.value().grad(), p.name());
        }
    }

    @Test
    void smoothGradIsRepeatableForASeedAndIsSaliencyWithoutNoise() {
        Model m = ExplainModels.cnn(3);
        Tensor x = ExplainModels.images(3, 4);
        assertAllClose(new SmoothGrad(3, 0.2, 1).explain(m, x, Target.of(1)).values(), new SmoothGrad(3, 0.2, 1).explain(m, x, Target.of(1)).values(), 0, 0);
        assertAllClose(new SmoothGrad(2, 0.0, 1).explain(m, x, Target.of(1)).values(), new Saliency().explain(m, x, Target.of(1)).values(), 1e-6, 1e-8);
        Tensor other = new SmoothGrad(3, 0.2, 2).explain(m, x, Target.of(1)).values();
        Tensor first = new SmoothGrad(3, 0.2, 1).explain(m, x, Target.of(1)).values();
        assertTrue(other.sub(first).abs().max().item() > 0, "another seed draws other noise");
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SmoothGrad(0, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SmoothGrad(3, -0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Occlusion(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new IntegratedGradients(1, Quadrature.RIEMANN_TRAPEZOID));
        assertThrows(IllegalArgumentException.class, () -> new GradCam(" "));
    }
}
