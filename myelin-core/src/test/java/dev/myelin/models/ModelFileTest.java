package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.Safetensors;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.optim.Adam;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.zoo.SeedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files: every model kind round-trips bit-exactly, weights alone too, and bad files are refused clearly. */
class ModelFileTest {
    @TempDir
    Path dir;

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(-1, 1);
        return Tensor.of(v, shape).to(dev.myelin.backend.DType.FLOAT32);
    }

    private static void assertSameWeights(Model a, Model b) {
        List<Parameter> pa = a.weights(), pb = b.weights();
        assertEquals(pa.size(), pb.size(), "number of weights");
        for (int i = 0; i < pa.size(); i++) {
            assertEquals(pa.get(i).name(), pb.get(i).name());
            assertEquals(pa.get(i).trainable(), pb.get(i).trainable(), pa.get(i).name() + " trainable");
            assertArrayEquals(pa.get(i).value().toFloatArray(), pb.get(i).value().toFloatArray(), pa.get(i).name());
        }
    }

    @Test
    void seedCnnRoundTripsWithCompileSettingsAndClassNames() throws IOException {
        Sequential model = SeedModels.cnnMnist();
        model.seed(3);
        model.compile(new Adam(0.002), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        model.classNames(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"));
        Path file = dir.resolve("cnn.myelin");
        model.save(file);

        Model loaded = Model.load(file);
        assertInstanceOf(Sequential.class, loaded);
        assertEquals(model.name(), loaded.name());
        assertEquals(model.summary(), loaded.summary());
        assertSameWeights(model, loaded);
        Tensor x = random(1, 5, 28, 28, 1);
        assertArrayEquals(model.predict(x).toFloatArray(), loaded.predict(x).toFloatArray(), "predictions after load");
        assertEquals(model.classNames(), loaded.classNames());
        assertEquals(model.optimizer().toString(), loaded.optimizer().toString(), "optimizer settings");
        assertEquals(model.loss().getClass(), loaded.loss().getClass());
        assertEquals(List.of("accuracy"), loaded.metrics().stream().map(Metric::name).toList());
    }

    @Test
    void trainingAfterLoadingEqualsTrainingWithoutSaving() throws IOException {
        Tensor x = random(21, 64, 6);
        Tensor y = random(22, 64, 2);
        java.util.function.Supplier<Sequential> make = () -> {
            Sequential m = new Sequential(new Dense(16, Activation.RELU).inputShape(6), new Dropout(0.25), new Dense(2));
            m.seed(8);
            m.compile(new Adam().learningRateSchedule(new dev.myelin.optim.CosineDecay(0.01, 40)), Loss.MSE);
            return m;
        };
        Sequential original = make.get();
        original.fit(x, y, FitOptions.epochs(2).batchSize(16).seed(3).verbose(0));
        Path file = dir.resolve("midway.myelin");
        original.save(file);
        Model loaded = Model.load(file);
        assertEquals(original.optimizer().iterations(), loaded.optimizer().iterations());
        original.fit(x, y, FitOptions.epochs(3).batchSize(16).seed(4).verbose(0));
        loaded.fit(x, y, FitOptions.epochs(3).batchSize(16).seed(4).verbose(0));
        assertSameWeights(original, loaded);
        for (int i = 0; i < original.weights().size(); i++) {
            var p = original.weights().get(i);
            var q = loaded.weights().get(i);
            original.optimizer().slots(p).forEach((slot, t) ->
                    assertArrayEquals(t.toFloatArray(), loaded.optimizer().slots(q).get(slot).toFloatArray(), p.name() + "/" + slot));
        }
    }

    @Test
    void entriesAreStoredUncompressedInKerasLayout() throws IOException {
        Sequential model = new Sequential(new Dense(2).inputShape(3));
        Path file = dir.resolve("m.myelin");
        model.save(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertEquals(List.of("metadata.json", "config.json", "training_state.json", "model.weights.safetensors"), names);
            zip.stream().forEach(e -> assertEquals(ZipEntry.STORED, e.getMethod(), e.getName() + " stored"));
            Map<?, ?> metadata = (Map<?, ?>) Json.parse(new String(zip.getInputStream(zip.getEntry("metadata.json")).readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("myelin.model", metadata.get("format"));
            assertEquals(1L, metadata.get("format_version"));
            assertTrue(metadata.get("myelin_version") instanceof String v && !v.isBlank());
            assertTrue(((String) metadata.get("date_saved")).matches("\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d"));
            Map<?, ?> config = (Map<?, ?>) Json.parse(new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("Sequential", config.get("class_name"));
            assertEquals("keras", config.get("module"));
            Safetensors.Contents weights = Safetensors.decode(zip.getInputStream(zip.getEntry("model.weights.safetensors")).readAllBytes(), "weights");
            assertEquals(java.util.Set.of(model.weights().get(0).name(), model.weights().get(1).name()),
                    java.util.Set.copyOf(weights.entries().stream().map(Safetensors.Entry::name).toList()));
        }
    }

    /** Two inputs, two outputs, a layer called twice (shared weights), Add and Concatenate. */
    private static Model functional() {
        SymbolicTensor a = Input.named("left", 3);
        SymbolicTensor b = Input.named("right", 3);
        Dense shared = new Dense(4, Activation.TANH);
        SymbolicTensor sum = new Add().apply(shared.apply(a), shared.apply(b));
        SymbolicTensor cat = new Concatenate().apply(sum, a);
        SymbolicTensor h = new BatchNormalization().apply(new Dense(5, Activation.RELU).apply(cat));
        Model m = new Model(List.of(a, b), List.of(new Dense(2, Activation.SOFTMAX).apply(new Dropout(0.5).apply(h)), new Dense(1).apply(sum)));
        m.seed(11);
        return m;
    }

    @Test
    void functionalModelWithSharedLayerAndSeveralInputsAndOutputsRoundTrips() throws IOException {
        Model model = functional();
        model.compile(new SGD(0.05).momentum(0.9), Loss.MSE);
        List<Tensor> xs = List.of(random(2, 16, 3), random(3, 16, 3));
        model.fit(xs, List.of(random(4, 16, 2), random(5, 16, 1)), FitOptions.epochs(1).batchSize(8).seed(1).verbose(0)); // moves BN statistics
        Path file = dir.resolve("f.myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertEquals(Model.class, loaded.getClass());
        assertEquals(model.summary(), loaded.summary());
        assertSameWeights(model, loaded);
        assertEquals(List.of("left", "right"), loaded.inputs().stream().map(SymbolicTensor::inputName).toList());
        List<Tensor> p = model.call(xs, false), q = loaded.call(xs, false);
        for (int i = 0; i < 2; i++) assertArrayEquals(p.get(i).toFloatArray(), q.get(i).toFloatArray(), "output " + i);
        // the shared Dense is one layer with one set of weights, called twice
        long sharedCalls = loaded.steps().stream().filter(t -> t.layer() == loaded.layers().get(0)).count();
        assertEquals(2, sharedCalls);
    }

    @Test
    void nestedModelsRoundTripFrozenAndInInferenceMode() throws IOException {
        Sequential base = new Sequential(new Dense(6, Activation.RELU).inputShape(4), new BatchNormalization(), new Dropout(0.3));
        base.seed(2);
        base.trainable(false);
        SymbolicTensor in = Input.named("features", 4);
        SymbolicTensor h = base.apply(in, false);
        Model outer = new Model(in, new Dense(3, Activation.SOFTMAX).apply(h));
        outer.seed(4);
        var inSequential = new Sequential(outer.asLayer(), new Dense(2));
        inSequential.seed(9);
        Path file = dir.resolve("nested.myelin");
        inSequential.save(file);
        Model loaded = Model.load(file);
        assertEquals(inSequential.summary(), loaded.summary());
        assertSameWeights(inSequential, loaded);
        Tensor x = random(6, 7, 4);
        assertArrayEquals(inSequential.call(x, true).toFloatArray(), loaded.call(x, true).toFloatArray(),
                "training-mode output: the frozen base runs in inference mode after loading too");
        ModelLayer nestedOuter = (ModelLayer) loaded.layers().get(0);
        ModelLayer nestedBase = (ModelLayer) nestedOuter.model().layers().get(0);
        assertEquals(Boolean.FALSE, nestedBase.fixedTraining());
        assertTrue(nestedBase.model().weights().stream().noneMatch(Parameter::trainable), "the base stays frozen");
    }

    @Test
    void toJsonAndFromJsonGiveTheSameArchitecture() {
        Model model = functional();
        Model copy = Model.fromJson(model.toJson());
        assertEquals(model.summary(), copy.summary());
        assertEquals(model.toJson(), copy.toJson());
    }

    @Test
    void sequentialConfigAcceptsKeras3BuildInputShape() {
        Sequential model = new Sequential(new Dense(2).inputShape(3));
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = new LinkedHashMap<>((Map<String, Object>) Json.parse(model.toJson()));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) tree.get("config"));
        tree.put("config", config);
        config.put("build_input_shape", java.util.Arrays.asList(null, 3L)); // Keras 3's Sequential.get_config writes it
        Model copy = Model.fromJson(Json.write(tree));
        assertEquals(model.summary(), copy.summary());
        config.put("build_input_shapes", java.util.Arrays.asList(null, 3L));
        assertThrows(IllegalArgumentException.class, () -> Model.fromJson(Json.write(tree)), "other unknown keys are still refused");
    }

    @Test
    void sequentialWithoutInputShapeRoundTripsUnbuilt() throws IOException {
        Sequential model = new Sequential(new Dense(4, Activation.RELU), new Dense(2));
        Path file = dir.resolve("unbuilt.myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertFalse(loaded.isBuilt());
        assertEquals(2, loaded.layers().size());
        assertEquals(List.of(), loaded.inputs());
    }

    @Test
    void weightsAloneRoundTripAndMismatchesNameTheWeight() throws IOException {
        Model model = functional();
        Path file = dir.resolve("w.safetensors");
        model.saveWeights(file);
        Model other = functional();
        // same architecture, other layer names (the counters moved): rename to match, as a user loading weights would build the same code
        Model fresh = Model.fromJson(model.toJson());
        fresh.loadWeights(file);
        assertSameWeights(model, fresh);

        var e = assertThrows(FileFormatException.class, () -> other.loadWeights(file));
        assertTrue(e.getMessage().contains("has no tensor for weight '" + other.weights().get(0).name() + "'"), e.getMessage());

        Sequential wrongShape = new Sequential(new Dense(3).inputShape(2));
        Path small = dir.resolve("small.safetensors");
        new Sequential(new Dense(4).name(wrongShape.layers().get(0).name()).inputShape(2)).saveWeights(small);
        float[] before = wrongShape.weights().get(0).value().toFloatArray();
        var e2 = assertThrows(FileFormatException.class, () -> wrongShape.loadWeights(small));
        assertTrue(e2.getMessage().contains("has shape [2, 4] but the model's weight has [2, 3]"), e2.getMessage());
        assertArrayEquals(before, wrongShape.weights().get(0).value().toFloatArray(), "nothing is assigned when a weight differs");
    }

    @Test
    void missingAndNonModelFilesAreRefusedClearly() throws IOException {
        assertThrows(NoSuchFileException.class, () -> Model.load(dir.resolve("absent.myelin")));
        Path text = dir.resolve("notes.myelin");
        Files.writeString(text, "hello");
        var e = assertThrows(FileFormatException.class, () -> Model.load(text));
        assertTrue(e.getMessage().contains("zip archive was expected"), e.getMessage());
        Path emptyZip = dir.resolve("empty.myelin");
        writeZip(emptyZip, Map.of("readme.txt", "x"));
        var e2 = assertThrows(FileFormatException.class, () -> Model.load(emptyZip));
        assertTrue(e2.getMessage().contains("not a model file"), e2.getMessage());
    }

    @Test
    void aKerasFileIsRecognisedAndPointedToTheImporter() throws IOException {
        Path keras = dir.resolve("model.keras");
        writeZip(keras, Map.of("metadata.json", "{\"keras_version\": \"3.15.0\", \"date_saved\": \"2026-05-13@21:23:40\"}", "config.json", "{}"));
        var e = assertThrows(FileFormatException.class, () -> Model.load(keras));
        assertTrue(e.getMessage().contains("is a Keras file (Keras 3.15.0)"), e.getMessage());
    }

    @Test
    void aNewerFormatVersionIsRefusedNamingBoth() throws IOException {
        Path file = dir.resolve("new.myelin");
        new Sequential(new Dense(2).inputShape(3)).save(file);
        Path newer = dir.resolve("newer.myelin");
        Map<String, byte[]> entries = readZip(file);
        entries.put("metadata.json", "{\"format\": \"myelin.model\", \"format_version\": 7, \"myelin_version\": \"9.0\"}".getBytes(StandardCharsets.UTF_8));
        writeZipBytes(newer, entries);
        var e = assertThrows(FileFormatException.class, () -> Model.load(newer));
        assertTrue(e.getMessage().contains("model format 7 (by Myelin 9.0)") && e.getMessage().contains("reads formats up to 1"), e.getMessage());
    }

    @Test
    void anUnknownLayerClassIsRefusedByNameAndNothingRuns() throws IOException {
        Path file = dir.resolve("m.myelin");
        new Sequential(new Dense(2).inputShape(3)).save(file);
        Map<String, byte[]> entries = readZip(file);
        String config = new String(entries.get("config.json"), StandardCharsets.UTF_8).replace("\"Dense\"", "\"java.lang.Runtime\"");
        entries.put("config.json", config.getBytes(StandardCharsets.UTF_8));
        Path bad = dir.resolve("bad.myelin");
        writeZipBytes(bad, entries);
        var e = assertThrows(FileFormatException.class, () -> Model.load(bad));
        assertTrue(e.getMessage().contains("unknown layer type \"java.lang.Runtime\""), e.getMessage());
        assertTrue(e.getMessage().contains("Dense"), "lists the known layers: " + e.getMessage());
    }

    @Test
    void aFlippedBitInTheWeightsIsRefused() throws IOException {
        Path file = dir.resolve("m.myelin");
        new Sequential(new Dense(8).inputShape(8)).save(file);
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "model.weights.safetensors".getBytes(StandardCharsets.US_ASCII)) + 200; // inside the stored weights
        bytes[at] ^= 0x10;
        Files.write(file, bytes);
        var e = assertThrows(FileFormatException.class, () -> Model.load(file));
        assertTrue(e.getMessage().contains("CRC") || e.getMessage().contains("model.weights.safetensors"), e.getMessage());
    }

    @Test
    void aModelThatCannotBeSavedLeavesTheOldFileIntact() throws IOException {
        Path file = dir.resolve("m.myelin");
        Sequential good = new Sequential(new Dense(2).inputShape(3));
        good.save(file);
        byte[] before = Files.readAllBytes(file);
        SymbolicTensor in = Input.of(3);
        Model clash = new Model(in, new Dense(2).name("same").apply(new Dense(3).name("same").apply(in)));
        assertThrows(IllegalArgumentException.class, () -> clash.save(file));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void sameModelSavesToTheSameWeightBytes() throws IOException {
        Sequential model = new Sequential(new Dense(3).inputShape(2)).seed(5);
        Path a = dir.resolve("a.myelin"), b = dir.resolve("b.myelin");
        model.save(a);
        model.save(b);
        assertArrayEquals(readZip(a).get("model.weights.safetensors"), readZip(b).get("model.weights.safetensors"));
        assertNull(readZip(a).get("optimizer.safetensors"), "an uncompiled model has no optimizer state");
    }

    // ---- zip helpers ----

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    static Map<String, byte[]> readZip(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : zip.stream().toList()) out.put(e.getName(), zip.getInputStream(e).readAllBytes());
        }
        return out;
    }

    private static void writeZip(Path file, Map<String, String> entries) throws IOException {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        entries.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        writeZipBytes(file, bytes);
    }

    static void writeZipBytes(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }
}
