package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.data.DataLoader;
import dev.myelin.data.Dataset;
import dev.myelin.data.RandomFlip;
import dev.myelin.data.RandomTranslation;
import dev.myelin.data.Augmentation;
import dev.myelin.gan.GAN;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.optim.Adam;
import dev.myelin.optim.CosineDecay;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/**
 * BackupAndRestore's contract in memory: a run interrupted after epoch k and resumed from a snapshot on a
 * fresh model ends bit-identical to the uninterrupted run (weights, optimizer slots and iterations, the
 * schedule's position, dropout masks, data order and augmentation, History).
 */
class ResumeTest {
    private static final int EPOCHS = 4;

    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** Images [n, 4, 4, 1] and labels in {0, 1, 2}. */
    private static Dataset images(int n) {
        RandomGenerator r = rng(17);
        Tensor x = Tensor.normal(r, 0, 1, n, 4, 4, 1);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(3);
        return Dataset.of(x, Tensor.of(y, n));
    }

    private static Optimizer adamWithCosineDecay() {
        return new Adam(0.01).learningRateSchedule(new CosineDecay(0.02, 40, 0.1));
    }

    /** The same model each call: fixed layer names (weights, slots and random states are keyed by them) and seed. */
    private static Model dropoutModel() {
        Sequential m = new Sequential(new Flatten().name("flat").inputShape(4, 4, 1), new Dense(12, Activation.RELU).name("hidden"),
                new Dropout(0.3).name("drop"), new Dense(3, Activation.SOFTMAX).name("out"));
        m.seed(5);
        m.compile(adamWithCosineDecay(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static Model lstmModel() {
        Sequential m = new Sequential(new LSTM(5).dropout(0.2).recurrentDropout(0.25).name("lstm").inputShape(6, 2),
                new Dropout(0.1).name("drop"), new Dense(3, Activation.SOFTMAX).name("out"));
        m.seed(6);
        m.compile(adamWithCosineDecay(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    private static DataLoader augmentedLoader() {
        return DataLoader.of(images(40)).batchSize(8).shuffle(21).augment(Augmentation.compose(RandomFlip.horizontal(), RandomTranslation.of(0.25, 0.25)));
    }

    private static DataLoader sequenceLoader() {
        RandomGenerator r = rng(23);
        Tensor x = Tensor.normal(r, 0, 1, 30, 6, 2);
        float[] y = new float[30];
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(3);
        return DataLoader.of(List.of(x), List.of(Tensor.of(y, 30))).batchSize(7).shuffle(4);
    }

    // ---- comparisons, on bits ----

    static void assertSameBits(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(what + " differs at element " + i + ": " + e[i] + " vs " + a[i]);
            }
        }
    }

    private static void assertSameHistory(Map<String, List<Double>> expected, Map<String, List<Double>> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            List<Double> e = expected.get(k), a = actual.get(k);
            assertEquals(e.size(), a.size(), k);
            for (int i = 0; i < e.size(); i++) {
                assertEquals(Double.doubleToRawLongBits(e.get(i)), Double.doubleToRawLongBits(a.get(i)), k + " at epoch " + i + ": " + e + " vs " + a);
            }
        }
    }

    /** Weights, optimizer slots, iterations, learning rate and random states of two trained targets, on bits. */
    static void assertSameState(TrainingSnapshot expected, TrainingSnapshot actual) {
        assertEquals(expected.weights().keySet(), actual.weights().keySet());
        for (String k : expected.weights().keySet()) assertSameBits(expected.weights().get(k), actual.weights().get(k), "weight " + k);
        assertEquals(expected.optimizers().keySet(), actual.optimizers().keySet());
        for (String role : expected.optimizers().keySet()) {
            Optimizer.State e = expected.optimizers().get(role), a = actual.optimizers().get(role);
            assertEquals(e.iterations(), a.iterations(), role + " iterations");
            assertEquals(e.learningRate(), a.learningRate(), role + " learning rate");
            assertEquals(e.scheduleScale(), a.scheduleScale(), role + " schedule scale");
            assertEquals(e.slots().keySet(), a.slots().keySet(), role + " slots");
            for (String k : e.slots().keySet()) assertSameBits(e.slots().get(k), a.slots().get(k), role + " slot " + k);
        }
        assertEquals(expected.randomStates().keySet(), actual.randomStates().keySet());
        for (String k : expected.randomStates().keySet()) assertArrayEquals(expected.randomStates().get(k), actual.randomStates().get(k), "random state " + k);
    }

    private static Map<String, List<Double>> concat(History first, History second) {
        Map<String, List<Double>> all = new LinkedHashMap<>();
        first.asMap().forEach((k, v) -> all.put(k, new ArrayList<>(v)));
        second.asMap().forEach((k, v) -> all.get(k).addAll(v));
        return all;
    }

    // ---- initialEpoch: fit 2, snapshot, fresh model, restore, fit 2 .. 4 ----

    private static void resumesWithInitialEpoch(Supplier<Model> make, Supplier<DataLoader> data) {
        Model uninterrupted = make.get();
        History full = uninterrupted.fit(data.get(), FitOptions.epochs(EPOCHS).verbose(0));

        Model first = make.get();
        History firstHalf = first.fit(data.get(), FitOptions.epochs(2).verbose(0));
        TrainingSnapshot saved = first.snapshot();
        assertFalse(saved.randomStates().isEmpty(), "the model draws: " + saved.randomStates().keySet());

        Model fresh = make.get();
        fresh.restore(saved);
        int[] firstEpoch = {-1};
        History secondHalf = fresh.fit(data.get(), FitOptions.epochs(EPOCHS).initialEpoch(2).verbose(0)
                .callbacks(LambdaCallback.onEpochEnd((e, logs) -> { if (firstEpoch[0] < 0) firstEpoch[0] = e; })));
        assertEquals(2, firstEpoch[0], "epoch numbers are absolute");
        assertEquals(2, secondHalf.epochsRun());

        assertSameState(uninterrupted.snapshot(), fresh.snapshot());
        assertEquals(EPOCHS * 5L, fresh.optimizer().iterations());
        assertSameHistory(full.asMap(), concat(firstHalf, secondHalf));
    }

    @Test
    void aDropoutModelWithAugmentedSeededDataResumesBitIdentically() {
        resumesWithInitialEpoch(ResumeTest::dropoutModel, ResumeTest::augmentedLoader);
    }

    @Test
    void anLstmWithDropoutResumesBitIdentically() {
        resumesWithInitialEpoch(ResumeTest::lstmModel, ResumeTest::sequenceLoader);
    }

    @Test
    void withoutRestoringTheRandomStatesTheRunDiffers() {
        // the test above can fail: a fresh model restored without its dropout state takes other masks
        Model uninterrupted = dropoutModel();
        uninterrupted.fit(augmentedLoader(), FitOptions.epochs(EPOCHS).verbose(0));
        Model first = dropoutModel();
        first.fit(augmentedLoader(), FitOptions.epochs(2).verbose(0));
        TrainingSnapshot saved = first.snapshot();
        Model fresh = dropoutModel();
        fresh.restore(new TrainingSnapshot(0, Map.of(), null, saved.weights(), saved.optimizers(), dropoutModel().randomStates()));
        fresh.fit(augmentedLoader(), FitOptions.epochs(EPOCHS).initialEpoch(2).verbose(0));
        assertThrows(AssertionError.class, () -> assertSameState(uninterrupted.snapshot(), fresh.snapshot()));
    }

    // ---- the callback path: a backup callback resumes in onTrainBegin ----

    /** Keeps the run's snapshot at every epoch end, stops after epoch {@code stopAfter}, resumes from {@code from}. */
    static final class Backup implements Callback {
        private final TrainingSnapshot from;
        private final int stopAfter;
        private TrainingPlan plan;
        private Trainable target;
        TrainingSnapshot last;
        Long dataSeed;

        Backup(TrainingSnapshot from, int stopAfter) {
            this.from = from;
            this.stopAfter = stopAfter;
        }

        @Override
        public void onTrainBegin(Trainable model, TrainingPlan p) {
            plan = p;
            target = model;
            if (from != null) p.resume(from);
            dataSeed = p.dataSeed();
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            last = plan.snapshot(epoch + 1);
            if (epoch == stopAfter) target.stopTraining(true); // "killed" after this epoch's backup
        }
    }

    @Test
    void aBackupCallbackResumesInMemoryDataShuffledByADrawnSeed() {
        Dataset d = images(40);
        Model first = dropoutModel();
        Backup backup = new Backup(null, 1);
        History h1 = first.fit(d.x(), d.y(), FitOptions.epochs(EPOCHS).batchSize(8).verbose(0).callbacks(backup));
        assertEquals(2, h1.epochsRun());
        assertNotNull(backup.dataSeed, "fit drew a shuffling seed and shows it");
        assertEquals(2, backup.last.epochsDone());
        assertEquals(backup.dataSeed, backup.last.dataSeed());

        // the uninterrupted run with the seed the first run drew
        Model uninterrupted = dropoutModel();
        History full = uninterrupted.fit(d.x(), d.y(), FitOptions.epochs(EPOCHS).batchSize(8).seed(backup.dataSeed).verbose(0));

        Model fresh = dropoutModel();
        Backup resume = new Backup(backup.last, -1);
        List<Integer> epochs = new ArrayList<>();
        History resumed = fresh.fit(d.x(), d.y(), FitOptions.epochs(EPOCHS).batchSize(8).verbose(0)
                .callbacks(resume, new Callback() {
                    @Override
                    public void onEpochBegin(int epoch) {
                        epochs.add(epoch);
                    }
                }));
        assertEquals(List.of(2, 3), epochs);
        assertEquals(backup.dataSeed, resume.dataSeed, "the plan shows the restored seed");
        assertEquals(EPOCHS, resumed.epochsRun(), "the History holds the restored epochs too");
        assertSameHistory(full.asMap(), resumed.asMap());
        assertSameState(uninterrupted.snapshot(), fresh.snapshot());
        assertSameState(uninterrupted.snapshot(), resume.last);
    }

    @Test
    void resumeRejectsASnapshotThatDoesNotFit() {
        Model first = dropoutModel();
        Backup backup = new Backup(null, 0);
        first.fit(augmentedLoader(), FitOptions.epochs(2).verbose(0).callbacks(backup));
        var tooFew = assertThrows(IllegalArgumentException.class,
                () -> dropoutModel().fit(augmentedLoader(), FitOptions.epochs(0).verbose(0).callbacks(new Backup(backup.last, -1))));
        assertTrue(tooFew.getMessage().contains("after epoch 1"), tooFew.getMessage());
        var otherModel = assertThrows(IllegalArgumentException.class, () -> lstmModel().restore(backup.last));
        assertTrue(otherModel.getMessage().contains("weight"), otherModel.getMessage());
        Map<String, long[]> wrongLayer = Map.of("dropout_that_is_not_there", backup.last.randomState("drop"));
        var e = assertThrows(IllegalArgumentException.class, () -> dropoutModel().restoreRandomStates(wrongLayer));
        assertTrue(e.getMessage().contains("'dropout_that_is_not_there'"), e.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> dropoutModel().restoreRandomStates(Map.of()));
        assertTrue(missing.getMessage().contains("'drop'"), missing.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> dropoutModel().restoreRandomStates(Map.of("drop", new long[3])));
        assertTrue(bad.getMessage().contains("'drop'"), bad.getMessage());
    }

    // ---- a GAN: both models, both optimizers, its latent generator ----

    private static GAN gan() {
        Sequential g = new Sequential(new Dense(6, Activation.RELU).name("g_hidden").inputShape(3), new Dropout(0.2).name("g_drop"),
                new Dense(4, Activation.TANH).name("g_out"));
        Sequential d = new Sequential(new Dense(6, Activation.LEAKY_RELU).name("d_hidden").inputShape(4), new Dropout(0.3).name("d_drop"),
                new Dense(1, Activation.SIGMOID).name("d_out"));
        g.seed(1);
        d.seed(2);
        GAN gan = new GAN(g, d).seed(3);
        gan.compile(new Adam(2e-3).beta1(0.5).learningRateSchedule(new CosineDecay(2e-3, 30)), new Adam(2e-3).beta1(0.5));
        return gan;
    }

    @Test
    void aGanResumesBitIdentically() {
        Tensor real = Tensor.normal(rng(8), 0, 0.5, 24, 4);
        FitOptions options = FitOptions.epochs(EPOCHS).batchSize(6).seed(12).verbose(0);
        GAN uninterrupted = gan();
        History full = uninterrupted.fit(real, options);

        GAN first = gan();
        Backup backup = new Backup(null, 1);
        first.fit(real, options.callbacks(backup));
        assertEquals(List.of("generator/g_drop", "discriminator/d_drop", "latent"), List.copyOf(backup.last.randomStates().keySet()));

        GAN fresh = gan();
        Backup resume = new Backup(backup.last, -1);
        History resumed = fresh.fit(real, options.callbacks(resume));
        assertSameHistory(full.asMap(), resumed.asMap());
        assertSameState(uninterrupted.snapshot(), fresh.snapshot());
        // and the latent generator continues where the uninterrupted one is
        assertSameBits(uninterrupted.sampleLatent(5), fresh.sampleLatent(5), "latent vectors after training");
    }

    // ---- data: epoch e of a seeded loader does not depend on the epochs before it in this process ----

    @Test
    void aSeededLoadersEpochIsTheSameWithOrWithoutTheEpochsBefore() {
        DataLoader afterTwo = augmentedLoader();
        for (int e = 0; e < 2; e++) {
            try (DataLoader.Epoch it = afterTwo.epoch(e)) {
                while (it.hasNext()) it.next();
            }
        }
        for (int e = 2; e < 4; e++) {
            try (DataLoader.Epoch warm = afterTwo.epoch(e); DataLoader.Epoch cold = augmentedLoader().epoch(e)) {
                int b = 0;
                while (warm.hasNext()) {
                    assertTrue(cold.hasNext());
                    DataLoader.Batch x = warm.next(), y = cold.next();
                    assertSameBits(x.x(), y.x(), "epoch " + e + " batch " + b + " x");
                    assertSameBits(x.y(), y.y(), "epoch " + e + " batch " + b + " y");
                    b++;
                }
                assertFalse(cold.hasNext());
            }
        }
    }

    @Test
    void initialEpochIsCheckedAndAtTheEndRunsNothing() {
        var e = assertThrows(IllegalArgumentException.class, () -> FitOptions.epochs(3).initialEpoch(-1));
        assertTrue(e.getMessage().contains("initialEpoch"), e.getMessage());
        assertEquals(2, FitOptions.epochs(3).initialEpoch(2).verbose(0).batchSize(5).initialEpoch(), "withers keep it");
        Model m = dropoutModel();
        History h = m.fit(augmentedLoader(), FitOptions.epochs(2).initialEpoch(2).verbose(0));
        assertEquals(0, h.epochsRun());
        assertEquals(0, m.optimizer().iterations());
        var noRun = assertThrows(IllegalStateException.class, () -> new Callback.TrainingPlan(1, 1, 1, false).snapshot(1));
        assertTrue(noRun.getMessage().contains("not made by fit"), noRun.getMessage());
    }

    // ---- model-level pieces ----

    @Test
    void theSnapshotCopiesAndTheModelDoesNotChangeIt() {
        Model m = dropoutModel();
        m.fit(augmentedLoader(), FitOptions.epochs(1).verbose(0));
        TrainingSnapshot s = m.snapshot();
        assertEquals(0, s.epochsDone());
        assertTrue(s.history().isEmpty());
        float[] kernel = s.weights().get("hidden/kernel").toFloatArray();
        long[] drop = s.randomState("drop");
        m.fit(augmentedLoader(), FitOptions.epochs(1).verbose(0));
        assertArrayEquals(kernel, s.weights().get("hidden/kernel").toFloatArray());
        assertArrayEquals(drop, s.randomStates().get("drop"));
        for (Parameter p : m.weights()) assertTrue(s.weights().containsKey(p.name()), p.name());
        assertEquals(List.of("drop"), List.copyOf(m.randomStates().keySet()), "only the layers that draw");
    }
}
