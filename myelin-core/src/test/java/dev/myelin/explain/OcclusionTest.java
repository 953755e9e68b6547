package dev.myelin.explain;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Occlusion on linear scores, where every drop is known. */
class OcclusionTest {
    @Test
    void onTabularDataAOneFeatureWindowGivesWeightTimesValue() {
        Model m = ExplainModels.linear(5, 3, 8);
        Tensor x = Tensor.randn(ExplainModels.rng(9), 3, 5);
        Attribution a = new Occlusion(1, 1, 0).explain(m, x, Target.of(2));
        float[] w = m.weights().get(0).value().contiguous().toFloatArray(), xv = x.toFloatArray();
        float[] want = new float[15];
        for (int i = 0; i < 3; i++) for (int f = 0; f < 5; f++) want[i * 5 + f] = xv[i * 5 + f] * w[f * 3 + 2];
        assertAllClose(a.values().toFloatArray(), want, 1e-5, 1e-6);
    }

    @Test
    void onImagesEachPixelGetsTheMeanDropOfThePatchesCoveringIt() {
        // score = Σ pixels (every weight 1): a patch's drop is the sum of the pixels it covers
        Model m = new Sequential(new Flatten().inputShape(3, 3, 1), new Dense(1));
        m.build();
        ExplainModels.set(m.layers().get(1), "kernel", Tensor.ones(9, 1));
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        // 2×2 patches with stride 1 at (0,0) sum 12, (0,1) 16, (1,0) 24, (1,1) 28
        Attribution a = new Occlusion(2, 1, 0, 3).explain(m, x, Target.of(0));
        assertAllClose(a.values().toFloatArray(), new float[] {
                12, (12 + 16) / 2f, 16,
                (12 + 24) / 2f, (12 + 16 + 24 + 28) / 4f, (16 + 28) / 2f,
                24, (24 + 28) / 2f, 28}, 1e-6, 1e-5);
        assertArrayEquals(new int[] {1, 3, 3, 1}, a.values().shape().toArray());
        // stride 2: only the patch at (0,0) fits; the uncovered pixels get 0; baseline 1 lowers each drop by 4
        Attribution b = new Occlusion(2, 2, 1).explain(m, x, Target.of(0));
        assertAllClose(b.values().toFloatArray(), new float[] {8, 8, 0, 8, 8, 0, 0, 0, 0}, 1e-6, 1e-5);
    }

    @Test
    void onSequencesAWindowOccludesEveryFeatureOfItsSteps() {
        Model m = new Sequential(new Flatten().inputShape(4, 2), new Dense(1));
        m.build();
        ExplainModels.set(m.layers().get(1), "kernel", Tensor.ones(8, 1));
        Tensor x = Tensor.of(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, 1, 4, 2);
        Attribution a = new Occlusion(2, 2, 0).explain(m, x, Target.of(0));
        assertAllClose(a.values().toFloatArray(), new float[] {6, 6, 14, 14}, 1e-6, 1e-5);
        assertArrayEquals(new int[] {1, 4, 1}, a.values().shape().toArray());
    }
}
