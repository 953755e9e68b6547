package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The methods on sequences {@code [n, steps, features]}: an LSTM and a 1-D convolution. */
class SequenceModelsTest {
    private static Model lstm() {
        Model m = new Sequential(new LSTM(6).inputShape(7, 3), new Dense(4, Activation.SOFTMAX)).seed(31);
        m.build();
        return m;
    }

    private static Model conv1d() {
        Model m = new Sequential(new Conv1D(5, 3, Activation.RELU).inputShape(9, 2).name("conv1d"), new Flatten(), new Dense(3, Activation.SOFTMAX)).seed(32);
        m.build();
        return m;
    }

    @Test
    void integratedGradientsAreCompleteOnAnLstm() {
        Model m = lstm();
        Tensor x = Tensor.randn(ExplainModels.rng(33), 4, 7, 3);
        Attribution a = new IntegratedGradients(64, Quadrature.GAUSS_LEGENDRE).explain(m, x, Target.predicted());
        assertArrayEquals(new int[] {4, 7, 3}, a.values().shape().toArray());
        double[] fx = Scores.selectedValues(m, x, a.targets()), f0 = Scores.selectedValues(m, Tensor.zerosLike(x), a.targets());
        for (int i = 0; i < 4; i++) assertTrue(Math.abs(a.completenessErrors()[i]) <= 0.01 * Math.abs(fx[i] - f0[i]), "example " + i + ": " + a.completenessErrors()[i]);
    }

    @Test
    void everyMethodRunsBatchedOnSequences() {
        Tensor x = Tensor.randn(ExplainModels.rng(34), 5, 9, 2);
        Model m = conv1d();
        for (AttributionMethod method : List.of(new Saliency(), new GradientTimesInput(), new SmoothGrad(3, 0.1, 1), new IntegratedGradients(8, Quadrature.GAUSS_LEGENDRE),
                new GradCam("conv1d"), new Occlusion(2, 1, 0, 4))) {
            Attribution together = method.explain(m, x, Target.of(1), 5), apart = method.explain(m, x, Target.of(1), 2);
            assertAllClose(together.values(), apart.values(), 1e-4, 1e-6);
            int[] shape = together.values().shape().toArray();
            boolean perStep = method instanceof GradCam || method instanceof Occlusion;
            assertArrayEquals(new int[] {5, 9, perStep ? 1 : 2}, shape, method.name());
        }
    }

    @Test
    void gradCamOnAOneDimensionalConvolutionWeighsEachFilterByItsMeanGradient() {
        Model m = conv1d();
        Tensor x = Tensor.randn(ExplainModels.rng(35), 2, 9, 2);
        Attribution cam = new GradCam("conv1d").layerMaps(m, x, Target.of(2), 0);
        // by hand: A = conv output [2, 7, 5]; the score is Σ A·W[:, 2] (Dense on the flattened map), so the
        // gradient at A[t, k] is the kernel row t·5 + k of class 2
        Tensor a = m.layers().get(0).call(x, false);
        float[] w = m.layers().get(2).weights().get(0).value().contiguous().toFloatArray();
        float[] av = a.contiguous().toFloatArray();
        float[] want = new float[2 * 7];
        for (int i = 0; i < 2; i++) {
            for (int t = 0; t < 7; t++) {
                double s = 0;
                for (int k = 0; k < 5; k++) {
                    double alpha = 0;
                    for (int u = 0; u < 7; u++) alpha += w[(u * 5 + k) * 3 + 2] / 7.0;
                    s += alpha * av[(i * 7 + t) * 5 + k];
                }
                want[i * 7 + t] = (float) Math.max(0, s);
            }
        }
        assertAllClose(cam.values().toFloatArray(), want, 1e-5, 1e-6);
        assertEquals(9, new GradCam("conv1d").explain(m, x, Target.of(2)).values().dim(1), "resized to the input's 9 steps");
    }
}
