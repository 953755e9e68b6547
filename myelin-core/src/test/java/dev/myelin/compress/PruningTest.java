package dev.myelin.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.LambdaCallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PolynomialDecay schedule by hand, masks that keep pruned weights at zero through training, compact files. */
class PruningTest {
    @TempDir
    Path folder;

    @Test
    void polynomialDecayMatchesTheFormula() {
        PolynomialDecaySparsity s = new PolynomialDecaySparsity(0.1, 0.9, 10, 110, 3, 20);
        assertEquals(0.1, s.sparsity(0), 1e-12);
        assertEquals(0.1, s.sparsity(10), 1e-12);
        assertEquals(0.9 - 0.8 * 0.125, s.sparsity(60), 1e-12); // (1 - 50/100)^3 = 1/8
        assertEquals(0.9 - 0.8 * Math.pow(0.25, 3), s.sparsity(85), 1e-12);
        assertEquals(0.9, s.sparsity(110), 1e-12);
        assertEquals(0.9, s.sparsity(1000), 1e-12);
        assertTrue(s.shouldPrune(10));
        assertTrue(s.shouldPrune(30));
        assertTrue(s.shouldPrune(110));
        assertFalse(s.shouldPrune(31));
        assertFalse(s.shouldPrune(5));
        assertFalse(s.shouldPrune(130));
        assertThrows(IllegalArgumentException.class, () -> PolynomialDecaySparsity.of(0, 1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> PolynomialDecaySparsity.of(0, 0.5, 10, 10));
    }

    private static Sequential classifier(int in) {
        Sequential m = new Sequential(new Dense(16, Activation.RELU).inputShape(in), new Dense(3, Activation.SOFTMAX));
        m.seed(3);
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        return m;
    }

    @Test
    void prunedWeightsStayZeroThroughTraining() {
        Sequential m = classifier(8);
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = Tensor.normal(r, 0, 1, 128, 8);
        float[] labels = new float[128];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(3);
        Tensor y = Tensor.of(labels, 128);
        PolynomialDecaySparsity schedule = new PolynomialDecaySparsity(0, 0.75, 0, 12, 3, 4);
        PruneCallback prune = new PruneCallback(m, schedule);
        assertEquals(2, prune.weights().size());
        List<boolean[]> zerosBefore = new ArrayList<>();
        for (Parameter p : prune.weights()) zerosBefore.add(new boolean[p.value().size()]);
        int[] checks = {0};
        LambdaCallback check = LambdaCallback.onBatchEnd((batch, logs) -> {
            long step = m.optimizer().iterations() - 1;
            long lastUpdate = Math.min(12, step / 4 * 4);
            for (int w = 0; w < prune.weights().size(); w++) {
                float[] v = prune.weights().get(w).value().toFloatArray();
                boolean[] was = zerosBefore.get(w);
                int zeros = 0;
                for (int i = 0; i < v.length; i++) {
                    if (was[i]) assertEquals(0f, v[i], "step " + step + ": weight " + i + " was pruned and came back");
                    was[i] = v[i] == 0;
                    if (was[i]) zeros++;
                }
                assertEquals(Math.round(schedule.sparsity(lastUpdate) * v.length), zeros, "step " + step);
            }
            checks[0]++;
        });
        m.fit(x, y, FitOptions.epochs(3).batchSize(16).seed(1).verbose(0).callbacks(prune, check));
        assertEquals(24, checks[0]);
        for (Parameter p : prune.weights()) assertEquals(0.75, Pruning.sparsity(p), 1.0 / p.value().size());
        assertTrue(Double.isFinite(m.evaluate(x, y).values().get("loss")));
    }

    @Test
    void compressedFilesOfPrunedModelsAreSmallAndLoadTheSame() throws Exception {
        Sequential m = new Sequential(new Flatten().inputShape(28, 28, 1), new Dense(64, Activation.RELU), new Dense(10, Activation.SOFTMAX));
        m.seed(1);
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = Tensor.uniform(r, 0, 1, 64, 28, 28, 1);
        float[] labels = new float[64];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(10);
        PruneCallback prune = new PruneCallback(m, new PolynomialDecaySparsity(0.9, 0.9, 0, 1, 1, 1));
        m.fit(x, Tensor.of(labels, 64), FitOptions.epochs(1).batchSize(32).verbose(0).callbacks(prune));
        assertEquals(0.9, Pruning.sparsity(prune.weights()), 0.001);
        Path plain = folder.resolve("plain.myelin"), small = folder.resolve("small.myelin");
        m.save(plain);
        Pruning.saveCompressed(m, small);
        double ratio = (double) Files.size(small) / Files.size(plain);
        assertTrue(ratio < 0.1, "compressed / stored (with Adam's slots) = " + ratio);
        Model loaded = Model.load(small);
        assertTrue(loaded.isCompiled());
        assertArrayEquals(m.predict(x).toFloatArray(), loaded.predict(x).toFloatArray());
        assertEquals(0.9, Pruning.sparsity(PruneCallback.kernels(loaded)), 0.001);
        assertEquals(1, Files.list(folder).filter(p -> p.getFileName().toString().startsWith(".stored-")).count() == 0 ? 1 : 0, "temporary file left behind");
    }
}
