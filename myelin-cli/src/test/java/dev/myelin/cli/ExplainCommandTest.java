package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.PngWriter;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain} on a CNN trained for one epoch on a small Fashion-MNIST folder. */
class ExplainCommandTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    @BeforeAll
    static void trainTinyCnn() throws Exception {
        data = TinyData.fashion(dir, 300, 50);
        model = dir.resolve("cnn.myelin");
        TinyData.Result r = TinyData.run("train", "--model", "cnn", "--data", data.toString(), "--epochs", "1", "--seed", "7",
                "--out", dir.resolve("plots").toString(), "--save", model.toString());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void writesAGridOfImagesByMethodsAndPrintsTheCompletenessError() throws Exception {
        Path out = dir.resolve("explained");
        TinyData.Result r = TinyData.run("explain", model.toString(), "--data", data.toString(), "--count", "3",
                "--method", "saliency,ig,gradcam,occlusion", "--steps", "16", "--scale", "1", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("test sample 2 (true: "), r.out());
        assertTrue(r.out().contains("integrated-gradients completeness error"), r.out());
        BufferedImage png = ImageIO.read(out.resolve("explain.png").toFile());
        assertEquals(5 * (28 + 2) + 2, png.getWidth(), "columns: the image and four methods");
        assertEquals(3 * (28 + 2) + 2, png.getHeight(), "a row per image");
    }

    @Test
    void explainsImageFilesForAChosenTargetAndRunsTheChecks() throws Exception {
        Path image = dir.resolve("one.png");
        PngWriter.write(Tensor.rand(new java.util.Random(3), 28, 28, 1), 0, 1, image);
        Path out = dir.resolve("checked");
        TinyData.Result r = TinyData.run("explain", model.toString(), image.toString(), "--method", "gxi,smoothgrad", "--samples", "2",
                "--target", "3", "--checks", "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("explained class " + Model.load(model).classNames().get(3)), r.out());
        assertTrue(r.out().contains("deletion curve, gradient-x-input: area"), r.out());
        assertTrue(r.out().contains("cascading randomization, smoothgrad: rank correlation"), r.out());
    }

    @Test
    void badRequestsAreOneLineErrors() {
        TinyData.Result r = TinyData.run("explain", model.toString(), "--data", data.toString(), "--method", "lime", "--out", dir.resolve("x").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("unknown method 'lime'"), r.err());
        r = TinyData.run("explain", model.toString(), "--data", data.toString(), "--target", "10", "--out", dir.resolve("x").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--target 10"), r.err());
        r = TinyData.run("explain", model.toString(), "--data", data.toString(), "--method", "gradcam", "--layer", "nope", "--out", dir.resolve("x").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("no layer 'nope'"), r.err());
    }
}
