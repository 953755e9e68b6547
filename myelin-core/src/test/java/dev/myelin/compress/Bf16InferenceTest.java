package dev.myelin.compress;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.compress.bf16.Bf16Conv2D;
import dev.myelin.compress.bf16.Bf16Dense;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversion of float models to bf16 layers and the save/load round trip of bf16 models. */
class Bf16InferenceTest {
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
    void theBf16ModelPredictsLikeTheFloatOneAndSurvivesSaveAndLoad() throws Exception {
        Sequential m = smallCnn();
        Tensor x = Tensor.uniform(new SplittableRandom(2), 0, 1, 64, 9, 9, 2);
        Model b = Bf16Inference.convert(m);
        assertInstanceOf(Bf16Conv2D.class, b.layers().get(0));
        assertInstanceOf(Bf16Dense.class, b.layers().get(3));
        assertEquals(m.layers().get(3).name(), b.layers().get(3).name());
        Tensor expected = m.predict(x), got = b.predict(x);
        assertAllClose(got, expected, 0, 0.01);

        Path file = folder.resolve("b.myelin");
        b.save(file);
        Model loaded = Model.load(file);
        assertInstanceOf(Bf16Dense.class, loaded.layers().get(4));
        assertArrayEquals(got.toFloatArray(), loaded.predict(x).toFloatArray());
        Safetensors.Contents weights = Safetensors.decode(ModelFile.read(file).entries().get("model.weights.safetensors"), "weights");
        for (Safetensors.Entry e : weights.entries()) {
            assertEquals(e.name().endsWith("/kernel") ? Safetensors.DType.BF16 : Safetensors.DType.F32, e.dtype(), e.name());
        }
    }

    @Test
    void theSeedMlpFileIsAboutHalfAsLarge() throws Exception {
        Sequential m = SeedModels.mlp();
        m.build();
        Model b = Bf16Inference.convert(m);
        Path f = folder.resolve("f.myelin"), h = folder.resolve("b.myelin");
        m.save(f);
        b.save(h);
        double ratio = (double) Files.size(h) / Files.size(f);
        assertTrue(ratio > 0.45 && ratio < 0.52, "bf16 file / float file = " + ratio);
    }

    @Test
    void functionalGraphsAreConvertedLayerByLayer() {
        SymbolicTensor in = Input.of(6);
        SymbolicTensor a = new Dense(4, Activation.RELU).apply(in);
        SymbolicTensor c = new Dense(4).apply(in);
        SymbolicTensor out = new Dense(2).apply(new Add().apply(List.of(a, c)));
        Model m = new Model(in, out);
        Tensor x = Tensor.uniform(new SplittableRandom(4), -1, 1, 50, 6);
        Model b = Bf16Inference.convert(m);
        assertEquals(3, b.layers().stream().filter(l -> l instanceof Bf16Dense).count());
        assertAllClose(b.predict(x), m.predict(x), 0, 0.02);
    }
}
