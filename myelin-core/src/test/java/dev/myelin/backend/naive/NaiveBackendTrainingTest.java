package dev.myelin.backend.naive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.zoo.SeedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Backend independence: the seed MLP and the seed CNN, trained a few seeded steps on a slice of the bundled
 * Fashion-MNIST subset, reach the same losses on the naive test backend (its own storage, every fused kernel
 * composed from the primitives) as on the default (CPU) backend, within float32 tolerance.
 */
class NaiveBackendTrainingTest {

    @Test
    void seedMlpTrainsToTheSameLoss() throws IOException {
        assertSameLosses("mlp", SeedModels::mlp, 256);
    }

    @Test
    void seedCnnTrainsToTheSameLoss() throws IOException {
        assertSameLosses("cnn", SeedModels::cnnMnist, 64);
    }

    private static void assertSameLosses(String name, Supplier<Sequential> model, int images) throws IOException {
        TrainTest data = FashionMnist.load(dataDir());
        float[] x = data.train().x().slice(0, 0, images).toFloatArray();
        float[] y = data.train().y().slice(0, 0, images).toFloatArray();
        List<Double> cpu = train(Backends.defaultBackend(), model, x, y, images);
        List<Double> naive = train(new NaiveBackend(), model, x, y, images);
        assertTrue(cpu.get(cpu.size() - 1) < cpu.get(0), name + " does not learn on the default backend: " + cpu);
        for (int e = 0; e < cpu.size(); e++) {
            assertEquals(cpu.get(e), naive.get(e), 1e-4 * Math.abs(cpu.get(e)),
                    name + " epoch " + e + " loss: default backend " + cpu + ", naive backend " + naive);
        }
    }

    /** Losses per epoch of the seeded model trained on {@code backend}, its data uploaded there too. */
    private static List<Double> train(Backend backend, Supplier<Sequential> model, float[] x, float[] y, int images) {
        try (var scope = Backends.use(backend)) {
            Tensor xs = Tensor.of(x, images, 28, 28, 1).div(255.0), ys = Tensor.of(y, images);
            assertEquals(backend, xs.backend());
            Sequential m = model.get();
            m.seed(42);
            m.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
            History h = m.fit(xs, ys, FitOptions.epochs(3).batchSize(32).seed(7).verbose(0));
            assertEquals(backend, m.weights().get(0).value().backend(), "weights live on the backend under test");
            return h.get("loss");
        }
    }

    private static Path dataDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data/fashion-mnist-subset"))) return p.resolve("data/fashion-mnist-subset");
        }
        throw new IllegalStateException("data/fashion-mnist-subset not found above " + Path.of("").toAbsolutePath());
    }
}
