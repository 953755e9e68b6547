package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.keras.KerasImport;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.onnx.OnnxImport;
import dev.myelin.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code myelin export MODEL FILE.onnx}, and ONNX files given to {@code import} and {@code summary}. */
class ExportCommandTest {
    @TempDir Path dir;

    private Path savedCnn() throws Exception {
        Sequential m = new Sequential(new Conv2D(3, 3, Activation.RELU).inputShape(8, 8, 1), new MaxPooling2D(2), new Flatten(), new Dense(4, Activation.SOFTMAX));
        m.seed(3);
        Path file = dir.resolve("cnn.myelin");
        m.save(file);
        return file;
    }

    @Test
    void exportWritesAnOnnxFileThatImportsBackToTheSamePredictions() throws Exception {
        Path model = savedCnn();
        Path onnx = dir.resolve("out/cnn.onnx");
        TinyData.Result r = TinyData.run("export", model.toString(), onnx.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("exported model") && r.out().contains("opset 17") && r.out().contains(onnx.toString()), r.out());
        Tensor x = Tensor.rand(RandomGenerator.of("L64X128MixRandom"), 2, 8, 8, 1);
        Model original = Model.load(model), back = OnnxImport.load(onnx);
        float[] a = original.predict(x).toFloatArray(), b = back.predict(x).toFloatArray();
        for (int k = 0; k < a.length; k++) assertEquals(a[k], b[k], 1e-6, "prediction " + k);
    }

    @Test
    void importAndSummaryReadOnnxFiles() throws Exception {
        Path onnx = dir.resolve("cnn.onnx");
        assertEquals(0, TinyData.run("export", savedCnn().toString(), onnx.toString()).status());
        TinyData.Result s = TinyData.run("summary", onnx.toString());
        assertEquals(0, s.status(), s.out() + s.err());
        assertTrue(s.out().contains("Conv2D") && s.out().contains("Total params"), s.out());
        Path out = dir.resolve("back.myelin");
        TinyData.Result i = TinyData.run("import", onnx.toString(), "--out", out.toString());
        assertEquals(0, i.status(), i.out() + i.err());
        assertTrue(Files.exists(out));
    }

    @Test
    void exportToKerasWritesAKerasFileThatImportsBackToTheSamePredictions() throws Exception {
        Path model = savedCnn();
        Path keras = dir.resolve("out/cnn.keras");
        TinyData.Result r = TinyData.run("export", model.toString(), keras.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("exported model") && r.out().contains("Keras 3 .keras file") && r.out().contains(keras.toString()), r.out());
        Tensor x = Tensor.rand(RandomGenerator.of("L64X128MixRandom"), 2, 8, 8, 1);
        float[] a = Model.load(model).predict(x).toFloatArray(), b = KerasImport.load(keras).predict(x).toFloatArray();
        for (int k = 0; k < a.length; k++) assertEquals(a[k], b[k], 0.0, "prediction " + k);
    }

    @Test
    void anUnsupportedLayerOrAWrongFileNameIsRefused() throws Exception {
        // every layer has an ONNX form now; a recurrent layer applying Masking's mask has none
        Sequential m = new Sequential(new Masking(0.0).inputShape(5, 3), new LSTM(2), new Dense(2));
        m.seed(1);
        Path file = dir.resolve("masked.myelin");
        m.save(file);
        TinyData.Result r = TinyData.run("export", file.toString(), dir.resolve("c.onnx").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("(LSTM)") && r.err().contains("padding mask") && r.err().contains("supported layers"), r.err());
        TinyData.Result named = TinyData.run("export", file.toString(), dir.resolve("c.myelin").toString());
        assertEquals(2, named.status());
        assertTrue(named.err().contains("should end in .onnx"), named.err());
        assertTrue(!Files.exists(dir.resolve("c.onnx")));
    }
}
