package dev.myelin.semisupervised;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.Augmentation;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import dev.myelin.train.BackupAndRestore;
import dev.myelin.train.Callback;
import dev.myelin.train.History;
import dev.myelin.train.LambdaCallback;
import dev.myelin.train.SnapshotFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Auto-labelling, pseudo-labelling and FixMatch on hand cases and on three separable clusters. */
class SemiSupervisedTest {

    static final Augmentation NONE = (x, rng) -> x;
    /** Adds N(0, 0.3²) noise: a "strong" augmentation of 2-feature points. */
    static final Augmentation NOISE = (x, rng) -> x.add(Tensor.normal(rng, 0, 0.3, x.shape().toArray()));

    /** A softmax classifier over {@code [n, 1, 1, 2]} points: Flatten → Dense(16, relu) → Dense(3, softmax). */
    static Model classifier(long seed) {
        return classifier(seed, Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
    }

    static Model classifier(long seed, Loss loss) {
        Model m = new Sequential(new Flatten().inputShape(1, 1, 2), new Dense(16, Activation.RELU), new Dense(3, Activation.SOFTMAX)).seed(seed);
        m.compile(new SGD(0.1), loss, Metric.ACCURACY);
        return m;
    }

    /** As {@link #classifier(long)} with named layers (a backup matches weights by name) and dropout (a random state to resume). */
    static Model namedClassifier(long seed) {
        Model m = new Sequential(new Flatten().name("flat").inputShape(1, 1, 2), new Dense(16, Activation.RELU).name("hidden"),
                new Dropout(0.1).name("drop"), new Dense(3, Activation.SOFTMAX).name("out")).seed(seed);
        m.compile(new SGD(0.1).momentum(0.5), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        return m;
    }

    /** The weights' values in model order (names differ between two models). */
    static List<float[]> values(Model m) {
        return m.weights().stream().map(p -> p.value().toFloatArray()).toList();
    }

    /** {@code n} points around three centres, class i % 3; x {@code [n, 1, 1, 2]}, y {@code [n]}. */
    static Tensor[] clusters(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centres = {{2, 0}, {-1, 1.7}, {-1, -1.7}};
        float[] x = new float[2 * n], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = (float) (centres[c][0] + 0.5 * r.nextGaussian());
            x[2 * i + 1] = (float) (centres[c][1] + 0.5 * r.nextGaussian());
        }
        return new Tensor[] {Tensor.of(x, n, 1, 1, 2), Tensor.of(y, n)};
    }

    @Test
    void autoLabelsTakeTheArgMaxAndKeepConfidentOnes() {
        AutoLabels a = AutoLabeler.fromProbabilities(Tensor.of(new float[][] {{0.1f, 0.9f}, {0.6f, 0.4f}, {0.97f, 0.03f}}), 0.9);
        assertArrayEquals(new int[] {1, 0, 0}, a.labels());
        assertArrayEquals(new float[] {0.9f, 0.6f, 0.97f}, a.confidences());
        assertArrayEquals(new int[] {0, 2}, a.keptIndices());
        assertArrayEquals(new float[] {1, 0}, a.keptLabels().toFloatArray());
        assertEquals(2 / 3.0, a.keptFraction(), 1e-12);
        assertEquals(0.5, a.keptAccuracy(Tensor.of(new float[] {1, 1, 1}, 3)), 1e-12);
        AutoLabels sigmoid = AutoLabeler.fromProbabilities(Tensor.of(new float[][] {{0.2f}, {0.99f}}), 0.9);
        assertArrayEquals(new int[] {0, 1}, sigmoid.labels());
        assertArrayEquals(new float[] {0.8f, 0.99f}, sigmoid.confidences(), 1e-6f);
        assertArrayEquals(new int[] {1}, sigmoid.keptIndices());
        var ex = assertThrows(IllegalArgumentException.class, () -> AutoLabeler.autoLabel(classifier(1), Tensor.zeros(2, 1, 1, 2), 1.5));
        assertTrue(ex.getMessage().contains("threshold"), ex.getMessage());
    }

    @Test
    void autoLabelOfAModelReadsItsPredictions() {
        Model m = classifier(3);
        Tensor x = clusters(30, 4)[0];
        AutoLabels a = AutoLabeler.autoLabel(m, x, 0.4, 7);
        AutoLabels expected = AutoLabeler.fromProbabilities(m.predict(x), 0.4);
        assertEquals(expected, a);
    }

    @Test
    void labelsThatDoNotCoverTheClassesAreRefused() {
        Tensor[] d = clusters(30, 1);
        Tensor noClass2 = Tensor.of(new float[] {0, 1, 0, 1, 1, 0}, 6);
        Tensor x6 = d[0].slice(0, 0, 6);
        for (Runnable call : List.<Runnable>of(
                () -> new FixMatch(classifier(1), NONE, NOISE).fit(x6, noClass2, d[0], FitOptions.epochs(1).verbose(0)),
                () -> new PseudoLabelling(0.9, 1).fit(classifier(1), x6, noClass2, d[0], FitOptions.epochs(1).verbose(0)),
                () -> new FixMatch(classifier(1), NONE, NOISE).fit(x6, Tensor.oneHot(noClass2, 3), d[0], FitOptions.epochs(1).verbose(0)))) {
            var ex = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(ex.getMessage().contains("do not cover the classes") && ex.getMessage().contains("[2]"), ex.getMessage());
        }
        var bad = assertThrows(IllegalArgumentException.class, () -> new FixMatch(classifier(1), NONE, NOISE).threshold(2));
        assertTrue(bad.getMessage().contains("threshold"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FixMatch(classifier(1), NONE, NOISE).unlabelledRatio(0));
        assertThrows(IllegalArgumentException.class, () -> new FixMatch(classifier(1), NONE, NOISE).unlabelledWeight(-1));
    }

    /** The loss of a step against the formula, computed by hand from the model before the step. */
    @Test
    void fixMatchStepIsSupervisedPlusScaledLossOnConfidentStrongViews() {
        Tensor[] d = clusters(60, 2);
        Tensor x = d[0].slice(0, 0, 6), y = d[1].slice(0, 0, 6), u = d[0].slice(0, 6, 60);
        Model m = classifier(5);
        m.fit(x, y, FitOptions.epochs(30).batchSize(6).verbose(0).seed(1)); // some confident, some not
        // strong = identity too, so the hand computation sees the same views
        FixMatch fm = new FixMatch(m, NONE, NONE).unlabelledRatio(3).unlabelledWeight(0.7).seed(9);
        Tensor pu;
        Tensor px;
        try (var g = NoGrad.scope()) {
            pu = m.call(u, false);
            px = m.call(x, false);
        }
        float[] conf = AutoLabeler.fromProbabilities(pu, 0).confidences();
        float[] sorted = conf.clone();
        java.util.Arrays.sort(sorted);
        double tau = sorted[sorted.length / 2];
        fm.threshold(tau);
        // every unlabelled sample is drawn once in the first pass: μB = 18 of 54, the first 18 of the seeded order
        int[] order = dev.myelin.data.Permutations.shuffled(54, dev.myelin.nn.RandomStream.seeded(9));
        float[] p = pu.toFloatArray(), q = px.toFloatArray(), yy = y.toFloatArray();
        double ls = 0;
        for (int i = 0; i < 6; i++) ls -= Math.log(q[i * 3 + (int) yy[i]]) / 6;
        double lu = 0;
        int kept = 0;
        for (int j = 0; j < 18; j++) {
            int s = order[j];
            int best = 0;
            for (int c = 1; c < 3; c++) if (p[s * 3 + c] > p[s * 3 + best]) best = c;
            if (p[s * 3 + best] >= tau) {
                lu -= Math.log(p[s * 3 + best]) / 18;
                kept++;
            }
        }
        assertTrue(kept > 0 && kept < 18, kept + " kept");
        fmData(fm, u);
        double loss = fm.trainStep(List.of(x), List.of(y));
        assertEquals(ls + 0.7 * lu, loss, 1e-5);
        assertEquals(kept / 18.0, fm.trainingMetrics().get("mask_rate").result(), 1e-9);
    }

    /** Sets the unlabelled set as fit does, without training (fit with 0 epochs). */
    static void fmData(FixMatch fm, Tensor u) {
        Tensor[] d = clusters(3, 0);
        fm.fit(d[0], d[1], u, FitOptions.epochs(0).verbose(0));
    }

    @Test
    void fixMatchWithNothingConfidentIsASupervisedStep() {
        Tensor[] d = clusters(40, 3);
        Tensor x = d[0].slice(0, 0, 8), y = d[1].slice(0, 0, 8);
        Model a = classifier(7), b = classifier(7);
        a.build();
        b.build();
        FixMatch fm = new FixMatch(a, NONE, NOISE).threshold(1.0);
        fmData(fm, d[0]);
        double l1 = fm.trainStep(List.of(x), List.of(y));
        double l2 = b.trainStep(List.of(x), List.of(y));
        assertEquals(l2, l1, 1e-6);
        List<float[]> wa = values(a), wb = values(b);
        for (int k = 0; k < wa.size(); k++) dev.myelin.testing.TensorAssert.assertAllClose(wa.get(k), wb.get(k), 1e-6, 1e-7);
    }

    @Test
    void fixMatchLearnsTheClustersFromThreeLabelsRepeatably() {
        Tensor[] train = clusters(303, 5), test = clusters(300, 6);
        Tensor x = train[0].slice(0, 0, 3), y = train[1].slice(0, 0, 3), u = train[0].slice(0, 3, 303);
        History[] h = new History[2];
        List<float[]> first = null;
        for (int run = 0; run < 2; run++) {
            Model m = classifier(11);
            FixMatch fm = new FixMatch(m, NONE, NOISE).threshold(0.9).unlabelledRatio(20).seed(3);
            h[run] = fm.fit(x, y, u, FitOptions.epochs(60).batchSize(3).verbose(0).seed(2));
            if (run == 0) first = values(m);
            else for (int k = 0; k < first.size(); k++) assertArrayEquals(first.get(k), values(m).get(k), "weight " + k);
            double acc = m.evaluate(test[0], test[1]).get("accuracy");
            assertTrue(acc > 0.95, "test accuracy " + acc);
            AutoLabels labels = AutoLabeler.autoLabel(m, u, 0.95);
            assertTrue(labels.keptAccuracy(train[1].slice(0, 3, 303)) > 0.97, "kept auto-labels right: " + labels.keptAccuracy(train[1].slice(0, 3, 303)));
        }
        assertTrue(h[0].last("mask_rate") > 0.5, "mask rate " + h[0].get("mask_rate"));
    }

    @Test
    void pseudoLabellingAddsConfidentLabelsEachRound() {
        Tensor[] train = clusters(153, 8);
        Tensor x = train[0].slice(0, 0, 3), y = train[1].slice(0, 0, 3), u = train[0].slice(0, 3, 153);
        Model m = classifier(13, Loss.CATEGORICAL_CROSSENTROPY);
        PseudoLabelling.Result r = new PseudoLabelling(0.9, 2).fit(m, x, Tensor.oneHot(y, 3), u, FitOptions.epochs(20).batchSize(8).verbose(0).seed(1));
        assertEquals(3, r.histories().size());
        assertEquals(150, r.labels().size());
        assertTrue(r.labels().keptFraction() > 0.5, r.labels().toString());
        assertTrue(r.labels().keptAccuracy(train[1].slice(0, 3, 153)) > 0.95, "kept accuracy " + r.labels().keptAccuracy(train[1].slice(0, 3, 153)));
    }

    @Test
    void aCrashedFixMatchRunResumesFromItsBackupAndEndsBitIdentical(@TempDir Path dir) throws IOException {
        Tensor[] train = clusters(56, 9);
        Tensor x = train[0].slice(0, 0, 6), y = train[1].slice(0, 0, 6), u = train[0].slice(0, 6, 56);
        // 2 steps of 3 labelled and 12 unlabelled samples an epoch: the 50 unlabelled samples' order runs across epochs
        FitOptions options = FitOptions.epochs(5).batchSize(3).seed(2).verbose(0);
        Model m1 = namedClassifier(11);
        History full = new FixMatch(m1, NOISE, NOISE).threshold(0.5).unlabelledRatio(4).seed(3).fit(x, y, u, options);

        Path backupDir = dir.resolve("backup");
        Callback crash = LambdaCallback.onEpochEnd((e, logs) -> {
            if (e == 1) throw new IllegalStateException("crash after epoch " + e);
        });
        assertThrows(IllegalStateException.class, () -> new FixMatch(namedClassifier(11), NOISE, NOISE).threshold(0.5).unlabelledRatio(4).seed(3)
                .fit(x, y, u, options.callbacks(new BackupAndRestore(backupDir), crash)));
        assertEquals(2, SnapshotFile.read(backupDir.resolve(BackupAndRestore.FILE_NAME)).epochsDone());

        Model m2 = namedClassifier(11);
        History resumed = new FixMatch(m2, NOISE, NOISE).threshold(0.5).unlabelledRatio(4).seed(3)
                .fit(x, y, u, options.callbacks(new BackupAndRestore(backupDir)));
        for (int k = 0; k < values(m1).size(); k++) assertArrayEquals(values(m1).get(k), values(m2).get(k), "weight " + k);
        for (String k : full.asMap().keySet()) {
            List<Double> a = full.get(k), b = resumed.get(k);
            for (int i = 0; i < a.size(); i++) assertEquals(Double.doubleToRawLongBits(a.get(i)), Double.doubleToRawLongBits(b.get(i)), k + " " + a + " vs " + b);
        }
        assertTrue(full.last("mask_rate") > 0, "some pseudo-labels are used: " + full.get("mask_rate"));
    }

    @Test
    void aSnapshotWithoutFixMatchStateIsRefused() {
        Model m = classifier(1);
        FixMatch fm = new FixMatch(classifier(1), NONE, NOISE);
        var e = assertThrows(IllegalArgumentException.class, () -> fm.restore(m.snapshot()));
        assertTrue(e.getMessage().contains("no FixMatch state"), e.getMessage());
    }

    @Test
    void aCrashedPseudoLabellingRunResumesFromItsRoundBackupsAndEndsBitIdentical(@TempDir Path dir) {
        Tensor[] train = clusters(93, 8);
        Tensor x = train[0].slice(0, 0, 3), y = train[1].slice(0, 0, 3), u = train[0].slice(0, 3, 93);
        FitOptions each = FitOptions.epochs(4).batchSize(8).seed(1).verbose(0);
        Model m1 = namedClassifier(13);
        PseudoLabelling.Result full = new PseudoLabelling(0.6, 2).fit(m1, x, y, u, each, dir.resolve("unused"));
        assertTrue(!java.nio.file.Files.exists(dir.resolve("unused").resolve("round-0.snapshot")), "a finished run deletes its round files");

        // crash in round 1 (the first pseudo-labelled one), after its epoch 1's backup
        int[] epochEnds = {0};
        Callback crash = LambdaCallback.onEpochEnd((e, logs) -> {
            if (++epochEnds[0] == 6) throw new IllegalStateException("crash in round 1 after epoch " + e);
        });
        Path backupDir = dir.resolve("backup");
        assertThrows(IllegalStateException.class, () -> new PseudoLabelling(0.6, 2).fit(namedClassifier(13), x, y, u, each.callbacks(crash), backupDir));
        assertTrue(java.nio.file.Files.exists(backupDir.resolve("round-0.snapshot")) && !java.nio.file.Files.exists(backupDir.resolve("round-1.snapshot")));

        Model m2 = namedClassifier(13);
        PseudoLabelling.Result resumed = new PseudoLabelling(0.6, 2).fit(m2, x, y, u, each, backupDir);
        for (int k = 0; k < values(m1).size(); k++) assertArrayEquals(values(m1).get(k), values(m2).get(k), "weight " + k);
        assertArrayEquals(full.labels().labels(), resumed.labels().labels());
        assertEquals(3, resumed.histories().size());
        for (int r = 0; r < 3; r++) {
            for (String k : full.histories().get(r).asMap().keySet()) {
                List<Double> a = full.histories().get(r).get(k), b = resumed.histories().get(r).get(k);
                for (int i = 0; i < a.size(); i++) assertEquals(Double.doubleToRawLongBits(a.get(i)), Double.doubleToRawLongBits(b.get(i)), "round " + r + " " + k);
            }
        }
        assertEquals(m1.optimizer().iterations(), m2.optimizer().iterations());
    }
}
