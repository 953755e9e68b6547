package dev.myelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The seed CNN trained in Myelin (one epoch on the bundled Fashion-MNIST subset), exported to ONNX and run
 * in ONNX Runtime, classifies the 2,000 test images exactly as Myelin does: the same test accuracy.
 */
class FashionMnistAccuracyTest {
    @Test
    void trainedCnnHasTheSameTestAccuracyInOnnxRuntime() throws Exception {
        Path dir = subset();
        TrainTest data = FashionMnist.load(dir);
        Tensor x = data.train().x().div(255.0), y = data.train().y();
        Tensor testX = data.test().x().div(255.0), testY = data.test().y();
        Sequential cnn = SeedModels.cnnMnist();
        cnn.seed(7);
        cnn.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        cnn.fit(x, y, FitOptions.epochs(1).batchSize(64).seed(7).verbose(0));
        Tensor myelin = cnn.predict(testX);
        Tensor ort = OnnxRuntime.run(OnnxExport.toBytes(cnn), List.of(testX)).getFirst();
        double accMyelin = accuracy(myelin, testY), accOrt = accuracy(ort, testY);
        System.out.printf(Locale.ROOT, "seed CNN, 1 epoch on %d images: test accuracy %.4f in Myelin, %.4f in ONNX Runtime (%d test images), max |p diff| %.2e%n",
                x.shape().dim(0), accMyelin, accOrt, testY.shape().dim(0), OnnxRuntime.maxAbsDiff(myelin, ort));
        assertEquals(accMyelin, accOrt, "test accuracy");
        assertTrue(accMyelin > 0.7, "the model learned (accuracy " + accMyelin + ")");
        assertTrue(OnnxRuntime.maxAbsDiff(myelin, ort) <= 1e-5);
    }

    private static double accuracy(Tensor probabilities, Tensor labels) {
        float[] p = probabilities.toFloatArray();
        float[] l = labels.toFloatArray();
        int classes = probabilities.shape().dim(1), right = 0;
        for (int i = 0; i < l.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + best]) best = c;
            if (best == (int) l[i]) right++;
        }
        return (double) right / l.length;
    }

    private static Path subset() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("data/fashion-mnist-subset");
            if (Files.isDirectory(candidate)) return candidate;
        }
        assumeTrue(false, "skipped: no data/fashion-mnist-subset above " + here);
        return null;
    }
}
