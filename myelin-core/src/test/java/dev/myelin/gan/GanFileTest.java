package dev.myelin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GAN saved mid-training loads with both models, both optimizers and its latent generator: it generates and trains on identically. */
class GanFileTest {
    @TempDir
    Path dir;

    private static void assertSameWeights(List<Parameter> a, List<Parameter> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).name(), b.get(i).name());
            assertArrayEquals(a.get(i).value().toFloatArray(), b.get(i).value().toFloatArray(), a.get(i).name());
        }
    }

    @Test
    void aCompiledGanRoundTripsAndTrainsOnIdentically() throws IOException {
        GAN gan = new GAN(GanModels.denseGenerator().seed(11), GanModels.denseDiscriminator().seed(12)).seed(13).labelSmoothing(0.1).compile();
        Tensor real = Tensor.rand(java.util.random.RandomGenerator.of("L64X128MixRandom"), 64, 784);
        gan.fit(real, FitOptions.epochs(1).batchSize(32).seed(5).verbose(0));
        Path file = dir.resolve("gan.myelin");
        gan.save(file);
        GAN loaded = GAN.load(file);
        assertEquals(gan.summary().replace(gan.name(), "X"), loaded.summary().replace(loaded.name(), "X"));
        assertEquals(0.1, loaded.labelSmoothing());
        assertSameWeights(gan.weights(), loaded.weights());
        assertArrayEquals(gan.generate(4).toFloatArray(), loaded.generate(4).toFloatArray(), "the latent generator continues where it was");
        gan.fit(real, FitOptions.epochs(1).batchSize(32).seed(6).verbose(0));
        loaded.fit(real, FitOptions.epochs(1).batchSize(32).seed(6).verbose(0));
        assertSameWeights(gan.weights(), loaded.weights());
    }

    @Test
    void modelAndGanFilesAreNotConfused() throws IOException {
        GAN gan = new GAN(GanModels.denseGenerator().seed(1), GanModels.denseDiscriminator().seed(2));
        Path ganFile = dir.resolve("gan.myelin");
        gan.save(ganFile);
        var e = assertThrows(FileFormatException.class, () -> Model.load(ganFile));
        assertTrue(e.getMessage().contains("holds a GAN") && e.getMessage().contains("GAN.load"), e.getMessage());
        Path modelFile = dir.resolve("m.myelin");
        new Sequential(new Dense(2).inputShape(3)).save(modelFile);
        var e2 = assertThrows(FileFormatException.class, () -> GAN.load(modelFile));
        assertTrue(e2.getMessage().contains("not a GAN") && e2.getMessage().contains("Model.load"), e2.getMessage());
        GAN uncompiled = GAN.load(ganFile);
        assertSameWeights(gan.weights(), uncompiled.weights());
    }
}
