package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.MnistFormat;
import dev.myelin.data.TrainTest;
import dev.myelin.io.PngWriter;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --save}, then {@code summary}, {@code evaluate}, {@code predict} and {@code fine-tune} on the file, end to end. */
class SavedModelCommandsTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;
    static String trainOutput;

    @BeforeAll
    static void trainTinyModel() throws Exception {
        data = TinyData.fashion(dir, 600, 200);
        model = dir.resolve("mlp.myelin");
        TinyData.Result r = TinyData.run("train", "--model", "mlp", "--data", data.toString(), "--epochs", "2", "--seed", "7",
                "--out", dir.resolve("plots").toString(), "--save", model.toString());
        assertEquals(0, r.status(), r.err());
        trainOutput = r.out();
    }

    private static TinyData.Result ok(String... args) {
        TinyData.Result r = TinyData.run(args);
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    private static TinyData.Result badInput(String... args) {
        TinyData.Result r = TinyData.run(args);
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        return r;
    }

    private static String value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " not in:\n" + text);
        return m.group(1);
    }

    @Test
    void trainLeavesADashboardReportBesideThePlots() throws Exception {
        Path report = dir.resolve("plots").resolve("train-mlp-report.html");
        assertTrue(Files.exists(report), "no report in " + dir.resolve("plots"));
        String html = Files.readString(report);
        assertFalse(html.contains("/*MYELIN_DATA*/null"), "the report holds no data");
        assertTrue(html.contains("\"status\": \"finished\"") && html.contains("\"label\": \"Ankle boot\""), "the report lacks the run's state");
    }

    @Test
    void trainWithDashboardPrintsItsLoopbackAddress() {
        TinyData.Result r = ok("train", "--model", "mlp", "--data", data.toString(), "--epochs", "1", "--dashboard", "--out", dir.resolve("dash").toString());
        assertTrue(r.out().contains("dashboard: http://127.0.0.1:"), r.out());
    }

    @Test
    void trainSavesTheModelWithFashionClassNames() throws Exception {
        assertTrue(trainOutput.matches("(?s).*saved model to " + Pattern.quote(model.toString()) + " \\(50,890 params, \\d+\\.\\d MB\\)\\n.*"), trainOutput);
        Model loaded = Model.load(model);
        assertEquals(FashionMnist.CLASS_NAMES, loaded.classNames());
        assertTrue(loaded.isCompiled());
    }

    @Test
    void summaryPrintsLayersClassNamesAndCompileSettings() {
        String out = ok("summary", model.toString()).out();
        assertTrue(out.contains("Total params: 50,890") || out.contains("50,890"), out);
        assertTrue(out.contains("class names: T-shirt/top, Trouser, Pullover"), out);
        assertTrue(out.contains("compiled: optimizer Adam(learningRate=0.001") && out.contains("loss sparse_categorical_crossentropy")
                && out.contains("metrics [accuracy]"), out);
    }

    @Test
    void evaluateGivesTheAccuracyTrainPrinted() {
        String out = ok("evaluate", model.toString(), "--data", data.toString(), "--out", dir.resolve("eval").toString()).out();
        assertEquals(value(trainOutput, "test accuracy: (\\S+)"), value(out, "test accuracy: (\\S+)"));
        assertEquals(value(trainOutput, "test loss: (\\S+)"), value(out, "test loss: (\\S+)"));
        assertTrue(out.contains("confusion_matrix: 10 classes, 200 samples") && out.contains("classes: 0 T-shirt/top, 1 Trouser"), out);
        assertTrue(Files.isRegularFile(dir.resolve("eval/evaluate-mlp-myelin-confusion.png")), out);
    }

    @Test
    void predictOnDataAndOnPngFilesAgree() throws Exception {
        String fromData = ok("predict", model.toString(), "--data", data.toString(), "--limit", "2", "--top", "2").out();
        List<String> lines = fromData.lines().toList();
        assertEquals(2, lines.size(), fromData);
        TrainTest tiny = MnistFormat.load(data);
        float[] labels = tiny.test().y().toFloatArray();
        assertTrue(lines.get(0).startsWith("test sample 0 (true: " + FashionMnist.CLASS_NAMES.get((int) labels[0]) + "): "), fromData);
        assertEquals(2, lines.get(0).split(", ").length, "two classes with --top 2: " + lines.get(0));

        Path[] pngs = new Path[2];
        for (int i = 0; i < 2; i++) {
            pngs[i] = dir.resolve("sample-" + i + ".png");
            Tensor image = tiny.test().x().slice(0, i, i + 1).reshape(28, 28, 1);
            PngWriter.write(image, 0, 255, pngs[i]);
        }
        String fromPng = ok("predict", model.toString(), pngs[0].toString(), pngs[1].toString(), "--top", "2").out();
        List<String> pngLines = fromPng.lines().toList();
        for (int i = 0; i < 2; i++) {
            assertEquals(lines.get(i).substring(lines.get(i).indexOf("): ") + 3), pngLines.get(i).substring(pngLines.get(i).indexOf(": ") + 2),
                    "the same image as a PNG gives the same prediction:\n" + fromData + fromPng);
        }
    }

    @Test
    void predictReadsColourImagesAsGreyForAGreyModel() throws Exception {
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) rgb.setRGB(x, y, x < 14 ? 0xffffff : 0x000000);
        Path png = dir.resolve("rgb.png");
        ImageIO.write(rgb, "png", png.toFile());
        String out = ok("predict", model.toString(), png.toString(), "--top", "20").out();
        assertEquals(10, out.strip().split(", ").length, "--top above the class count prints every class: " + out);
        double sum = Arrays.stream(out.strip().split(", ")).mapToDouble(s -> Double.parseDouble(s.substring(s.lastIndexOf(' ') + 1))).sum();
        assertEquals(1.0, sum, 1e-3, out);
    }

    @Test
    void trainOnSomeClassesThenFineTuneANewHeadAndCompareWithScratch() throws Exception {
        Path base = dir.resolve("base.myelin");
        String trained = ok("train", "--model", "mlp", "--data", data.toString(), "--classes", "0-4", "--epochs", "2", "--seed", "3",
                "--out", dir.resolve("plots").toString(), "--save", base.toString()).out();
        assertTrue(trained.contains("classes: 0,1,2,3,4 (labels kept)"), trained);
        assertEquals("0", value(trained, "confusion.*\\n(?s:.*)test accuracy: (\\d)").substring(0, 1));

        Path tuned = dir.resolve("tuned.myelin");
        String out = ok("fine-tune", base.toString(), "--data", data.toString(), "--classes", "5-9", "--samples", "150", "--epochs", "2",
                "--seed", "5", "--save", tuned.toString()).out();
        assertTrue(out.contains("classes 5,6,7,8,9: 150 labelled training images"), out);
        String transfer = value(out, "pretrained base \\(frozen\\) \\+ new head: (\\S+)");
        value(out, "same network from scratch: +(\\S+)");

        Model before = Model.load(base), after = Model.load(tuned);
        assertEquals(List.of("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), after.classNames());
        assertEquals(5, ModelInputs.numClasses(after));
        String hidden = before.layers().get(1).name();
        assertTrue(Arrays.equals(before.layer(hidden).weights().get(0).value().toFloatArray(), after.layer(hidden).weights().get(0).value().toFloatArray()),
                "the frozen base keeps its weights");

        String unpicked = badInput("evaluate", tuned.toString(), "--data", data.toString()).err();
        assertTrue(unpicked.contains("the labels go up to 9") && unpicked.contains("has 5 outputs") && unpicked.contains("--classes"), unpicked);
        String evaluated = ok("evaluate", tuned.toString(), "--data", data.toString(), "--classes", "5-9").out();
        assertEquals(transfer, value(evaluated, "test accuracy: (\\S+)"), "evaluate reads classes 5-9 as the head's 0-4");
        String predicted = ok("predict", tuned.toString(), "--data", data.toString(), "--classes", "5-9", "--limit", "1").out();
        assertTrue(predicted.matches("test sample 0 \\(true: (Sandal|Shirt|Sneaker|Bag|Ankle boot)\\): .*\\n"), predicted);

        String noScratch = ok("fine-tune", base.toString(), "--data", data.toString(), "--classes", "5-9", "--samples", "150", "--epochs", "1",
                "--no-compare-scratch", "--no-freeze-base").out();
        assertFalse(noScratch.contains("from scratch:"), noScratch);
        assertTrue(noScratch.contains("pretrained network fine-tuned"), noScratch);

        String unfrozen = ok("fine-tune", tuned.toString(), "--data", data.toString(), "--classes", "5-9", "--samples", "50", "--epochs", "1",
                "--no-compare-scratch", "--no-freeze-base").out();
        assertTrue(unfrozen.contains("Non-trainable params: 0 "), "a frozen file's layers train again with --no-freeze-base:\n" + unfrozen);

        String flatten = before.layers().getFirst().name();
        String cut = ok("fine-tune", base.toString(), "--data", data.toString(), "--classes", "5-9", "--samples", "50", "--epochs", "1",
                "--no-compare-scratch", "--cut-at", flatten).out();
        assertTrue(cut.matches("(?s).*new_head \\(Dense\\) +\\(None, 5\\) +3,925 +" + flatten + "\n.*"), "the head reads the flattened pixels:\n" + cut);
        String err = badInput("fine-tune", base.toString(), "--data", data.toString(), "--classes", "5-9", "--cut-at", "nope").err();
        assertTrue(err.contains("--cut-at nope: model '") && err.contains("has no layer of that name; its layers are [" + flatten), err);
    }

    @Test
    void lstmSavesAModelThatReadsImagesAsRows() throws Exception {
        Path lstm = dir.resolve("lstm.myelin");
        String out = ok("lstm", "--data", data.toString(), "--epochs", "1", "--out", dir.resolve("plots").toString(), "--save", lstm.toString()).out();
        assertTrue(out.contains("saved model to " + lstm), out);
        Model loaded = Model.load(lstm);
        assertArrayEquals(new int[] {28, 28}, ModelInputs.inputShape(loaded));
        assertEquals(FashionMnist.CLASS_NAMES, loaded.classNames());
        Path png = dir.resolve("lstm-input.png");
        PngWriter.write(MnistFormat.load(data).test().x().slice(0, 0, 1).reshape(28, 28, 1), 0, 255, png);
        String fromPng = ok("predict", lstm.toString(), png.toString(), "--top", "1").out();
        String fromData = ok("predict", lstm.toString(), "--data", data.toString(), "--limit", "1", "--top", "1").out();
        assertEquals(fromData.substring(fromData.indexOf("): ") + 3), fromPng.substring(fromPng.indexOf(": ") + 2));
    }

    // ---- errors: one line, exit 2, naming the file or option and what was expected ----

    @Test
    void missingOrDamagedModelFileIsOneLine() throws Exception {
        Path missing = dir.resolve("none.myelin");
        assertTrue(badInput("summary", missing.toString()).err().contains("no such file or directory: " + missing + " (model file not found)"));
        Path junk = Files.writeString(dir.resolve("junk.myelin"), "not a zip");
        assertTrue(badInput("evaluate", junk.toString(), "--data", data.toString()).err().contains(junk.toString()));
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = Files.write(dir.resolve("truncated.myelin"), Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(badInput("predict", truncated.toString(), "--data", data.toString()).err().contains(truncated.toString()));
        assertTrue(badInput("fine-tune", dir.toString(), "--classes", "5-9").err().contains("is a folder"));
    }

    @Test
    void dataThatDoesNotFitTheModelIsNamed() throws Exception {
        Sequential rgb = new Sequential(new Flatten().inputShape(32, 32, 3), new Dense(10, Activation.SOFTMAX));
        rgb.seed(1);
        rgb.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        Path file = dir.resolve("rgb.myelin");
        rgb.save(file);
        String err = badInput("evaluate", file.toString(), "--data", data.toString()).err();
        assertTrue(err.contains("--data " + data) && err.contains("samples of shape [28, 28, 1]") && err.contains("expects inputs of shape [32, 32, 3]") && err.contains(file.toString()), err);

        Path png = dir.resolve("small.png");
        PngWriter.write(Tensor.zeros(28, 28, 1), 0, 1, png);
        err = badInput("predict", file.toString(), png.toString()).err();
        assertTrue(err.contains(png + " is 28x28 pixels; the model expects 32x32 RGB images"), err);

        Path text = Files.writeString(dir.resolve("notes.png"), "hello");
        err = badInput("predict", model.toString(), text.toString()).err();
        assertTrue(err.contains(text.toString()) && err.contains("not a PNG"), err);

        err = badInput("evaluate", model.toString(), "--data", data.toString(), "--classes", "12").err();
        assertTrue(err.contains("--classes") && err.contains("0..9"), err);
    }

    @Test
    void badOptionsAreOneLineBeforeAnythingRuns() throws Exception {
        assertTrue(badInput("predict", model.toString(), "--data", data.toString(), "--top", "0").err().contains("--top must be at least 1, got 0"));
        assertTrue(badInput("predict", model.toString()).err().contains("either IMAGE files or --data DIR"));
        assertTrue(badInput("fine-tune", model.toString(), "--classes", "5-").err().contains("--classes: cannot read '5-'"));
        assertTrue(badInput("fine-tune", model.toString(), "--classes", "5").err().contains("at least 2 classes"));
        assertTrue(badInput("train", "--model", "mlp", "--epochs", "1", "--save", dir.toString()).err().contains("--save " + dir + " is a folder"));
        assertTrue(badInput("train", "--model", "mlp", "--epochs", "1", "--classes", "3-1").err().contains("--classes"));
    }

    @Test
    void trainWithABackupFolderEndsAsWithoutOneAndLeavesNoBackup() throws Exception {
        Path backup = dir.resolve("backup");
        String out = dir.resolve("backup-plots").toString();
        String plain = ok("train", "--model", "mlp", "--data", data.toString(), "--epochs", "2", "--seed", "3", "--out", out).out();
        String backedUp = ok("train", "--model", "mlp", "--data", data.toString(), "--epochs", "2", "--seed", "3", "--backup", backup.toString(),
                "--out", out).out();
        assertEquals(value(plain, "test accuracy: (\\S+)"), value(backedUp, "test accuracy: (\\S+)"), "a backup does not change training");
        assertEquals(value(plain, "test loss: (\\S+)"), value(backedUp, "test loss: (\\S+)"));
        assertFalse(java.nio.file.Files.exists(backup.resolve(dev.myelin.train.BackupAndRestore.FILE_NAME)), "a completed run deletes its backup");

        String none = badInput("train", "--model", "mlp", "--data", data.toString(), "--backup", backup.toString(), "--resume").err();
        assertTrue(none.contains("--resume: there is no backup to resume in " + backup), none);
        String noDir = badInput("train", "--model", "mlp", "--data", data.toString(), "--resume").err();
        assertTrue(noDir.contains("--resume needs --backup DIR"), noDir);
    }
}
