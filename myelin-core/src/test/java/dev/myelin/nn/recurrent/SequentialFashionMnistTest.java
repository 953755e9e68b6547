package dev.myelin.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluation;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Seeded convergence: the seed LSTM, one epoch on the bundled 10,000-image subset read row by row (28 × 28). */
class SequentialFashionMnistTest {
    @Test
    void seedLstmLearnsSequentialFashionMnist() throws IOException {
        Path dir = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && dir == null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data/fashion-mnist-subset"))) dir = p.resolve("data/fashion-mnist-subset");
        }
        assertNotNull(dir, "data/fashion-mnist-subset not found");
        TrainTest data = FashionMnist.load(dir);
        Tensor x = data.train().x().reshape(-1, 28, 28).div(255.0), y = data.train().y();
        Sequential model = SeedModels.lstm();
        model.seed(42);
        model.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        model.fit(x, y, FitOptions.epochs(1).batchSize(32).seed(42).verbose(0));
        Evaluation test = model.evaluate(data.test().x().reshape(-1, 28, 28).div(255.0), data.test().y(), 256);
        assertTrue(test.get("accuracy") > 0.65, "test accuracy after one epoch on 10k: " + test.get("accuracy"));
    }
}
