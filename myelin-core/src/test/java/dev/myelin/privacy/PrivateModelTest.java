package dev.myelin.privacy;

import static dev.myelin.privacy.PerExampleGradientsTest.randn;
import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.data.DataLoader;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.optim.Adam;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.BackupAndRestore;
import dev.myelin.train.Callback;
import dev.myelin.train.History;
import dev.myelin.train.LambdaCallback;
import dev.myelin.train.SnapshotFile;
import dev.myelin.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateModelTest {
    private static Sequential mlp(DType type, long seed) {
        Sequential m = new Sequential(new Dense(8, Activation.TANH).dtype(type).inputShape(4), new Dense(2, Activation.SOFTMAX).dtype(type));
        m.seed(seed);
        return m;
    }

    /** Two Gaussian blobs in 4-D, labels 0 and 1, float32. */
    private static Tensor[] blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 4], y = new float[n];
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            y[i] = label;
            for (int j = 0; j < 4; j++) x[4 * i + j] = (float) ((label == 0 ? -1 : 1) + 0.7 * r.nextGaussian());
        }
        return new Tensor[] {Tensor.of(x, n, 4), Tensor.of(y, n)};
    }

    @Test
    void withoutNoiseOrClippingFitIsPlainSgd() {
        // q = 1 (the expected batch is the whole set): Poisson sampling takes every sample every step
        Tensor x = randn(1, 12, 4), y = Tensor.of(new double[] {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0}, 12);
        Sequential plain = mlp(DType.FLOAT64, 3), priv = mlp(DType.FLOAT64, 3);
        plain.compile(new SGD(0.5), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        priv.compile(new SGD(0.5), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        History a = plain.fit(x, y, FitOptions.epochs(3).batchSize(12).shuffle(false).verbose(0));
        PrivateModel dp = new PrivateModel(priv, PrivacySettings.noiseMultiplier(0).clipNorm(Double.POSITIVE_INFINITY).seed(1));
        History b = dp.fit(x, y, FitOptions.epochs(3).batchSize(12).verbose(0));
        for (int k = 0; k < plain.weights().size(); k++) assertAllClose(priv.weights().get(k).value(), plain.weights().get(k).value(), 1e-12, 1e-14);
        for (int i = 0; i < 3; i++) assertEquals(a.get("loss").get(i), b.get("loss").get(i), 1e-12);
        assertEquals(3, dp.steps());
        assertEquals(Double.POSITIVE_INFINITY, dp.epsilon(), "no noise, no privacy");
    }

    @Test
    void fitReportsEpsilonEachEpochWithinTheTargetAndLearns() {
        Tensor[] train = blobs(512, 1), test = blobs(256, 2);
        Sequential m = mlp(DType.FLOAT32, 4);
        m.compile(new Adam(0.02), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY); // any optimizer
        PrivateModel dp = new PrivateModel(m, PrivacySettings.targetEpsilon(2.0).delta(1e-4).clipNorm(1.0).seed(7));
        History h = dp.fit(train[0], train[1], FitOptions.epochs(4).batchSize(64).seed(5).verbose(0));
        List<Double> eps = h.get("epsilon");
        assertEquals(4, eps.size());
        for (int i = 1; i < 4; i++) assertTrue(eps.get(i) > eps.get(i - 1), "epsilon grows: " + eps);
        assertTrue(eps.get(3) <= 2.0 && eps.get(3) > 1.9, "the planned run spends the budget, no more: " + eps);
        assertEquals(dp.epsilon(), eps.get(3), 1e-12);
        assertEquals(32, dp.steps()); // 4 epochs of round(512 / 64)
        assertEquals(64 / 512.0, dp.samplingRate(), 1e-15);
        assertTrue(dp.noiseMultiplier() > 0.5 && dp.noiseMultiplier() < 5, "sigma " + dp.noiseMultiplier());
        assertEquals(RdpAccountant.epsilon(0.125, dp.noiseMultiplier(), 32, 1e-4), dp.epsilon(), 1e-12);
        double accuracy = m.evaluate(test[0], test[1]).get("accuracy");
        assertTrue(accuracy > 0.85, "accuracy " + accuracy);
    }

    @Test
    void deltaOfAtLeastOneOverNWarns() {
        Tensor[] train = blobs(50, 3);
        Sequential m = mlp(DType.FLOAT32, 1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            new PrivateModel(m, PrivacySettings.noiseMultiplier(1.0).delta(0.05).seed(1)).fit(train[0], train[1], FitOptions.epochs(1).batchSize(10).verbose(0));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("WARNING: delta=0.05") && err.toString().contains("1/N=0.02"), err.toString());
    }

    @Test
    void badSettingsSayWhatWouldWork() {
        Tensor[] train = blobs(64, 3);
        Sequential m = mlp(DType.FLOAT32, 1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        var e = assertThrows(IllegalArgumentException.class, () -> new PrivateModel(m, PrivacySettings.targetEpsilon(1e-4).delta(1e-3))
                .fit(train[0], train[1], FitOptions.epochs(500).batchSize(64).verbose(0)));
        assertTrue(e.getMessage().contains("cannot be reached") && e.getMessage().contains("allow a larger epsilon or delta"), e.getMessage());
        // every sample in every step for a million epochs: fewer steps would do, and the message says how many
        var steps = assertThrows(IllegalArgumentException.class, () -> new PrivateModel(m, PrivacySettings.targetEpsilon(1).delta(1e-5))
                .fit(train[0], train[1], FitOptions.epochs(1_000_000).batchSize(64).verbose(0)));
        java.util.regex.Matcher most = java.util.regex.Pattern.compile("at most (\\d+) steps stay within it").matcher(steps.getMessage());
        assertTrue(most.find() && steps.getMessage().contains("1000000 epochs of 1 steps (batch 64 of 64 samples)"), steps.getMessage());
        long fits = Long.parseLong(most.group(1));
        assertTrue(RdpAccountant.epsilon(1, RdpAccountant.MAX_NOISE_MULTIPLIER, fits, 1e-5) <= 1, steps.getMessage());
        assertTrue(RdpAccountant.epsilon(1, RdpAccountant.MAX_NOISE_MULTIPLIER, fits + 1, 1e-5) > 1, steps.getMessage());
        assertTrue(steps.getMessage().contains("sampling rate of at most q="), steps.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PrivateModel(m, PrivacySettings.targetEpsilon(3).clipNorm(Double.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> PrivacySettings.targetEpsilon(3).delta(1));
        assertThrows(IllegalArgumentException.class, () -> PrivacySettings.noiseMultiplier(-1));
        var loader = assertThrows(IllegalArgumentException.class, () -> new PrivateModel(m, PrivacySettings.noiseMultiplier(1))
                .fit(DataLoader.of(List.of(train[0]), List.of(train[1])), FitOptions.epochs(1).verbose(0)));
        assertTrue(loader.getMessage().contains("poissonSampling(true)"), loader.getMessage());
    }

    @Test
    void batchNormalizationIsRefusedBeforeTraining() {
        Sequential m = new Sequential(new Dense(4).inputShape(4), new BatchNormalization().name("norm"), new Dense(2, Activation.SOFTMAX));
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        Tensor[] train = blobs(32, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> new PrivateModel(m, PrivacySettings.noiseMultiplier(1).delta(1e-3))
                .fit(train[0], train[1], FitOptions.epochs(1).batchSize(8).verbose(0)));
        assertTrue(e.getMessage().contains("layer 'norm' (BatchNormalization)"), e.getMessage());
    }

    /** Throws at the end of epoch {@code epoch}, after that epoch's backup (it comes after the backup callback). */
    private static Callback crashAfter(int epoch) {
        return LambdaCallback.onEpochEnd((e, logs) -> {
            if (e == epoch) throw new IllegalStateException("crash after epoch " + e);
        });
    }

    private static PrivateModel dpRun(long seed) {
        // named layers: a backup matches weights by name, and a fresh model's default names differ
        Sequential m = new Sequential(new Dense(8, Activation.TANH).name("hidden").inputShape(4), new Dropout(0.2).name("drop"),
                new Dense(2, Activation.SOFTMAX).name("out"));
        m.seed(4);
        m.compile(new SGD(0.5).momentum(0.9), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return new PrivateModel(m, PrivacySettings.targetEpsilon(2.0).delta(1e-4).clipNorm(1.0).seed(seed));
    }

    @Test
    void aCrashedDpRunResumesFromItsBackupWithItsBudgetAndEndsBitIdentical(@TempDir Path dir) throws IOException {
        Tensor[] train = blobs(256, 1);
        FitOptions options = FitOptions.epochs(4).batchSize(32).seed(5).verbose(0);
        PrivateModel uninterrupted = dpRun(7);
        History full = uninterrupted.fit(train[0], train[1], options);

        Path backupDir = dir.resolve("backup");
        var crash = assertThrows(IllegalStateException.class,
                () -> dpRun(7).fit(train[0], train[1], options.callbacks(new BackupAndRestore(backupDir), crashAfter(1))));
        assertEquals("crash after epoch 1", crash.getMessage());
        TrainingSnapshot saved = SnapshotFile.read(backupDir.resolve(BackupAndRestore.FILE_NAME));
        assertEquals(2, saved.epochsDone());
        assertEquals(16, saved.randomState(PrivateModel.ACCOUNTANT_STATE)[0], "the accountant's steps are in the backup");

        PrivateModel resumed = dpRun(7);
        History rest = resumed.fit(train[0], train[1], options.callbacks(new BackupAndRestore(backupDir)));
        assertEquals(uninterrupted.steps(), resumed.steps());
        assertEquals(Double.doubleToRawLongBits(uninterrupted.epsilon()), Double.doubleToRawLongBits(resumed.epsilon()), "the budget goes on");
        assertEquals(Double.doubleToRawLongBits(uninterrupted.noiseMultiplier()), Double.doubleToRawLongBits(resumed.noiseMultiplier()));
        for (String k : full.asMap().keySet()) {
            List<Double> a = full.get(k), b = rest.get(k);
            for (int i = 0; i < a.size(); i++) assertEquals(Double.doubleToRawLongBits(a.get(i)), Double.doubleToRawLongBits(b.get(i)), k + " " + a + " vs " + b);
        }
        TrainingSnapshot a = uninterrupted.snapshot(), b = resumed.snapshot();
        assertEquals(a.weights().keySet(), b.weights().keySet());
        for (String k : a.weights().keySet()) assertArrayEquals(a.weights().get(k).toFloatArray(), b.weights().get(k).toFloatArray(), "weight " + k);
        assertEquals(a.randomStates().keySet(), b.randomStates().keySet());
        for (String k : a.randomStates().keySet()) assertArrayEquals(a.randomStates().get(k), b.randomStates().get(k), k);
        assertEquals(uninterrupted.model().optimizer().iterations(), resumed.model().optimizer().iterations());
    }

    @Test
    void aSnapshotWithoutAnAccountantIsRefused() {
        Sequential plain = mlp(DType.FLOAT32, 4);
        plain.compile(new SGD(0.5), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        PrivateModel dp = dpRun(7);
        var e = assertThrows(IllegalArgumentException.class, () -> dp.restore(plain.snapshot()));
        assertTrue(e.getMessage().contains("no DP-SGD accountant state") && e.getMessage().contains("budget already spent is unknown"), e.getMessage());
        long[] bad = dp.snapshot().randomState(PrivateModel.ACCOUNTANT_STATE);
        bad[3] = Double.doubleToRawLongBits(-1);
        var s = dp.snapshot();
        java.util.Map<String, long[]> randoms = new java.util.LinkedHashMap<>(s.randomStates());
        randoms.put(PrivateModel.ACCOUNTANT_STATE, bad);
        assertThrows(IllegalArgumentException.class, () -> dp.restore(TrainingSnapshot.ofModel(s.weights(), s.optimizers(), randoms)));
    }
}
