package dev.myelin.train;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Permutations;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.ConfusionMatrix;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The loops behind {@link Model#fit}, {@link Model#evaluate} and {@link Model#predict}, and the default
 * train step. {@code fit} is a short loop of callback hooks: per epoch, shuffle, then per batch
 * {@link Model#trainStep} and {@code onBatchEnd} with running means; then validation and {@code onEpochEnd}.
 */
public final class Trainer {
    private Trainer() {}

    /** Trains {@code model} (compiled) on samples along axis 0 of every tensor in {@code xs} and {@code ys}. */
    public static History fit(Model model, List<Tensor> xs, List<Tensor> ys, FitOptions options) {
        if (!model.isCompiled()) throw new IllegalStateException("model '" + model.name() + "' is not compiled; call compile(optimizer, loss, metrics) before fit");
        int n = checkSamples(model, xs, ys, "fit");
        List<Tensor> trainX = xs, trainY = ys, valX = options.validationX(), valY = options.validationY();
        if (valX != null) {
            checkSamples(model, valX, valY, "validation data");
        } else if (options.validationSplit() > 0) {
            int nVal = (int) (n * options.validationSplit());
            int nTrain = n - nVal;
            if (nVal == 0 || nTrain == 0) {
                throw new IllegalArgumentException("validationSplit " + options.validationSplit() + " of " + n + " samples leaves " + nTrain + " for training and " + nVal + " for validation");
            }
            trainX = rows(xs, 0, nTrain);
            trainY = rows(ys, 0, nTrain);
            valX = rows(xs, nTrain, n);
            valY = rows(ys, nTrain, n);
            n = nTrain;
        }
        int batch = options.batchSize();
        int samples = n;
        List<Tensor> tx = trainX, ty = trainY;
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(options.seed() == null ? System.nanoTime() : options.seed());
        EpochSource source = new EpochSource() {
            public int steps() {
                return (samples + batch - 1) / batch;
            }

            public int samples() {
                return samples;
            }

            public Batches epoch(int e) {
                int[] order = options.shuffle() ? Permutations.shuffled(samples, rng) : Permutations.identity(samples);
                return new Batches() {
                    int from;

                    public boolean hasNext() {
                        return from < samples;
                    }

                    public List<List<Tensor>> next() {
                        int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(samples, from + batch));
                        from += idx.length;
                        return List.of(select(tx, idx), select(ty, idx));
                    }
                };
            }
        };
        return run(model, source, valX, valY, options);
    }

    /**
     * Trains on the batches of {@code loader} (its shuffling, augmentation and prefetching; epoch {@code e}
     * of {@code fit} is the loader's epoch {@code e}). FitOptions' batch size, shuffle, seed and validation
     * split do not apply; validation data do.
     */
    public static History fit(Model model, DataLoader loader, FitOptions options) {
        if (!model.isCompiled()) throw new IllegalStateException("model '" + model.name() + "' is not compiled; call compile(optimizer, loss, metrics) before fit");
        if (loader.dataset().isEmpty()) throw new IllegalArgumentException("fit: empty dataset (0 samples) for model '" + model.name() + "'");
        if (options.validationSplit() > 0) throw new IllegalArgumentException("fit(DataLoader): validationSplit does not apply; split the Dataset, or pass validationData");
        if (options.validationX() != null) checkSamples(model, options.validationX(), options.validationY(), "validation data");
        EpochSource source = new EpochSource() {
            public int steps() {
                return loader.batchesPerEpoch();
            }

            public int samples() {
                return loader.dataset().size();
            }

            public Batches epoch(int e) {
                DataLoader.Epoch it = loader.epoch(e);
                return new Batches() {
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    public List<List<Tensor>> next() {
                        DataLoader.Batch b = it.next();
                        return List.of(List.of(b.x()), List.of(b.y()));
                    }

                    @Override
                    public void close() {
                        it.close();
                    }
                };
            }
        };
        return run(model, source, options.validationX(), options.validationY(), options);
    }

    /** Where an epoch's batches come from. */
    private interface EpochSource {
        int steps();

        int samples();

        Batches epoch(int e);
    }

    /** One epoch's batches: each is {@code List.of(xs, ys)}. */
    private interface Batches extends AutoCloseable {
        boolean hasNext();

        List<List<Tensor>> next();

        @Override
        default void close() {}
    }

    private static History run(Model model, EpochSource source, List<Tensor> valX, List<Tensor> valY, FitOptions options) {
        History history = new History();
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(history);
        callbacks.addAll(options.callbacks());
        if (options.verbose() > 0) callbacks.add(ProgressBar.forStdout(options.verbose() == 2));

        model.stopTraining(false);
        model.build();
        var plan = new Callback.TrainingPlan(options.epochs(), source.steps(), source.samples(), valX != null);
        for (Callback c : callbacks) c.onTrainBegin(model, plan);
        Map<String, Double> logs = new LinkedHashMap<>();
        for (int epoch = 0; epoch < options.epochs() && !model.stopTrainingRequested(); epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(epoch);
            resetMetrics(model);
            double lossSum = 0;
            long seen = 0;
            try (Batches batches = source.epoch(epoch)) {
                for (int step = 0; batches.hasNext() && !model.stopTrainingRequested(); step++) {
                    List<List<Tensor>> b = batches.next();
                    int size = b.get(0).get(0).dim(0);
                    double loss = model.trainStep(b.get(0), b.get(1));
                    lossSum += loss * size;
                    seen += size;
                    logs = metricLogs(model, lossSum / seen);
                    Map<String, Double> batchLogs = new LinkedHashMap<>(logs);
                    batchLogs.put("batch_loss", loss);
                    for (Callback c : callbacks) c.onBatchEnd(step, batchLogs);
                }
            }
            if (valX != null && !model.stopTrainingRequested()) {
                Evaluation val = evaluate(model, valX, valY, options.batchSize());
                for (var e : val.values().entrySet()) logs.put("val_" + e.getKey(), e.getValue());
            }
            if (optimizerLr(model) != null) logs.put("learning_rate", optimizerLr(model));
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }

    private static Double optimizerLr(Model model) {
        return model.optimizer() == null ? null : model.optimizer().learningRate();
    }

    /** The default {@link Model#trainStep}: forward, loss + regularization, backward, update, metrics. */
    public static double defaultTrainStep(Model model, List<Tensor> xs, List<Tensor> ys) {
        List<Tensor> predictions = model.call(xs, true);
        Tensor total = totalLoss(model.loss(), ys, predictions);
        List<Parameter> params = model.trainableWeights();
        for (Parameter p : params) {
            if (p.regularizer() != null) total = total.add(p.regularizer().penalty(p.value()));
        }
        for (Parameter p : params) p.value().zeroGrad();
        total.backward();
        model.optimizer().apply(params);
        updateMetrics(model, ys, predictions);
        return total.item();
    }

    /** The sum over outputs of the loss; on a softmax or sigmoid output the loss reads its logits. */
    private static Tensor totalLoss(Loss lossFn, List<Tensor> ys, List<Tensor> predictions) {
        Tensor total = null;
        for (int i = 0; i < ys.size(); i++) {
            Tensor l = lossFn.compute(ys.get(i), predictions.get(i));
            total = total == null ? l : total.add(l);
        }
        return total;
    }

    private static void updateMetrics(Model model, List<Tensor> ys, List<Tensor> preds) {
        try (var g = NoGrad.scope()) {
            for (int i = 0; i < ys.size(); i++) {
                for (Metric m : model.metrics(i)) m.update(ys.get(i), preds.get(i).detach());
            }
        }
    }

    private static void resetMetrics(Model model) {
        for (Metric m : model.trainingMetrics().values()) m.reset();
    }

    private static Map<String, Double> metricLogs(Model model, double meanLoss) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", meanLoss);
        for (var e : model.trainingMetrics().entrySet()) logs.put(e.getKey(), e.getValue().result());
        return logs;
    }

    /** Loss and fresh copies of the compiled metrics over all samples, in inference mode. */
    public static Evaluation evaluate(Model model, List<Tensor> xs, List<Tensor> ys, int batchSize) {
        if (model.loss() == null) throw new IllegalStateException("model '" + model.name() + "' is not compiled; call compile(optimizer, loss, metrics) before evaluate");
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        int n = checkSamples(model, xs, ys, "evaluate");
        List<List<Metric>> metrics = new ArrayList<>();
        ConfusionMatrix confusion = null;
        double lossSum = 0;
        try (var g = NoGrad.scope()) {
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                List<Tensor> bx = rows(xs, from, to), by = rows(ys, from, to);
                List<Tensor> predictions = model.call(bx, false);
                if (metrics.isEmpty()) {
                    for (int i = 0; i < model.outputs().size(); i++) metrics.add(model.metrics(i).stream().map(Metric::fresh).toList());
                    Tensor p0 = predictions.get(0);
                    if (model.outputs().size() == 1 && p0.rank() == 2 && p0.dim(1) >= 2) confusion = new ConfusionMatrix(p0.dim(1));
                }
                lossSum += totalLoss(model.loss(), by, predictions).item() * (to - from);
                for (int i = 0; i < metrics.size(); i++) for (Metric m : metrics.get(i)) m.update(by.get(i), predictions.get(i));
                if (confusion != null) confusion.update(by.get(0), predictions.get(0));
            }
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", lossSum / n);
        for (int i = 0; i < metrics.size(); i++) for (Metric m : metrics.get(i)) values.put(model.metricLogName(i, m), m.result());
        return new Evaluation(values, confusion);
    }

    /** Outputs for every sample, computed in batches in inference mode. */
    public static List<Tensor> predict(Model model, List<Tensor> xs, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        int n = xs.get(0).rank() == 0 ? 0 : xs.get(0).dim(0);
        for (Tensor x : xs) {
            if (x.rank() == 0 || x.dim(0) != n) throw new IllegalArgumentException("predict: every input needs the same number of samples along axis 0, got shapes " + xs.stream().map(Tensor::shape).toList());
        }
        if (n == 0) throw new IllegalArgumentException("predict: empty input (0 samples)");
        List<List<Tensor>> parts = new ArrayList<>();
        try (var g = NoGrad.scope()) {
            for (int from = 0; from < n; from += batchSize) {
                List<Tensor> out = model.call(rows(xs, from, Math.min(n, from + batchSize)), false);
                if (parts.isEmpty()) for (int i = 0; i < out.size(); i++) parts.add(new ArrayList<>());
                for (int i = 0; i < out.size(); i++) parts.get(i).add(out.get(i));
            }
        }
        List<Tensor> result = new ArrayList<>();
        for (List<Tensor> p : parts) result.add(p.size() == 1 ? p.get(0) : Tensor.concat(p, 0));
        return result;
    }

    /** Checks that inputs and targets are present, non-empty and agree on the sample count; returns it. */
    private static int checkSamples(Model model, List<Tensor> xs, List<Tensor> ys, String what) {
        if (xs.isEmpty() || ys.isEmpty()) throw new IllegalArgumentException(what + ": x and y must not be empty lists");
        int n = -1;
        for (Tensor t : xs) {
            if (t.rank() == 0) throw new IllegalArgumentException(what + ": x must have a sample axis; got a scalar");
            if (n < 0) n = t.dim(0);
            else if (t.dim(0) != n) throw new IllegalArgumentException(what + ": every x needs the same number of samples, got shapes " + xs.stream().map(Tensor::shape).toList());
        }
        for (Tensor t : ys) {
            if (t.rank() == 0 || t.dim(0) != n) {
                throw new IllegalArgumentException(what + ": x has " + n + " samples but y has " + (t.rank() == 0 ? "none (a scalar)" : t.dim(0) + " (shape " + t.shape() + ")"));
            }
        }
        if (n == 0) throw new IllegalArgumentException(what + ": empty dataset (0 samples) for model '" + model.name() + "'");
        return n;
    }

    private static List<Tensor> select(List<Tensor> ts, int[] idx) {
        List<Tensor> out = new ArrayList<>(ts.size());
        try (var g = NoGrad.scope()) {
            for (Tensor t : ts) out.add(t.indexSelect(0, idx));
        }
        return out;
    }

    private static List<Tensor> rows(List<Tensor> ts, int from, int to) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(t.slice(0, from, to));
        return out;
    }
}
