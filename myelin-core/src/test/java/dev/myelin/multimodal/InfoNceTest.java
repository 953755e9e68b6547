package dev.myelin.multimodal;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** InfoNCE against a hand-computed case, its float64 gradient (temperature included), the clamp and bad input. */
class InfoNceTest {
    private static Tensor t(double[] v, int... shape) {
        return Tensor.of(v, shape);
    }

    /**
     * image rows (1, 0), (0, 1); text rows (1, 0), (1, 1) (normalized (1/√2, 1/√2)); log scale ln 2, so
     * L = 2·[[1, 1/√2], [0, 1/√2]]. Rows: −log(e²/(e² + e^√2)), −log(e^√2/(1 + e^√2)); columns:
     * −log(e²/(e² + 1)), ln 2 (two equal logits). The loss is the mean of the row mean and the column mean.
     */
    @Test
    void handComputedCase() {
        Tensor image = t(new double[] {1, 0, 0, 1}, 2, 2);
        Tensor text = t(new double[] {1, 0, 1, 1}, 2, 2);
        Tensor logScale = t(new double[] {Math.log(2)}, 1);
        double a = Math.sqrt(2);
        assertAllClose(new double[] {2, a, 0, a}, InfoNce.logits(image, text, logScale).toDoubleArray(), 1e-12, 1e-12);
        double r0 = -Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(a))), r1 = -Math.log(Math.exp(a) / (1 + Math.exp(a)));
        double c0 = -Math.log(Math.exp(2) / (Math.exp(2) + 1)), c1 = Math.log(2);
        double expected = ((r0 + r1) / 2 + (c0 + c1) / 2) / 2;
        assertEquals(0.37006112293079546, expected, 1e-15, "the formula above, evaluated by hand in Python");
        assertEquals(expected, InfoNce.loss(image, text, logScale).item(), 1e-12);
        // float32 inputs give the same loss to float32 precision
        assertEquals(expected, InfoNce.loss(image.to(DType.FLOAT32), text.to(DType.FLOAT32), logScale.to(DType.FLOAT32)).item(), 1e-6);
    }

    @Test
    void initialScaleIsClipsTemperature() {
        assertEquals(1 / 0.07, Math.exp(InfoNce.INITIAL_LOG_SCALE), 1e-9);
        assertEquals(100, Math.exp(InfoNce.MAX_LOG_SCALE), 1e-9);
    }

    @Test
    void gradientInEmbeddingsAndTemperature() {
        SplittableRandom r = new SplittableRandom(3);
        for (int[] bd : new int[][] {{2, 3}, {5, 4}, {7, 9}}) {
            Tensor image = Tensor.uniform(r, -1, 1, bd).to(DType.FLOAT64);
            Tensor text = Tensor.uniform(r, -1, 1, bd).to(DType.FLOAT64);
            // log scales below the clamp: 0 and CLIP's initial value (the logits up to 14 times the cosines)
            for (double s : new double[] {0.3, InfoNce.INITIAL_LOG_SCALE}) {
                GradCheck.check(in -> InfoNce.loss(in[0], in[1], in[2]), 1e-6, 1e-5, 1e-8, image, text, t(new double[] {s}, 1));
            }
        }
    }

    @Test
    void scaleIsClampedAtOneHundred() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor image = Tensor.uniform(r, -1, 1, 3, 4).to(DType.FLOAT64);
        Tensor text = Tensor.uniform(r, -1, 1, 3, 4).to(DType.FLOAT64);
        Tensor atMax = t(new double[] {InfoNce.MAX_LOG_SCALE}, 1);
        Tensor above = t(new double[] {InfoNce.MAX_LOG_SCALE + 1}, 1).requiresGrad(true);
        assertAllClose(InfoNce.logits(image, text, atMax).toDoubleArray(), InfoNce.logits(image, text, above).toDoubleArray(), 1e-12, 1e-12);
        double[] cosines = InfoNce.normalize(image).matmul(InfoNce.normalize(text).mT()).toDoubleArray();
        double[] logits = InfoNce.logits(image, text, above).toDoubleArray();
        for (int i = 0; i < cosines.length; i++) assertEquals(100 * cosines[i], logits[i], 1e-9);
        InfoNce.loss(image, text, above).backward();
        assertEquals(0.0, above.grad().item(), "no gradient pushes the log scale further above the clamp");
    }

    @Test
    void perfectPairsGiveALowLoss() {
        Tensor e = Tensor.eye(4).to(DType.FLOAT64);
        double loss = InfoNce.loss(e, e, t(new double[] {InfoNce.MAX_LOG_SCALE}, 1)).item();
        assertTrue(loss >= 0 && loss < 1e-40, "orthogonal matching pairs at scale 100 give log(1 + 3e^-100): loss " + loss);
    }

    @Test
    void badInput() {
        Tensor s = Tensor.of(new double[] {1}, 1);
        var counts = assertThrows(IllegalArgumentException.class, () -> InfoNce.loss(Tensor.zeros(3, 4), Tensor.zeros(2, 4), s));
        assertTrue(counts.getMessage().contains("3 image and 2 text"), counts.getMessage());
        var one = assertThrows(IllegalArgumentException.class, () -> InfoNce.loss(Tensor.ones(1, 4), Tensor.ones(1, 4), s));
        assertTrue(one.getMessage().contains("at least 2 pairs"), one.getMessage());
        var width = assertThrows(IllegalArgumentException.class, () -> InfoNce.loss(Tensor.ones(2, 4), Tensor.ones(2, 3), s));
        assertTrue(width.getMessage().contains("one width, got 4 and 3"), width.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> InfoNce.loss(Tensor.ones(2, 4, 1), Tensor.ones(2, 4), s));
        assertTrue(rank.getMessage().contains("[pairs, dim]"), rank.getMessage());
        var scale = assertThrows(IllegalArgumentException.class, () -> InfoNce.loss(Tensor.ones(2, 4), Tensor.ones(2, 4), Tensor.ones(2)));
        assertTrue(scale.getMessage().contains("one value"), scale.getMessage());
    }
}
