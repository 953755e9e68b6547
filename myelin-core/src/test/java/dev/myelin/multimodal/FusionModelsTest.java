package dev.myelin.multimodal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.multimodal.FusionModels.Fusion;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.layers.GatedFusion;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each fusion trains on a synthetic task where every modality carries one bit of an 8-class label,
 * {@code label = imageBit + 2·textBit + 4·tableBit}: the image has a bright 3×3 blob in its left or right
 * half, the text holds word 2 or 3 among filler words, the first tabular feature is about −1.5 or +1.5.
 * A model that ignored any one modality could reach at most 50% accuracy; each fused model must pass 85%.
 */
class FusionModelsTest {
    private record Data(List<Tensor> xs, Tensor y, int[] labels) {}

    private static Data data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] img = new double[n * 64], txt = new double[n * 6], tab = new double[n * 4], y = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int a = r.nextInt(2), b = r.nextInt(2), c = r.nextInt(2);
            labels[i] = a + 2 * b + 4 * c;
            y[i] = labels[i];
            for (int p = 0; p < 64; p++) img[i * 64 + p] = r.nextDouble(0, 0.3);
            int row = r.nextInt(6), col = (a == 0 ? 0 : 4) + r.nextInt(2);
            for (int dr = 0; dr < 3; dr++) for (int dc = 0; dc < 3; dc++) img[i * 64 + (row + dr) * 8 + col + dc] += 1;
            int words = 1 + r.nextInt(5), key = r.nextInt(words + 1);
            for (int t = 0, w = 0; t <= words; t++) txt[i * 6 + w++] = t == key ? 2 + b : 4 + r.nextInt(6);
            for (int f = 0; f < 4; f++) tab[i * 4 + f] = r.nextGaussian();
            tab[i * 4] = (c == 0 ? -1.5 : 1.5) + 0.3 * r.nextGaussian();
        }
        return new Data(List.of(Tensor.of(img, n, 8, 8, 1).to(dev.myelin.backend.DType.FLOAT32), Tensor.of(txt, n, 6),
                Tensor.of(tab, n, 4).to(dev.myelin.backend.DType.FLOAT32)), Tensor.of(y, n), labels);
    }

    private static double accuracy(Model m, Data d) {
        try (var g = NoGrad.scope()) {
            int[] predicted = m.call(d.xs(), false).get(0).argmax(1).toIndexArray(8, "class");
            int right = 0;
            for (int i = 0; i < predicted.length; i++) if (predicted[i] == d.labels()[i]) right++;
            return right / (double) predicted.length;
        }
    }

    @Test
    void everyFusionLearnsFromAllThreeModalities() {
        Data train = data(768, 1), test = data(256, 2);
        for (Fusion fusion : Fusion.values()) {
            Model m = FusionModels.classifier(fusion, new int[] {8, 8, 1}, 6, 10, 4, 8, 8).seed(3);
            m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
            History h = m.fit(train.xs(), List.of(train.y()), FitOptions.epochs(12).batchSize(32).seed(4).verbose(0));
            List<Double> loss = h.get("loss");
            assertTrue(loss.getLast() < 0.4 * loss.getFirst(), fusion + ": the loss should fall, " + loss);
            double acc = accuracy(m, test);
            assertTrue(acc >= 0.85, fusion + ": held-out accuracy " + acc + " (ignoring one modality caps it at 0.5); losses " + loss);
        }
    }

    @Test
    void fusionLayersAreWhereTheyShouldBe() {
        Model gated = FusionModels.classifier(Fusion.GATED, new int[] {8, 8, 1}, 6, 10, 4, 8, 8);
        assertEquals(1, gated.layers().stream().filter(l -> l instanceof GatedFusion).count());
        Model cross = FusionModels.classifier(Fusion.CROSS_ATTENTION, new int[] {8, 8, 1}, 6, 10, 4, 8, 8);
        assertEquals(1, cross.layers().stream().filter(l -> l instanceof MultiHeadAttention).count());
        assertEquals(Shape.of(8), cross.outputs().get(0).shape());
        assertEquals(3, cross.inputs().size());
    }
}
