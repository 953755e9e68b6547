package dev.myelin.train;

import static dev.myelin.testing.TensorAssert.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.regularizers.L2;
import dev.myelin.optim.Adam;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.Blobs;
import dev.myelin.zoo.SeedModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private static Tensor[] blobs(int n, long seed) {
        return Blobs.of(n, seed);
    }

    private static Sequential smallClassifier(long seed) {
        Sequential m = new Sequential(new Dense(16, Activation.RELU).inputShape(2), new Dense(3, Activation.SOFTMAX));
        m.seed(seed);
        return m;
    }

    @Test
    void fitLowersTheLossAndRaisesAccuracyOnBlobs() {
        Tensor[] d = blobs(600, 1);
        Sequential m = smallClassifier(1);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        double before = m.evaluate(d[0], d[1]).loss();
        History h = m.fit(d[0], d[1], FitOptions.epochs(8).batchSize(32).seed(3).verbose(0));
        List<Double> loss = h.get("loss");
        assertEquals(8, loss.size());
        assertTrue(loss.get(7) < loss.get(0) * 0.5, "loss " + loss);
        assertTrue(h.last("accuracy") > 0.95, "accuracy " + h.get("accuracy"));
        Evaluation ev = m.evaluate(d[0], d[1]);
        assertTrue(ev.loss() < before * 0.3, before + " -> " + ev.loss());
        assertTrue(ev.get("accuracy") > 0.95);
        int total = 0;
        for (int[] row : ev.confusionMatrix().counts()) for (int c : row) total += c;
        assertEquals(600, total);
    }

    @Test
    void sameSeedsGiveTheSameHistory() {
        Tensor[] d = blobs(120, 2);
        double[] last = new double[2];
        for (int run = 0; run < 2; run++) {
            Sequential m = smallClassifier(5);
            m.compile(new SGD(0.1).momentum(0.9), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
            last[run] = m.fit(d[0], d[1], FitOptions.epochs(3).batchSize(16).seed(9).verbose(0)).last("loss");
        }
        assertEquals(last[0], last[1], 0.0);
    }

    @Test
    void validationSplitHoldsOutTheLastSamples() {
        Tensor[] d = blobs(100, 3);
        Sequential m = smallClassifier(2);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        int[] steps = new int[1];
        History h = m.fit(d[0], d[1], FitOptions.epochs(2).batchSize(10).validationSplit(0.2).verbose(0)
                .callbacks(LambdaCallback.onBatchEnd((b, logs) -> steps[0]++)));
        assertEquals(2 * 8, steps[0]); // 80 training samples in batches of 10
        assertEquals(2, h.get("val_loss").size());
        assertTrue(h.asMap().containsKey("val_accuracy"));
        // the validation loss is the evaluation of the last 20 samples after the epoch
        double val = m.evaluate(d[0].slice(0, 80, 100), d[1].slice(0, 80, 100)).loss();
        assertEquals(val, h.last("val_loss"), 1e-6);
    }

    /**
     * The fit loop needs nothing but the Trainable contract: a hand-written target (its one weight is the mean of the
     * last batch) gets its steps in order, its metrics logged, validation through its
     * evaluator, and EarlyStopping restores its best weights.
     */
    @Test
    void fitDrivesAnyTrainable() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, 1);
        var target = new Trainable() {
            final dev.myelin.metrics.Mean batchSize = new dev.myelin.metrics.Mean("batch_size");
            final List<Double> firstOfBatch = new java.util.ArrayList<>();
            double weight;
            boolean stop;

            public String name() {
                return "mean";
            }

            public void prepareTraining() {}

            public double trainStep(List<Tensor> xs, List<Tensor> ys) {
                firstOfBatch.add(xs.get(0).toDoubleArray()[0]);
                batchSize.update(xs.get(0).dim(0));
                weight = xs.get(0).mean().item();
                return weight;
            }

            public java.util.Map<String, Metric> trainingMetrics() {
                return java.util.Map.of("batch_size", batchSize);
            }

            public Evaluator evaluator() {
                return new Evaluator() {
                    public double testStep(List<Tensor> xs, List<Tensor> ys) {
                        return Math.abs(xs.get(0).mean().item() - weight);
                    }

                    public java.util.Map<String, Double> metricResults() {
                        return java.util.Map.of();
                    }
                };
            }

            public dev.myelin.optim.Optimizer optimizer() {
                return null;
            }

            public java.util.Map<String, Tensor> weightValues() {
                return java.util.Map.of("w", Tensor.scalar(weight));
            }

            public void setWeightValues(java.util.Map<String, Tensor> values) {
                weight = values.get("w").item();
            }

            public void stopTraining(boolean value) {
                stop = value;
            }

            public boolean stopTrainingRequested() {
                return stop;
            }
        };
        History h = Trainer.fit(target, List.of(x), List.of(x), FitOptions.epochs(3).batchSize(4).shuffle(false).validationSplit(0.2).verbose(0)
                .callbacks(new EarlyStopping("val_loss").patience(5).restoreBestWeights(true)));
        // 8 training samples in batches of 4, in order, three epochs; the last 2 samples validate
        assertEquals(List.of(1.0, 5.0, 1.0, 5.0, 1.0, 5.0), target.firstOfBatch);
        assertEquals(List.of(4.0, 4.0, 4.0), h.get("batch_size"));
        assertEquals(List.of(4.5, 4.5, 4.5), h.get("loss"));       // batch losses 2.5 and 6.5, weighted by size
        assertEquals(List.of(3.0, 3.0, 3.0), h.get("val_loss"));   // |9.5 − 6.5|
        assertEquals(6.5, target.weight, 0.0);
    }

    /** fit(loader) splits validation data off the END of the loader's dataset, by the same rule as fit(x, y). */
    @Test
    void validationSplitOnALoaderMatchesTheInMemorySplit() {
        Tensor[] d = blobs(100, 3);
        Sequential inMemory = smallClassifier(2), onLoader = smallClassifier(2);
        inMemory.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        onLoader.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        History a = inMemory.fit(d[0], d[1], FitOptions.epochs(2).batchSize(10).shuffle(false).validationSplit(0.2).verbose(0));
        int[] steps = new int[1];
        var loader = dev.myelin.data.DataLoader.of(dev.myelin.data.Dataset.of(d[0], d[1])).batchSize(10);
        History b = onLoader.fit(loader, FitOptions.epochs(2).batchSize(10).validationSplit(0.2).verbose(0)
                .callbacks(LambdaCallback.onBatchEnd((batch, logs) -> steps[0]++)));
        assertEquals(2 * 8, steps[0]); // 80 training samples in batches of 10
        for (String key : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
            assertEquals(a.get(key), b.get(key), key);
        }
        var tooFew = assertThrows(IllegalArgumentException.class, () -> smallClassifierCompiled().fit(
                dev.myelin.data.DataLoader.of(dev.myelin.data.Dataset.of(d[0].slice(0, 0, 3), d[1].slice(0, 0, 3))), FitOptions.epochs(1).validationSplit(0.2).verbose(0)));
        assertTrue(tooFew.getMessage().contains("validationSplit 0.2 of 3 samples leaves 3 for training and 0 for validation"), tooFew.getMessage());
    }

    private static Sequential smallClassifierCompiled() {
        Sequential m = smallClassifier(1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        return m;
    }

    @Test
    void logitsPathMatchesTheLossOfTheSoftmaxOutput() {
        Tensor[] d = blobs(30, 4);
        Sequential m = smallClassifier(4);
        m.compile(new SGD(0.0), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        double reported = m.evaluate(d[0], d[1], 30).loss();
        double manual;
        try (var g = NoGrad.scope()) {
            Tensor p = m.predict(d[0]);
            float[] pf = p.toFloatArray();
            float[] y = d[1].toFloatArray();
            double s = 0;
            for (int i = 0; i < 30; i++) s -= Math.log(pf[i * 3 + (int) y[i]]);
            manual = s / 30;
        }
        assertEquals(manual, reported, 1e-5);
    }

    @Test
    void saturatedSoftmaxStillGivesAFiniteLossAndGradient() {
        Sequential m = new Sequential(new Dense(2, Activation.SOFTMAX).inputShape(1));
        m.seed(1);
        m.compile(new SGD(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        Dense d = (Dense) m.layers().get(0);
        try (var g = NoGrad.scope()) {
            d.kernel().value().assign(Tensor.of(new float[] {200, -200}, 1, 2));
        }
        // label 1 while the softmax gives it exp(-400): probabilities would clip, logits give loss 400
        assertEquals(400, m.evaluate(Tensor.ones(1, 1), Tensor.ones(1)).loss(), 1e-3, "evaluation (no gradients) reads the logits too");
        double loss = m.trainStep(List.of(Tensor.ones(1, 1)), List.of(Tensor.ones(1)));
        assertEquals(400, loss, 1e-3);
        assertTrue(Double.isFinite(d.kernel().value().toFloatArray()[0]));
    }

    @Test
    void regularizationPenaltyJoinsTheLoss() {
        Dense layer = new Dense(1).kernelRegularizer(new L2(0.5));
        Sequential m = new Sequential(layer.inputShape(2));
        m.seed(1);
        m.compile(new SGD(0.0), Loss.MSE);
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2), y = Tensor.of(new float[] {0}, 1, 1);
        float[] k = layer.kernel().value().toFloatArray();
        double pred = k[0] + 2 * k[1];
        double expected = pred * pred + 0.5 * (k[0] * k[0] + k[1] * k[1]);
        assertEquals(expected, m.trainStep(List.of(x), List.of(y)), 1e-5);
    }

    @Test
    void customTrainStepDrivesFit() {
        Tensor[] d = blobs(40, 5);
        int[] calls = {0};
        Sequential m = new Sequential(new Dense(3, Activation.SOFTMAX).inputShape(2)) {
            @Override
            public double trainStep(List<Tensor> xs, List<Tensor> ys) {
                calls[0]++;
                return super.trainStep(xs, ys);
            }
        };
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        m.fit(d[0], d[1], FitOptions.epochs(2).batchSize(8).verbose(0));
        assertEquals(10, calls[0]);
    }

    @Test
    void badInputGivesClearErrors() {
        Sequential m = smallClassifier(1);
        var notCompiled = assertThrows(IllegalStateException.class, () -> m.fit(Tensor.zeros(4, 2), Tensor.zeros(4), FitOptions.epochs(1)));
        assertTrue(notCompiled.getMessage().contains("compile"), notCompiled.getMessage());
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        var mismatch = assertThrows(IllegalArgumentException.class, () -> m.fit(Tensor.zeros(4, 2), Tensor.zeros(3), FitOptions.epochs(1).verbose(0)));
        assertTrue(mismatch.getMessage().contains("x has 4 samples but y has 3"), mismatch.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> m.fit(Tensor.zeros(0, 2), Tensor.zeros(0), FitOptions.epochs(1).verbose(0)));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        var label = assertThrows(IllegalArgumentException.class, () -> m.fit(Tensor.zeros(2, 2), Tensor.of(new float[] {0, 7}, 2), FitOptions.epochs(1).verbose(0)));
        assertTrue(label.getMessage().contains("7"), label.getMessage());
        var options = assertThrows(IllegalArgumentException.class, () -> FitOptions.epochs(1).batchSize(0));
        assertTrue(options.getMessage().contains("batchSize"), options.getMessage());
    }

    @Test
    void terminateOnNaNStopsAtTheFirstBadBatchWithAMessage() {
        Tensor[] d = blobs(64, 6);
        Sequential m = smallClassifier(1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TerminateOnNaN stop = new TerminateOnNaN(new PrintStream(err, true, StandardCharsets.UTF_8));
        int[] batches = {0};
        // fit refuses NaN in the data up front (NonFiniteDataTest), so the NaN comes from the weights: after
        // the first batch a weight becomes NaN, and the second batch's loss with it
        LambdaCallback poison = LambdaCallback.onBatchEnd((b, logs) -> {
            if (batches[0]++ == 0) {
                try (var g = NoGrad.scope()) {
                    m.weights().get(0).value().fill(Float.NaN);
                }
            }
        });
        History h = m.fit(d[0], d[1], FitOptions.epochs(5).batchSize(16).shuffle(false).verbose(0).callbacks(stop, poison));
        assertEquals(2, batches[0]);
        assertEquals(1, h.epochsRun());
        assertTrue(stop.message().contains("Batch 1"), stop.message());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("terminating training"));
    }

    @Test
    void earlyStoppingFollowsKerasPatienceAndRestoresTheBestWeights() {
        Sequential m = smallClassifier(1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        EarlyStopping es = new EarlyStopping("val_loss").patience(2).restoreBestWeights(true);
        es.onTrainBegin(m, new Callback.TrainingPlan(10, 1, 1, true));
        double[] valLoss = {1.0, 0.8, 0.85, 0.9, 0.7};
        float[] bestKernel = null;
        for (int epoch = 0; epoch < valLoss.length && !m.stopTrainingRequested(); epoch++) {
            try (var g = NoGrad.scope()) {
                m.weights().get(0).value().fill(epoch); // a recognizable weight per epoch
            }
            if (epoch == 1) bestKernel = m.weights().get(0).value().toFloatArray();
            es.onEpochEnd(epoch, java.util.Map.of("val_loss", valLoss[epoch]));
        }
        assertEquals(3, es.stoppedEpoch()); // no improvement at epochs 2 and 3: wait reaches 2
        assertEquals(1, es.bestEpoch());
        es.onTrainEnd(java.util.Map.of());
        assertAllClose(bestKernel, m.weights().get(0).value().toFloatArray(), 0, 0);
        var missing = assertThrows(IllegalArgumentException.class, () -> es.onEpochEnd(0, java.util.Map.of("loss", 1.0)));
        assertTrue(missing.getMessage().contains("validationSplit"), missing.getMessage());
    }

    @Test
    void reduceLrOnPlateauMultipliesAfterPatienceThenCoolsDown() {
        Sequential m = smallClassifier(1);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        ReduceLROnPlateau cb = new ReduceLROnPlateau("loss").factor(0.5).patience(1).cooldown(2).minLr(0.02);
        cb.onTrainBegin(m, new Callback.TrainingPlan(10, 1, 1, false));
        double[] losses = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
        // Keras: the cooldown counter is decremented before the check, so cooldown 2 skips one epoch
        double[] expectedLr = {0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02};
        for (int e = 0; e < losses.length; e++) {
            cb.onEpochEnd(e, java.util.Map.of("loss", losses[e]));
            assertEquals(expectedLr[e], m.optimizer().learningRate(), 1e-12, "epoch " + e);
        }
    }

    @Test
    void csvLoggerWritesOneRowPerEpoch(@TempDir Path dir) throws Exception {
        Tensor[] d = blobs(30, 7);
        Sequential m = smallClassifier(3);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        Path file = dir.resolve("log.csv");
        m.fit(d[0], d[1], FitOptions.epochs(3).verbose(0).callbacks(new CsvLogger(file)));
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).startsWith("epoch,loss,accuracy"), lines.get(0));
        assertTrue(lines.get(3).startsWith("2,"), lines.get(3));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count()); // no temporary file left behind
        }
    }

    @Test
    void progressBarPrintsOneLinePerEpochWhenNotATerminal() {
        Tensor[] d = blobs(40, 8);
        Sequential m = smallClassifier(3);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.fit(d[0], d[1], FitOptions.epochs(2).batchSize(10).verbose(0).callbacks(new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), false)));
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length, out.toString());
        assertTrue(lines[0].matches("Epoch 1/2 - 4/4 \\d+s \\d+(s|ms|us)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}.*"), lines[0]);
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        // a wide terminal: the full 30-character bar
        m.fit(d[0], d[1], FitOptions.epochs(1).batchSize(10).verbose(0).callbacks(new ProgressBar(new PrintStream(live, true, StandardCharsets.UTF_8), true, 200)));
        String s = live.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("Epoch 1/1\n"), s);
        assertTrue(s.contains("4/4 [==============================]"), s);
    }

    @Test
    void liveProgressBarFitsTheTerminalWidth() {
        Tensor[] d = blobs(40, 8);
        Sequential m = smallClassifier(3);
        m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY, Metric.of("sparse_top_k_categorical_accuracy"));
        for (int columns : new int[] {80, 60, 120}) {
            ByteArrayOutputStream live = new ByteArrayOutputStream();
            m.fit(d[0], d[1], FitOptions.epochs(1).batchSize(10).verbose(0).validationSplit(0.25)
                    .callbacks(new ProgressBar(new PrintStream(live, true, StandardCharsets.UTF_8), true, columns)));
            String s = live.toString(StandardCharsets.UTF_8);
            int longest = 0;
            for (String line : s.split("[\\r\\n]")) longest = Math.max(longest, line.strip().length());
            assertTrue(longest < columns, columns + " columns, longest line " + longest + ":\n" + s);
            // 120 columns hold a (shortened) bar; 60 do not, and the counts and the loss come first
            if (columns == 120) assertTrue(s.contains("3/3 [========"), s);
            if (columns == 60) assertTrue(s.contains("3/3 ") && s.contains("loss: ") && !s.contains("[====="), s);
        }
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(System.out, true, 5));
    }

    @Test
    void predictInBatchesEqualsOneCall() {
        Tensor[] d = blobs(50, 9);
        Sequential m = smallClassifier(6);
        Tensor all;
        try (var g = NoGrad.scope()) {
            all = m.call(d[0], false);
        }
        assertAllClose(all.toFloatArray(), m.predict(d[0], 7).toFloatArray(), 1e-6, 1e-7);
    }

    @Test
    void cnnLearnsTheBundledFashionMnistSubset() throws Exception {
        TrainTest data = FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset"));
        Tensor x = data.train().x().slice(0, 0, 3000).div(255.0), y = data.train().y().slice(0, 0, 3000);
        Tensor xt = data.test().x().slice(0, 0, 1000).div(255.0), yt = data.test().y().slice(0, 0, 1000);
        Sequential cnn = SeedModels.cnnMnist().seed(42);
        cnn.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        double before = cnn.evaluate(xt, yt).get("accuracy");
        History h = cnn.fit(x, y, FitOptions.epochs(2).seed(1).verbose(0));
        double after = cnn.evaluate(xt, yt).get("accuracy");
        assertTrue(h.get("loss").get(1) < h.get("loss").get(0), h.toString());
        assertTrue(before < 0.3, "untrained accuracy " + before);
        assertTrue(after > 0.75, "test accuracy after 2 epochs on 3,000 images: " + after);
    }

    @Test
    void fitOnADataLoaderWithAugmentationAndPrefetch() throws Exception {
        TrainTest data = FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset"));
        var train = dev.myelin.data.Dataset.of(data.train().x().slice(0, 0, 1000).div(255.0), data.train().y().slice(0, 0, 1000));
        var loader = dev.myelin.data.DataLoader.of(train).batchSize(50).shuffle(3).prefetch(true)
                .augment(dev.myelin.data.RandomTranslation.of(0.1, 0.1));
        Sequential mlp = SeedModels.mlp().seed(3);
        mlp.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        int[] batches = {0};
        History h = mlp.fit(loader, FitOptions.epochs(3).verbose(0).callbacks(LambdaCallback.onBatchEnd((b, logs) -> batches[0]++)));
        assertEquals(3 * 20, batches[0]);
        assertTrue(h.get("loss").get(2) < h.get("loss").get(0), h.toString());
        assertTrue(h.last("accuracy") > 0.5, h.toString()); // chance is 0.1; augmented, 3 short epochs
        var e = assertThrows(IllegalArgumentException.class, () -> mlp.fit(
                dev.myelin.data.DataLoader.of(dev.myelin.data.Dataset.of(Tensor.zeros(0, 28, 28, 1), Tensor.zeros(0))), FitOptions.epochs(1)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void kerasStyleStringsConfigureCompile() {
        Tensor[] d = blobs(300, 11);
        Sequential m = smallClassifier(7);
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        History h = m.fit(d[0], d[1], FitOptions.epochs(40).seed(1).verbose(0)); // Adam's default lr 1e-3 is slow here
        assertTrue(h.last("accuracy") > 0.9, h.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> m.compile("adamm", "mse"));
        assertTrue(e.getMessage().contains("adam"), e.getMessage());
    }
}
