package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelCheckpoint: file names from Keras's patterns, every epoch or the best only, whole models or weights alone. */
class ModelCheckpointTest {
    @TempDir Path dir;

    private static final Tensor X, Y;

    static {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
        X = Tensor.normal(r, 0, 1, 48, 5);
        float[] y = new float[48];
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(3);
        Y = Tensor.of(y, 48);
    }

    private static Model model() {
        Sequential m = new Sequential(new Dense(8, Activation.RELU).name("hidden").inputShape(5), new Dropout(0.2).name("drop"),
                new Dense(3, Activation.SOFTMAX).name("out"));
        m.seed(9);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static FitOptions options(int epochs, Callback... callbacks) {
        return FitOptions.epochs(epochs).batchSize(16).seed(4).validationSplit(0.25).verbose(0).callbacks(callbacks);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---- patterns ----

    @Test
    void patternsFormatTheEpochOneBasedAndLogValuesAsPythonDoes() {
        Map<String, Double> logs = Map.of("loss", 0.123456789, "val_loss", 0.41, "val_accuracy", 0.875);
        assertEquals("m-03.myelin", new PathPattern("m-{epoch:02d}.myelin").format(2, logs));
        assertEquals("m-3-0.4100.myelin", new PathPattern("m-{epoch}-{val_loss:.4f}.myelin").format(2, logs));
        assertEquals("e010 0.1235 8.750e-01", new PathPattern("e{epoch:03d} {loss:.4f} {val_accuracy:.3e}").format(9, logs));
        assertEquals("0.123456789", new PathPattern("{loss}").format(0, logs));
        assertEquals("  1|001|{x}", new PathPattern("{epoch:3}|{epoch:03}|{{x}}").format(0, logs));
        assertEquals("0.41", new PathPattern("{val_loss:.2}").format(0, logs), "a precision alone is fixed-point");
    }

    @Test
    void malformedPatternsAreRefusedWhenTheCallbackIsMade() {
        for (String bad : List.of("m-{epoch", "m-}", "m-{}.myelin", "m-{epoch:>5}", "m-{loss:.2x}", "m-{epoch:.2d}")) {
            var e = assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void anUnknownKeyIsAnErrorAtTheFirstSaveNamingTheKeysThereAre() {
        Model m = model();
        var e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(X, Y, options(2, new ModelCheckpoint(dir.resolve("m-{val_los:.3f}.myelin").toString()))));
        assertTrue(e.getMessage().contains("'{val_los}'"), e.getMessage());
        assertTrue(e.getMessage().contains("val_loss") && e.getMessage().contains("epoch") && e.getMessage().contains("accuracy"), e.getMessage());
    }

    // ---- every epoch ----

    @Test
    void aDeadWritersTemporaryFileIsSweptWhenTrainingStartsEvenIfNothingIsSaved() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        // what a run killed while writing its last checkpoint leaves; the resumed run has no epoch left to save
        Path left = dir.resolve(".best.myelin." + p.pid() + ".1f.myelin-tmp");
        Files.writeString(left, "half a model");
        Path live = dir.resolve(".best.myelin." + ProcessHandle.current().pid() + ".2e.myelin-tmp");
        Files.writeString(live, "being written by this process");
        model().fit(X, Y, options(2, new ModelCheckpoint(dir.resolve("best.myelin").toString())).initialEpoch(2));
        assertEquals(List.of(live.getFileName().toString()), files(), "only the live writer's file is kept, and nothing was saved");
    }

    @Test
    void aPatternWithAPlaceholderInItsFolderSweepsNothing() {
        assertEquals(null, new PathPattern("runs/{epoch}/m.myelin").fixedFolder());
        assertEquals(Path.of("runs/a/"), new PathPattern("runs/a/m-{epoch}.myelin").fixedFolder());
        assertEquals(Path.of("."), new PathPattern("m.myelin").fixedFolder());
    }

    @Test
    void everyEpochIsSavedUnderItsFormattedName() throws IOException {
        Model m = model();
        History h = m.fit(X, Y, options(3, new ModelCheckpoint(dir.resolve("m-{epoch:02d}-{val_loss:.4f}.myelin").toString())));
        List<String> expected = new java.util.ArrayList<>();
        for (int e = 0; e < 3; e++) expected.add(String.format(Locale.ROOT, "m-%02d-%.4f.myelin", e + 1, h.get("val_loss").get(e)));
        assertEquals(expected, files());
        // the last checkpoint is the trained model: same weights, same predictions
        Model loaded = Model.load(dir.resolve(expected.get(2)));
        ResumeTest.assertSameBits(m.predict(X), loaded.predict(X), "predictions of the last checkpoint");
    }

    @Test
    void weightsOnlyFilesLoadWithLoadWeights() throws IOException {
        Model m = model();
        m.fit(X, Y, options(2, new ModelCheckpoint(dir.resolve("w{epoch}.safetensors").toString()).saveWeightsOnly(true)));
        assertEquals(List.of("w1.safetensors", "w2.safetensors"), files());
        Model fresh = model();
        fresh.loadWeights(dir.resolve("w2.safetensors"));
        Map<String, Tensor> trained = m.weightValues(), loaded = fresh.weightValues();
        assertEquals(trained.keySet(), loaded.keySet());
        for (String k : trained.keySet()) ResumeTest.assertSameBits(trained.get(k), loaded.get(k), k);
        Model other = model();
        other.loadWeights(dir.resolve("w1.safetensors"));
        assertFalse(Float.floatToRawIntBits(other.weightValues().get("out/kernel").toFloatArray()[0])
                == Float.floatToRawIntBits(trained.get("out/kernel").toFloatArray()[0]), "epoch 1's weights are not epoch 2's");
    }

    // ---- best only ----

    /** Feeds {@code values} of {@code key} to a best-only checkpoint as epochs 0, 1, ...; returns what it printed. */
    private String feed(ModelCheckpoint checkpoint, String key, double... values) {
        Model m = model();
        m.build();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        checkpoint.saveBestOnly(true).verbose(1).printTo(new PrintStream(printed, true, StandardCharsets.UTF_8));
        checkpoint.onTrainBegin(m, new Callback.TrainingPlan(values.length, 1, 1, true));
        for (int e = 0; e < values.length; e++) checkpoint.onEpochEnd(e, Map.of(key, values[e], "loss", 1.0));
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void bestOnlyByMinSavesWhenTheValueFalls() throws IOException {
        String printed = feed(new ModelCheckpoint(dir.resolve("best-{epoch}.myelin").toString()), "val_loss", 0.5, 0.41, 0.45, 0.39, 0.39);
        assertEquals(List.of("best-1.myelin", "best-2.myelin", "best-4.myelin"), files());
        String file = dir.resolve("best-4.myelin").toString();
        assertTrue(printed.contains("Epoch 1: val_loss improved from inf to 0.50000, saving model to " + dir.resolve("best-1.myelin")), printed);
        assertTrue(printed.contains("Epoch 4: val_loss improved from 0.41000 to 0.39000, saving model to " + file), printed);
        assertTrue(printed.contains("Epoch 3: val_loss did not improve from 0.41000"), printed);
        assertTrue(printed.contains("Epoch 5: val_loss did not improve from 0.39000"), "equal is no improvement: " + printed);
        Model.load(dir.resolve("best-4.myelin"));
    }

    @Test
    void bestOnlyByMaxSavesWhenTheValueRises() throws IOException {
        // auto mode: accuracy goes up
        feed(new ModelCheckpoint(dir.resolve("a-{epoch}.myelin").toString()).monitor("val_accuracy"), "val_accuracy", 0.5, 0.7, 0.6, 0.8);
        assertEquals(List.of("a-1.myelin", "a-2.myelin", "a-4.myelin"), files());
    }

    @Test
    void anExplicitModeOverridesTheName() throws IOException {
        var checkpoint = new ModelCheckpoint(dir.resolve("s-{epoch}.myelin").toString()).monitor("score").mode(Monitor.MAX);
        String printed = feed(checkpoint, "score", 1, 3, 2);
        assertEquals(List.of("s-1.myelin", "s-2.myelin"), files());
        assertEquals(3.0, checkpoint.best());
        assertTrue(printed.contains("improved from -inf to 1.00000"), printed);
    }

    @Test
    void theBestValueCarriesOverToTheNextFitAsInKeras() throws IOException {
        var checkpoint = new ModelCheckpoint(dir.resolve("b-{epoch}.myelin").toString());
        feed(checkpoint, "val_loss", 0.5, 0.4);
        String printed = feed(checkpoint, "val_loss", 0.45, 0.3);
        assertEquals(List.of("b-1.myelin", "b-2.myelin"), files(), "the second fit saved only its epoch 2");
        assertTrue(printed.contains("Epoch 1: val_loss did not improve from 0.40000"), printed);
        assertTrue(printed.contains("Epoch 2: val_loss improved from 0.40000 to 0.30000"), printed);
    }

    @Test
    void bestOnlyWithOneNameKeepsTheBestModel() throws IOException {
        Model m = model();
        History h = m.fit(X, Y, options(4, new ModelCheckpoint(dir.resolve("best.myelin").toString()).saveBestOnly(true)));
        assertEquals(List.of("best.myelin"), files());
        double best = h.get("val_loss").stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        var loaded = Model.load(dir.resolve("best.myelin"));
        double val = loaded.evaluate(X.slice(0, 36, 48), Y.slice(0, 36, 48), 16).values().get("loss");
        assertEquals(best, val, 1e-6, "the file holds the epoch with the lowest val_loss");
    }

    @Test
    void aMissingMonitorIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> feed(new ModelCheckpoint(dir.resolve("x.myelin").toString()).monitor("val_auc"), "val_loss", 1));
        assertTrue(e.getMessage().contains("'val_auc'"), e.getMessage());
    }

    @Test
    void aTargetThatCannotBeSavedSaysWhichClassItIs() {
        Trainable plain = new Trainable() {
            public String name() { return "plain"; }
            public void prepareTraining() {}
            public double trainStep(List<Tensor> xs, List<Tensor> ys) { return 0; }
            public Map<String, dev.myelin.metrics.Metric> trainingMetrics() { return Map.of(); }
            public Evaluator evaluator() { throw new IllegalStateException(); }
            public dev.myelin.optim.Optimizer optimizer() { return null; }
            public Map<String, Tensor> weightValues() { return Map.of(); }
            public void setWeightValues(Map<String, Tensor> values) {}
            public void stopTraining(boolean value) {}
            public boolean stopTrainingRequested() { return false; }
        };
        var checkpoint = new ModelCheckpoint(dir.resolve("x.myelin").toString());
        checkpoint.onTrainBegin(plain, new Callback.TrainingPlan(1, 1, 1, false));
        var e = assertThrows(UnsupportedOperationException.class, () -> checkpoint.onEpochEnd(0, Map.of("loss", 1.0)));
        assertTrue(e.getMessage().contains("'plain'") && e.getMessage().contains("cannot be saved"), e.getMessage());
        var w = assertThrows(UnsupportedOperationException.class, () -> plain.saveWeights(dir.resolve("w")));
        assertTrue(w.getMessage().contains("'plain'"), w.getMessage());
    }
}
