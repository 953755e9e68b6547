package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.BackupAndRestore;
import dev.myelin.train.FitOptions;
import dev.myelin.train.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Keeping what was trained" examples, as written there, on a small synthetic classifier. */
class ReadmeSavingExampleTest {
    @TempDir
    Path dir;

    private static Tensor features(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n * 8];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1);
        return Tensor.of(v, n, 8).to(DType.FLOAT32);
    }

    private static Tensor labels(Tensor x, int classes) { // the class is a function of the features: learnable
        float[] f = x.toFloatArray();
        double[] y = new double[x.dim(0)];
        for (int i = 0; i < y.length; i++) y[i] = Math.floorMod((int) Math.floor((f[8 * i] + f[8 * i + 1] + 2) * classes / 4.0), classes);
        return Tensor.of(y, y.length).to(DType.FLOAT32);
    }

    @Test
    void theReadmeExamplesRunAsWritten() throws IOException {
        Path cwd = dir;
        Tensor x = features(1, 256), y = labels(x, 10);
        Sequential model = new Sequential(new Dense(32, Activation.RELU).inputShape(8), new Dense(16, Activation.RELU), new Dense(10, Activation.SOFTMAX));
        model.seed(1);
        model.compile(new Adam(1e-2), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        model.fit(x, y, FitOptions.epochs(3).seed(7).verbose(0));

        model.classNames(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"));
        model.save(cwd.resolve("fashion.myelin"));
        Model again = Model.load(cwd.resolve("fashion.myelin"));
        model.saveWeights(cwd.resolve("fashion.safetensors"));
        again.loadWeights(cwd.resolve("fashion.safetensors"));
        String json = model.toJson();
        assertEquals(json, Model.fromJson(json).toJson());
        assertArrayEquals(model.predict(x).toFloatArray(), again.predict(x).toFloatArray());

        model.fit(x, y, FitOptions.epochs(4).seed(7).validationSplit(0.1).verbose(0).callbacks(
                new BackupAndRestore(cwd.resolve("backup")),
                new ModelCheckpoint(cwd.resolve("ckpt") + "/model-{epoch:02d}-{val_loss:.4f}.myelin").saveBestOnly(true)));
        try (var files = Files.list(cwd.resolve("ckpt"))) {
            List<Path> saved = files.toList();
            assertFalse(saved.isEmpty(), "ModelCheckpoint saved the best epochs");
            for (Path p : saved) assertTrue(p.getFileName().toString().matches("model-0[1-4]-\\d\\.\\d{4}\\.myelin"), p.toString());
        }
        assertFalse(Files.exists(cwd.resolve("backup").resolve(BackupAndRestore.FILE_NAME)), "a completed run deletes its backup");

        Tensor xNew = features(2, 200), yNew = labels(xNew, 5);
        Sequential base = (Sequential) Model.load(cwd.resolve("fashion.myelin"));
        base.pop();
        base.trainable(false);
        float[] frozen = base.weights().get(0).value().toFloatArray();
        var transfer = new Sequential(base.asLayer(), new Dense(5, Activation.SOFTMAX));
        transfer.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        double before = transfer.evaluate(xNew, yNew).values().get("loss");
        transfer.fit(xNew, yNew, FitOptions.epochs(5).seed(3).verbose(0));
        assertArrayEquals(frozen, base.weights().get(0).value().toFloatArray(), "the frozen base did not change");
        assertTrue(transfer.evaluate(xNew, yNew).values().get("loss") < before, "the new head learned");
        base.trainable(true);
        transfer.compile(new Adam(1e-4), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        transfer.fit(xNew, yNew, FitOptions.epochs(2).seed(3).verbose(0));
        Parameter first = base.weights().get(0);
        assertFalse(java.util.Arrays.equals(frozen, first.value().toFloatArray()), "unfrozen, the base is fine-tuned");
    }
}
