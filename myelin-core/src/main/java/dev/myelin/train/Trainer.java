package dev.myelin.train;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.data.DataLoader;
import dev.myelin.data.FiniteValues;
import dev.myelin.metrics.Metric;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loops behind {@code fit} and {@code evaluate}, for any {@link Trainable}. {@code fit} is a short loop
 * of callback hooks: per epoch, per batch {@link Trainable#trainStep} and {@code onBatchEnd} with running
 * means; then validation and {@code onEpochEnd}. Every batch comes from one epoch iterator, a
 * {@link DataLoader}: in-memory tensors become a loader over them ({@link DataLoader#of(List, List)}), so
 * in-memory data and a loader share shuffling, seeding and the validation split (the END of the samples,
 * taken before any shuffling, as Keras's {@code validation_split}); validation data are evaluated in order.
 */
public final class Trainer {
    /**
     * True until this JVM's first training step, which runs its kernels on the calling thread only
     * ({@link Backend#onCallerThread}; same tasks, so the same results bit for bit). That step runs the Vector API
     * kernels unintrinsified in the interpreter and C1 until C2 has compiled them, and the JIT compilers take half
     * the CPU by its end: a second kernel thread only takes the core they need. Measured with
     * {@code myelin bench cnn --limit 640} (AMD EPYC Zen 4, 2 cores, 4 interleaved pairs in one hold, 2026-12-07):
     * JVM start to the end of the first step 2.70-3.37 s instead of 3.19-3.95 s (-0.46 to -0.89 s; JIT compilers
     * 2.4-3.0 s instead of 3.0-3.7 s of CPU by then); {@code --limit 6400}: 63-65 ms per step after the first
     * against 61-68 ms, the same test accuracy.
     */
    private static final AtomicBoolean FIRST_STEP = new AtomicBoolean(true);

    private Trainer() {}

    /** Trains {@code target} on samples along axis 0 of every tensor in {@code xs} and {@code ys}; see {@link FitOptions}. */
    public static History fit(Trainable target, List<Tensor> xs, List<Tensor> ys, FitOptions options) {
        target.prepareTraining();
        checkSamples(target, xs, ys, true, "fit");
        FiniteValues.requireFinite("fit", "x", xs); // once per dataset, not per batch
        FiniteValues.requireFinite("fit", "y", ys);
        Long seed = dataSeed(options);
        return fitPrepared(target, inMemory(xs, ys, options, seed), options, seed);
    }

    /** Trains a target that learns from inputs alone (a GAN from real samples): batches hold no targets. */
    public static History fit(Trainable target, List<Tensor> xs, FitOptions options) {
        target.prepareTraining();
        checkSamples(target, xs, List.of(), false, "fit");
        FiniteValues.requireFinite("fit", "x", xs);
        Long seed = dataSeed(options);
        return fitPrepared(target, inMemory(xs, List.of(), options, seed), options, seed);
    }

    /** The seed of in-memory shuffling: FitOptions' seed, a random one when none, null without shuffling. */
    private static Long dataSeed(FitOptions options) {
        if (!options.shuffle()) return null;
        return options.seed() == null ? System.nanoTime() : options.seed();
    }

    /** FitOptions' batch size, shuffling and seed over in-memory tensors. */
    private static DataLoader inMemory(List<Tensor> xs, List<Tensor> ys, FitOptions options, Long seed) {
        DataLoader loader = DataLoader.of(xs, ys).batchSize(options.batchSize());
        return seed != null ? loader.shuffle(seed) : loader;
    }

    /**
     * Trains on the batches of {@code loader}: its batch size, shuffling, seed, augmentation and
     * prefetching (epoch {@code e} of {@code fit} is the loader's epoch {@code e}); FitOptions' shuffle and
     * seed do not apply, and its batch size only to validation batches. Validation data apply; a validation
     * split takes the END of the loader's samples ({@link DataLoader#splitAt}) and trains on the rest with
     * the loader's settings.
     */
    public static History fit(Trainable target, DataLoader loader, FitOptions options) {
        loader.requireFinite("fit"); // once per dataset, not per batch
        target.prepareTraining();
        return fitPrepared(target, loader, options, null);
    }

    private static History fitPrepared(Trainable target, DataLoader loader, FitOptions options, Long dataSeed) {
        if (loader.size() == 0) throw new IllegalArgumentException("fit: empty dataset (0 samples) for model '" + target.name() + "'");
        DataLoader validation = null;
        if (options.validationX() != null) {
            checkSamples(target, options.validationX(), options.validationY(), true, "validation data");
            FiniteValues.requireFinite("validation data", "x", options.validationX());
            FiniteValues.requireFinite("validation data", "y", options.validationY());
            validation = DataLoader.of(options.validationX(), options.validationY());
        } else if (options.validationSplit() > 0) {
            DataLoader.Split parts = loader.splitAt(trainingPart(loader.size(), options.validationSplit()));
            loader = parts.train();
            validation = parts.validation();
        }
        return run(target, loader, validation == null ? null : validation.batchSize(options.batchSize()), options, dataSeed);
    }

    /** Samples kept for training by {@code validationSplit}: {@code n − floor(n · split)}, both parts non-empty. */
    private static int trainingPart(int n, double split) {
        int nVal = (int) (n * split);
        int nTrain = n - nVal;
        if (nVal == 0 || nTrain == 0) {
            throw new IllegalArgumentException("validationSplit " + split + " of " + n + " samples leaves " + nTrain + " for training and " + nVal + " for validation");
        }
        return nTrain;
    }

    private static History run(Trainable target, DataLoader source, DataLoader validation, FitOptions options, Long dataSeed) {
        History history = new History();
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(history);
        callbacks.addAll(options.callbacks());
        if (options.verbose() > 0) callbacks.add(ProgressBar.forStdout(options.verbose() == 2));

        if (validation != null) target.evaluator(); // a target that cannot be evaluated fails now, not after an epoch
        target.stopTraining(false);
        var plan = new Callback.TrainingPlan(options.epochs(), source.batchesPerEpoch(), source.size(), validation != null,
                options.initialEpoch(), dataSeed, target, history);
        Map<String, Double> logs = new LinkedHashMap<>();
        try (var _ = InterruptHandler.install(plan::markInterrupted)) { // Ctrl-C: stop after the current step
            for (Callback c : callbacks) c.onTrainBegin(target, plan);
            if (plan.dataSeed() != null && !plan.dataSeed().equals(dataSeed)) source = source.seed(plan.dataSeed()); // resumed
            for (int epoch = plan.initialEpoch(); epoch < options.epochs() && !target.stopTrainingRequested(); epoch++) {
                Map<String, Double> epochLogs = runEpoch(target, source, validation, epoch, callbacks, plan);
                if (epochLogs == null) break; // Ctrl-C cut the epoch short: as far as callbacks and the History know, it did not happen
                logs = epochLogs;
                plan.epochCompleted(epoch);
                if (plan.interrupted()) break;
            }
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }

    /** One epoch: its batches, validation and the callbacks; null when Ctrl-C stopped it before its last step. */
    private static Map<String, Double> runEpoch(Trainable target, DataLoader source, DataLoader validation, int epoch,
                                                List<Callback> callbacks, Callback.TrainingPlan plan) {
        Map<String, Double> logs = new LinkedHashMap<>();
        for (Callback c : callbacks) c.onEpochBegin(epoch);
        for (Metric m : target.trainingMetrics().values()) m.reset();
        double lossSum = 0;
        long seen = 0;
        try (DataLoader.Epoch batches = source.epoch(epoch)) {
            for (int step = 0; batches.hasNext() && !target.stopTrainingRequested(); step++) {
                if (plan.interrupted()) return null;
                DataLoader.Batch b = batches.next();
                double loss = FIRST_STEP.compareAndSet(true, false)
                        ? Backends.defaultBackend().onCallerThread(() -> target.trainStep(b.xs(), b.ys()))
                        : target.trainStep(b.xs(), b.ys());
                lossSum += loss * b.size();
                seen += b.size();
                logs = metricLogs(target, lossSum / seen);
                Map<String, Double> batchLogs = new LinkedHashMap<>(logs);
                batchLogs.put("batch_loss", loss);
                for (Callback c : callbacks) c.onBatchEnd(step, batchLogs);
            }
        }
        if (validation != null && !target.stopTrainingRequested()) {
            Evaluation val = evaluate(target.evaluator(), validation);
            for (var e : val.values().entrySet()) logs.put("val_" + e.getKey(), e.getValue());
        }
        logs.putAll(target.epochLogs());
        if (target.optimizer() != null) logs.put("learning_rate", target.optimizer().learningRate());
        for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
        return logs;
    }

    private static Map<String, Double> metricLogs(Trainable target, double meanLoss) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", meanLoss);
        for (var e : target.trainingMetrics().entrySet()) logs.put(e.getKey(), e.getValue().result());
        return logs;
    }

    /** Loss and metrics over all samples, in inference mode, in batches of {@code batchSize}; see {@link Evaluator}. */
    public static Evaluation evaluate(Trainable target, List<Tensor> xs, List<Tensor> ys, int batchSize) {
        Evaluator evaluator = target.evaluator();
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        checkSamples(target, xs, ys, true, "evaluate");
        return evaluate(evaluator, DataLoader.of(xs, ys).batchSize(batchSize));
    }

    private static Evaluation evaluate(Evaluator evaluator, DataLoader batches) {
        // The training shapes' arrays are of no use to other batch sizes: held, they would only crowd the heap
        // (bench cnn under -Xmx384m ran out of memory in its first evaluation batch of 1000 with them).
        BufferPool.clear();
        double lossSum = 0;
        long n = 0;
        try (var g = NoGrad.scope(); DataLoader.Epoch it = batches.epoch(0)) {
            while (it.hasNext()) {
                DataLoader.Batch b = it.next();
                lossSum += evaluator.testStep(b.xs(), b.ys()) * b.size();
                n += b.size();
            }
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", lossSum / n);
        values.putAll(evaluator.metricResults());
        return new Evaluation(values, evaluator.confusionMatrix());
    }

    /** Checks that inputs (and {@code targets}: targets) are present, non-empty and agree on the sample count; returns it. */
    private static int checkSamples(Trainable target, List<Tensor> xs, List<Tensor> ys, boolean targets, String what) {
        if (xs.isEmpty() || (targets && ys.isEmpty())) throw new IllegalArgumentException(what + ": x and y must not be empty lists");
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
        if (n == 0) throw new IllegalArgumentException(what + ": empty dataset (0 samples) for model '" + target.name() + "'");
        return n;
    }
}
