package dev.myelin.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.FashionMnist;
import dev.myelin.io.PngWriter;
import dev.myelin.losses.BinaryCrossentropy;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.Gradients;
import dev.myelin.train.History;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's custom-loop and GAN examples, as written there (on 640 images). */
class ReadmeGanExampleTest {
    @TempDir
    Path tmp;

    @Test
    void customLoopExample() throws Exception {
        Tensor images = GanTest.flatScaled(FashionMnist.load(GanTest.subsetDir()).train().x(), 640);
        Sequential g = new Sequential(new Dense(128, Activation.RELU).inputShape(100), new Dense(784, Activation.TANH)).seed(1);
        Sequential d = new Sequential(new Dense(128, Activation.RELU).inputShape(784), new Dense(1)).seed(2);  // logits
        var bce = new BinaryCrossentropy(true);                      // from logits: stable
        Optimizer gOpt = new Adam(2e-4).beta1(0.5), dOpt = new Adam(2e-4).beta1(0.5);
        var rng = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
        for (int step = 0; step < 3; step++) {
            Tensor real = images.slice(0, 32 * step, 32 * step + 32);           // [32, 784] in [-1, 1]
            Tensor fake = g.call(Tensor.normal(rng, 0, 1, 32, 100), true).detach();
            Tensor labels = Tensor.concat(List.of(Tensor.ones(32, 1), Tensor.zeros(32, 1)), 0);
            Tensor dLoss = bce.compute(labels, d.call(Tensor.concat(List.of(real, fake), 0), true));
            dOpt.applyGradients(Gradients.of(dLoss, d.trainableWeights()), d.trainableWeights());
            // generator step through the frozen discriminator: only g's weights get gradients and updates
            Tensor gLoss = bce.compute(Tensor.ones(32, 1), d.call(g.call(Tensor.normal(rng, 0, 1, 32, 100), true), true));
            gOpt.minimize(gLoss, g.trainableWeights());
        }
        assertEquals(3, gOpt.iterations());
        assertEquals(3, dOpt.iterations());
        for (Parameter p : d.weights()) assertNull(p.grad());
    }

    @Test
    void ganExample() throws Exception {
        Tensor images = GanTest.flatScaled(FashionMnist.load(GanTest.subsetDir()).train().x(), 640);
        Path out = tmp.resolve("myelin-out/samples.png");
        GAN gan = new GAN(GanModels.denseGenerator().seed(1), GanModels.denseDiscriminator().seed(2)).seed(3);
        gan.compile(new Adam(2e-4).beta1(0.5), new Adam(2e-4).beta1(0.5)).labelSmoothing(0.1);
        History h = gan.fit(images, FitOptions.epochs(2).batchSize(64).verbose(0));
        PngWriter.writeGrid(gan.generate(64).reshape(64, 28, 28, 1), 8, -1, 1, 2, out);
        assertEquals(2, h.get("g_loss").size());
        assertTrue(Files.size(out) > 0);
    }
}
