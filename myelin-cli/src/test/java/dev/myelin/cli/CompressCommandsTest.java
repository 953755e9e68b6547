package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.compress.Pruning;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantize}, {@code prune} and {@code distill} on a CNN trained for one epoch on a small Fashion-MNIST folder. */
class CompressCommandsTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    @BeforeAll
    static void trainTinyCnn() {
        try {
            data = TinyData.fashion(dir, 300, 100);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        model = dir.resolve("cnn.myelin");
        TinyData.Result r = TinyData.run("train", "--model", "cnn", "--data", data.toString(), "--epochs", "1", "--seed", "7",
                "--out", dir.resolve("plots").toString(), "--save", model.toString());
        assertEquals(0, r.status(), r.err());
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void quantizeWritesAnInt8ModelAQuarterTheSizeThatPredictsLikeTheFloatOne() throws Exception {
        Path out = dir.resolve("cnn-int8.myelin");
        TinyData.Result r = TinyData.run("quantize", model.toString(), "--calibration", data.toString(), "--samples", "100", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(number(r.out(), "([0-9.]+)x smaller") > 3.5, r.out());
        double floatAccuracy = number(r.out(), "float32 accuracy ([0-9.]+)");
        double intAccuracy = number(r.out(), "int8 +accuracy ([0-9.]+)");
        assertTrue(Math.abs(floatAccuracy - intAccuracy) <= 0.03, "int8 should lose little on 100 test images: " + r.out());

        Model f = Model.load(model), q = Model.load(out);
        Tensor x = Tensor.rand(new Random(5), 16, 28, 28, 1);
        float[] pf = f.predict(x).toFloatArray(), pq = q.predict(x).toFloatArray();
        int agree = 0;
        for (int i = 0; i < 16; i++) agree += argmax(pf, i, 10) == argmax(pq, i, 10) ? 1 : 0;
        assertTrue(agree >= 14, "the loaded int8 model should mostly predict the float model's class: " + agree + " of 16");
    }

    @Test
    void quantizeBf16WritesAModelHalfTheSizeThatPredictsLikeTheFloatOne() throws Exception {
        Path out = dir.resolve("cnn-bf16.myelin");
        TinyData.Result r = TinyData.run("quantize", model.toString(), "--bf16", "--calibration", data.toString(), "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        double ratio = number(r.out(), "([0-9.]+)x smaller");
        assertTrue(ratio > 1.9 && ratio < 2.1, r.out());
        assertTrue(r.out().contains("AVX-512 BF16"), r.out());
        double floatAccuracy = number(r.out(), "float32 accuracy ([0-9.]+)");
        double bf16Accuracy = number(r.out(), "bf16 +accuracy ([0-9.]+)");
        assertTrue(Math.abs(floatAccuracy - bf16Accuracy) <= 0.02, "bf16 should lose almost nothing on 100 test images: " + r.out());

        Model f = Model.load(model), h = Model.load(out);
        assertTrue(h.layers().stream().anyMatch(l -> l instanceof dev.myelin.compress.bf16.Bf16Conv2D), "the loaded model has bf16 layers");
        Tensor x = Tensor.rand(new Random(6), 16, 28, 28, 1);
        float[] pf = f.predict(x).toFloatArray(), ph = h.predict(x).toFloatArray();
        for (int i = 0; i < pf.length; i++) assertEquals(pf[i], ph[i], 0.02, "probability " + i);
    }

    @Test
    void pruneReachesTheSparsityAndTheFileLoadsWithTheZerosKept() throws Exception {
        Path out = dir.resolve("cnn-pruned.myelin");
        TinyData.Result r = TinyData.run("prune", model.toString(), "--data", data.toString(), "--sparsity", "0.8", "--epochs", "2",
                "--frequency", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(0.8, number(r.out(), "kernel sparsity ([0-9.]+)"), 0.02, r.out());
        double deflated = number(r.out(), "\\(([0-9.]+) KB deflated"), stored = number(r.out(), "; ([0-9.]+) KB stored");
        assertTrue(deflated < stored / 2, "the pruned file should be compact: " + r.out());

        Model pruned = Model.load(out);
        List<Parameter> kernels = pruned.weights().stream().filter(p -> p.shortName().equals("kernel")).toList();
        assertFalse(kernels.isEmpty());
        assertEquals(0.8, Pruning.sparsity(kernels), 0.02, "the zeros survive saving and loading");
    }

    @Test
    void distillTrainsTheStudentAndTheStudentFromLabelsAndSavesTheFirst() throws Exception {
        Path out = dir.resolve("student.myelin");
        TinyData.Result r = TinyData.run("distill", model.toString(), "--student", "mlp", "--data", data.toString(), "--epochs", "1",
                "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        double distilled = number(r.out(), "distilled student \\([0-9,]+ params\\): test accuracy ([0-9.]+)");
        number(r.out(), "student from labels \\([0-9,]+ params\\): test accuracy ([0-9.]+)");
        assertTrue(distilled > 0.3, "a student trained one epoch on 300 images still learns something: " + r.out());
        Model student = Model.load(out);
        Tensor x = Tensor.rand(new Random(6), 4, 28, 28, 1);
        float[] p = student.predict(x).toFloatArray();
        for (int i = 0; i < 4; i++) {
            double sum = 0;
            for (int c = 0; c < 10; c++) sum += p[i * 10 + c];
            assertEquals(1.0, sum, 1e-5, "the saved student ends in a softmax");
        }
    }

    @Test
    void badArgumentsAreOneLineErrorsAndWriteNothing() {
        Path out = dir.resolve("never.myelin");
        String[][] cases = {
            {"quantize", model.toString(), "--observer", "median", "--out", out.toString(), "--observer must be minmax or percentile"},
            {"quantize", model.toString(), "--observer", "percentile", "--percentile", "20", "--out", out.toString(), "--percentile must be in (50, 100]"},
            {"prune", model.toString(), "--sparsity", "1", "--out", out.toString(), "--sparsity must be in [0, 1), got 1.0"},
            {"prune", model.toString(), "--sparsity", "0.5", "--epochs", "0", "--out", out.toString(), "--epochs"},
            {"distill", model.toString(), "--student", "mlp", "--epochs", "0", "--epochs"},
        };
        for (String[] c : cases) {
            TinyData.Result r = TinyData.run(java.util.Arrays.copyOf(c, c.length - 1));
            assertEquals(2, r.status(), String.join(" ", c) + "\n" + r.out() + r.err());
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        assertFalse(Files.exists(out));
    }

    private static int argmax(float[] p, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) if (p[row * classes + c] > p[row * classes + best]) best = c;
        return best;
    }
}
