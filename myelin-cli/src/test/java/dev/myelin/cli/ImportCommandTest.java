package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code myelin import} and Keras files given straight to {@code summary}. */
class ImportCommandTest {
    @TempDir Path dir;

    /** The shared interop fixtures; skips the calling test, saying why, when there are none. */
    private static Path interop() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/fixtures/interop");
            if (Files.isDirectory(candidate)) return candidate;
        }
        assumeTrue(false, "skipped: no shared/fixtures/interop folder above " + here + " (the interop fixtures are not in the repository)");
        return null;
    }

    private static TinyData.Result badInput(String... args) {
        TinyData.Result r = TinyData.run(args);
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        return r;
    }

    @Test
    void aKeras3FileImportsAndTheMyelinFileItWritesLoadsWithTheSameWeights() throws Exception {
        Path keras = interop().resolve("keras3_synthetic/cnn_seed.keras");
        Path out = dir.resolve("cnn.myelin");
        TinyData.Result r = TinyData.run("import", keras.toString(), "--out", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("imported model") && r.out().contains("Total params") && r.out().contains("saved model to " + out), r.out());
        Model imported = SavedModels.load(keras), saved = Model.load(out);
        assertEquals(imported.summary(), saved.summary());
        assertEquals(imported.weightValues().keySet(), saved.weightValues().keySet());
        for (var e : imported.weightValues().entrySet()) {
            assertTrue(java.util.Arrays.equals(e.getValue().toFloatArray(), saved.weightValues().get(e.getKey()).toFloatArray()), e.getKey());
        }
    }

    @Test
    void aCustomKeras3ClassIsRefusedByName() {
        Path custom = interop().resolve("keras3/pre_pr22362_nested_container.keras");
        String err = badInput("import", custom.toString(), "--out", dir.resolve("x.myelin").toString()).err();
        assertTrue(err.contains("NestedDenseModel") && err.contains("custom class"), err);
    }

    @Test
    void summaryReadsALegacyH5FileDirectly() {
        Path h5 = interop().resolve("keras2/cnn_batch_norm/cnn_batch_norm.h5");
        TinyData.Result r = TinyData.run("summary", h5.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("BatchNormalization") || r.out().contains("batch_normalization"), r.out());
    }

    @Test
    void aMyelinFileNamedKerasLoadsAsAMyelinFile() throws Exception {
        Sequential m = new Sequential(new Dense(4, Activation.RELU).inputShape(3), new Dense(2, Activation.SOFTMAX));
        m.seed(1);
        m.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        Path file = dir.resolve("mine.keras");
        m.save(file);
        TinyData.Result r = TinyData.run("summary", file.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("compiled: optimizer Adam"), r.out());
    }

    @Test
    void badFilesAreRefusedNamingTheFileAndWhy() throws Exception {
        Path out = dir.resolve("x.myelin");
        assertTrue(badInput("import", dir.resolve("missing.h5").toString(), "--out", out.toString()).err().contains("missing.h5"));
        Path onnx = Files.writeString(dir.resolve("m.onnx"), "not really");
        String onnxErr = badInput("import", onnx.toString(), "--out", out.toString()).err();
        assertTrue(onnxErr.contains("m.onnx") && onnxErr.contains("malformed protobuf"), onnxErr);
        Path junk = Files.writeString(dir.resolve("junk.keras"), "neither zip nor HDF5");
        String err = badInput("import", junk.toString(), "--out", out.toString()).err();
        assertTrue(err.contains("junk.keras"), err);
        Path junkH5 = Files.writeString(dir.resolve("junk.h5"), "not HDF5 either");
        assertTrue(badInput("summary", junkH5.toString()).err().contains("junk.h5"));
        assertTrue(!Files.exists(out), "nothing written after a refused import");
    }
}
