package dev.myelin.compress;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.compress.quant.ActivationQuantization;
import dev.myelin.compress.quant.QuantizedConv2D;
import dev.myelin.compress.quant.QuantizedDense;
import dev.myelin.io.Safetensors;
import dev.myelin.models.Model;
import dev.myelin.models.ModelFile;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import dev.myelin.zoo.SeedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration, conversion and the save/load round trip of int8 models. */
class PostTrainingQuantizationTest {
    @TempDir
    Path folder;

    private static Sequential smallCnn() {
        Sequential m = new Sequential(
                new Conv2D(6, 3, Activation.RELU).padding(Padding.SAME).inputShape(9, 9, 2),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(7, Activation.RELU),
                new Dense(3, Activation.SOFTMAX));
        m.seed(5);
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        return m;
    }

    @Test
    void calibrationTakesEachLayersInputRange() {
        Sequential m = smallCnn();
        Tensor x = Tensor.uniform(new SplittableRandom(1), 0, 2, 40, 9, 9, 2);
        Map<String, ActivationQuantization> q = PostTrainingQuantization.calibrate(m, x, MinMaxObserver::new, 16);
        assertEquals(List.of(m.layers().get(0).name(), m.layers().get(3).name(), m.layers().get(4).name()), List.copyOf(q.keySet()));
        float[] pixels = x.toFloatArray();
        double max = 0;
        for (float v : pixels) max = Math.max(max, v);
        assertEquals(ActivationQuantization.ofRange(0, max), q.get(m.layers().get(0).name()));
        // a percentile range is inside the min/max one
        Map<String, ActivationQuantization> p = PostTrainingQuantization.calibrate(m, x, () -> new PercentileObserver(99), 16);
        String dense = m.layers().get(3).name();
        assertTrue(p.get(dense).scale() < q.get(dense).scale(), p + " vs " + q);
    }

    @Test
    void theQuantizedModelPredictsLikeTheFloatOneAndSurvivesSaveAndLoad() throws Exception {
        Sequential m = smallCnn();
        Tensor x = Tensor.uniform(new SplittableRandom(2), 0, 1, 64, 9, 9, 2);
        Model q = PostTrainingQuantization.quantize(m, x, MinMaxObserver::new);
        assertInstanceOf(QuantizedConv2D.class, q.layers().get(0));
        assertInstanceOf(QuantizedDense.class, q.layers().get(3));
        assertEquals(m.layers().get(3).name(), q.layers().get(3).name());
        Tensor expected = m.predict(x), got = q.predict(x);
        assertAllClose(got, expected, 0, 0.03);

        Path file = folder.resolve("q.myelin");
        q.save(file);
        Model loaded = Model.load(file);
        assertInstanceOf(QuantizedDense.class, loaded.layers().get(4));
        assertArrayEquals(got.toFloatArray(), loaded.predict(x).toFloatArray());
        Safetensors.Contents weights = Safetensors.decode(ModelFile.read(file).entries().get("model.weights.safetensors"), "weights");
        for (Safetensors.Entry e : weights.entries()) {
            assertEquals(e.name().endsWith("/kernel") ? Safetensors.DType.I8 : Safetensors.DType.F32, e.dtype(), e.name());
        }
    }

    @Test
    void theSeedMlpFileIsAboutFourTimesSmaller() throws Exception {
        Sequential m = SeedModels.mlp();
        m.build();
        Model q = PostTrainingQuantization.quantize(m, Tensor.uniform(new SplittableRandom(3), 0, 1, 8, 28, 28, 1), MinMaxObserver::new);
        Path f = folder.resolve("f.myelin"), i8 = folder.resolve("q.myelin");
        m.save(f);
        q.save(i8);
        double ratio = (double) Files.size(i8) / Files.size(f);
        assertTrue(ratio < 0.27, "int8 file / float file = " + ratio);
    }

    @Test
    void functionalGraphsAreConvertedLayerByLayer() {
        SymbolicTensor in = Input.of(6);
        SymbolicTensor a = new Dense(4, Activation.RELU).apply(in);
        SymbolicTensor b = new Dense(4).apply(in);
        SymbolicTensor out = new Dense(2).apply(new Add().apply(List.of(a, b)));
        Model m = new Model(in, out);
        Tensor x = Tensor.uniform(new SplittableRandom(4), -1, 1, 50, 6);
        Model q = PostTrainingQuantization.quantize(m, x, MinMaxObserver::new);
        assertEquals(3, q.layers().stream().filter(l -> l instanceof QuantizedDense).count());
        assertAllClose(q.predict(x), m.predict(x), 0, 0.05);
    }
}
