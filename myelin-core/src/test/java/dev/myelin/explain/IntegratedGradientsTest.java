package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Integrated Gradients: completeness, the quadrature rules, baselines. */
class IntegratedGradientsTest {
    /** The relative completeness errors of {@code steps} points of {@code q} on {@code x}. */
    private static double[] relativeErrors(Model m, Tensor x, int steps, Quadrature q) {
        Attribution a = new IntegratedGradients(steps, q).explain(m, x, Target.predicted());
        double[] fx = Scores.selectedValues(m, x, a.targets()), f0 = Scores.selectedValues(m, Tensor.zerosLike(x), a.targets());
        double[] sums = a.values().reshape(x.dim(0), -1).sum(1).toDoubleArray();
        double[] rel = new double[x.dim(0)];
        for (int i = 0; i < rel.length; i++) {
            double gap = fx[i] - f0[i];
            assertEquals(sums[i] - gap, a.completenessErrors()[i], 1e-4, "the reported error is Σ attributions − (f(x) − f(0))");
            rel[i] = Math.abs(a.completenessErrors()[i] / gap);
        }
        return rel;
    }

    /**
     * Gauss–Legendre (the default) at 64 steps on a random ReLU CNN with its initial zero biases. Its
     * pre-activations are α·(w·x) along the path, so no ReLU changes state for α > 0 and the integrand is
     * smooth: the error is at float rounding. (The trapezoid rule samples α = 0, where every pre-activation
     * sits on ReLU's kink with gradient 0, and misses about 1.4% there; with non-zero biases ReLUs switch
     * along the path and both rules need more than 64 steps for 1%, as Captum's convergence delta shows.)
     */
    @Test
    void completenessHoldsWithinOnePercentAt64StepsOnARandomCnn() {
        Model m = ExplainModels.cnn(21);
        double[] rel = relativeErrors(m, ExplainModels.images(6, 22), 64, Quadrature.GAUSS_LEGENDRE);
        for (int i = 0; i < rel.length; i++) assertTrue(rel[i] <= 0.01, "example " + i + ": " + rel[i]);
    }

    @Test
    void theTrapezoidRuleConvergesQuadraticallyOnASmoothModel() {
        Model m = new Sequential(new Flatten().inputShape(9, 9, 2), new Dense(16, Activation.TANH), new Dense(3, Activation.SOFTMAX)).seed(4);
        m.build();
        Tensor x = ExplainModels.images(3, 22);
        double[] at16 = relativeErrors(m, x, 16, Quadrature.RIEMANN_TRAPEZOID), at64 = relativeErrors(m, x, 64, Quadrature.RIEMANN_TRAPEZOID);
        for (int i = 0; i < 3; i++) {
            assertTrue(at64[i] <= 1e-3, "example " + i + ": " + at64[i]);
            assertTrue(at64[i] < at16[i] / 8, "error 16 → 64 steps: " + at16[i] + " → " + at64[i]);
        }
    }

    @Test
    void completenessAlsoHoldsOnTheTrainedQuadrantModel() {
        Model m = ExplainModels.trainedQuadrantCnn();
        Tensor x = ExplainModels.quadrants(8, 99)[0];
        Attribution a = new IntegratedGradients(64, Quadrature.GAUSS_LEGENDRE).explain(m, x, Target.predicted());
        double[] fx = Scores.selectedValues(m, x, a.targets()), f0 = Scores.selectedValues(m, Tensor.zerosLike(x), a.targets());
        for (int i = 0; i < 8; i++) {
            assertTrue(Math.abs(a.completenessErrors()[i]) <= 0.01 * Math.abs(fx[i] - f0[i]), "example " + i + ": " + a.completenessErrors()[i]);
        }
    }

    @Test
    void onALinearScoreTheAttributionIsTheDifferenceTimesTheWeightFromAnyBaseline() {
        Model m = ExplainModels.linear(5, 3, 4);
        Tensor x = Tensor.randn(ExplainModels.rng(5), 4, 5);
        Tensor baseline = Tensor.of(new float[] {0.5f, -1f, 0f, 2f, 0.25f}, 5);
        Attribution a = new IntegratedGradients(3, Quadrature.RIEMANN_TRAPEZOID, baseline).explain(m, x, Target.of(1));
        float[] w = m.weights().get(0).value().contiguous().toFloatArray();
        float[] xv = x.toFloatArray(), b = baseline.toFloatArray();
        float[] want = new float[20];
        for (int i = 0; i < 4; i++) for (int f = 0; f < 5; f++) want[i * 5 + f] = (xv[i * 5 + f] - b[f]) * w[f * 3 + 1];
        assertAllClose(a.values().toFloatArray(), want, 1e-5, 1e-6);
        for (double e : a.completenessErrors()) assertEquals(0, e, 1e-5);
        assertThrows(IllegalArgumentException.class, () -> new IntegratedGradients(3, Quadrature.GAUSS_LEGENDRE, Tensor.zeros(4)).explain(m, x, Target.of(1)));
    }

    @Test
    void theTrapezoidRuleHasCaptumsNodesAndWeights() {
        double[][] r = Quadrature.RIEMANN_TRAPEZOID.nodesAndWeights(5);
        assertAllClose(r[0], new double[] {0, 0.25, 0.5, 0.75, 1}, 0, 1e-15);
        assertAllClose(r[1], new double[] {0.125, 0.25, 0.25, 0.25, 0.125}, 0, 1e-15);
    }

    @Test
    void gaussLegendreHasTheKnownNodesAndIntegratesPolynomialsOfDegree2nMinus1Exactly() {
        double[][] two = Quadrature.GAUSS_LEGENDRE.nodesAndWeights(2);
        assertAllClose(two[0], new double[] {0.5 - 0.5 / Math.sqrt(3), 0.5 + 0.5 / Math.sqrt(3)}, 0, 1e-14);
        assertAllClose(two[1], new double[] {0.5, 0.5}, 0, 1e-14);
        double[][] three = Quadrature.GAUSS_LEGENDRE.nodesAndWeights(3);
        assertAllClose(three[1], new double[] {5 / 18.0, 8 / 18.0, 5 / 18.0}, 0, 1e-14);
        for (int n : new int[] {1, 4, 7, 50, 64}) {
            double[][] r = Quadrature.GAUSS_LEGENDRE.nodesAndWeights(n);
            int degree = 2 * n - 1;
            double integral = 0, weights = 0;
            for (int j = 0; j < n; j++) {
                integral += r[1][j] * Math.pow(r[0][j], degree);
                weights += r[1][j];
                if (j > 0) assertTrue(r[0][j] > r[0][j - 1], "nodes increase");
            }
            assertEquals(1.0, weights, 1e-13, n + " points");
            assertEquals(1.0 / (degree + 1), integral, 1e-12, n + " points: ∫ α^" + degree);
        }
    }
}
