package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checks that attributions mean something, on a CNN trained in the test (a few seconds) to tell in which
 * quadrant of an 8×8 image a bright blob lies.
 */
class SanityChecksTest {
    static Model model;
    static Tensor x;

    @BeforeAll
    static void train() {
        model = ExplainModels.trainedQuadrantCnn();
        Tensor[] test = ExplainModels.quadrants(64, 77);
        x = test[0];
        int[] predicted = model.predict(x).argmax(1).toIndexArray(4, "class");
        int[] truth = test[1].toIndexArray(4, "class");
        int right = 0;
        for (int i = 0; i < predicted.length; i++) right += predicted[i] == truth[i] ? 1 : 0;
        assertTrue(right >= 60, "the quadrant model should learn its task: " + right + " / 64");
    }

    @Test
    void spearmanRanksWithTiesAveraged() {
        assertAllClose(RankCorrelation.ranks(new double[] {3, 1, 2, 2}), new double[] {4, 1, 2.5, 2.5}, 0, 0);
        assertEquals(1, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1}), 1e-12);
        assertEquals(0, RankCorrelation.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3}), 0);
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).correlation = 0.8
        assertEquals(0.8, RankCorrelation.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), 1e-12);
    }

    @Test
    void randomizingTheLayersFromTheTopDownDestroysTheGradientAttributions() {
        Tensor before = model.predict(x);
        for (AttributionMethod method : List.of(new Saliency(), new IntegratedGradients(16, Quadrature.GAUSS_LEGENDRE), new GradCam("conv"))) {
            Tensor original = method.explain(model, x, Target.predicted()).values();
            List<CascadingRandomization.Step> steps = CascadingRandomization.run(model, x, method, Target.predicted(), 1);
            assertEquals(3, steps.size(), "one step per layer with weights: " + steps);
            assertEquals("conv", steps.get(2).layer(), "the convolution is randomized last");
            System.out.println("cascading randomization, " + method.name() + ": " + steps);
            double lowest = 1;
            for (CascadingRandomization.Step step : steps) {
                assertTrue(step.rankCorrelation() < 0.9, method.name() + ": every randomized model gives other attributions " + steps);
                lowest = Math.min(lowest, step.rankCorrelation());
            }
            // Integrated Gradients multiplies by (x − baseline), so it keeps the input's structure (the bright
            // blob) whatever the weights; Adebayo et al. saw the same for gradient × input and IG
            double bound = method instanceof IntegratedGradients ? 0.7 : 0.3;
            assertTrue(lowest < bound, method.name() + ": the correlation falls below " + bound + " " + steps);
            // the model is restored: same predictions and attributions as before
            assertAllClose(model.predict(x), before, 0, 0);
            assertAllClose(method.explain(model, x, Target.predicted()).values(), original, 0, 0);
            assertEquals(1.0, CascadingRandomization.meanCorrelation(original, original), 1e-12);
        }
    }

    @Test
    void deletingTheMostAttributedPixelsFirstLowersTheProbabilityFasterThanRandomDeletion() {
        for (AttributionMethod method : List.of(new Saliency(), new IntegratedGradients(16, Quadrature.GAUSS_LEGENDRE), new GradCam("conv"), new Occlusion(2, 1, 0))) {
            Attribution a = method.explain(model, x, Target.predicted());
            DeletionCurve curve = DeletionCurve.measure(model, x, a.values(), a.targets(), 16, 0, 3);
            assertEquals(curve.attributed()[0], curve.random()[0], 1e-6, "nothing removed: the same images");
            assertEquals(curve.attributed()[16], curve.random()[16], 1e-6, "everything removed: the same blank images");
            System.out.println("deletion, " + method.name() + ": area " + curve.attributedArea() + " vs random " + curve.randomArea());
            assertTrue(curve.attributedArea() < curve.randomArea() - 0.1, method.name() + ": area " + curve.attributedArea() + " vs random " + curve.randomArea());
        }
    }
}
