package dev.myelin.privacy;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.DataLoader;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.RandomStream;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluator;
import dev.myelin.train.FitOptions;
import dev.myelin.train.Gradients;
import dev.myelin.train.History;
import dev.myelin.train.Trainable;
import dev.myelin.train.Trainer;
import dev.myelin.train.TrainingSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled model trained with DP-SGD: {@code fit} draws Poisson-sampled batches (rate
 * {@code q = batchSize / N}), computes per-example gradients ({@link PerExampleGradients}), clips, sums and
 * noises them ({@link DPSGD}) and hands the result to the model's own optimizer, whichever it is; an
 * {@link RdpAccountant} counts the steps, and every epoch's logs (so the {@link History} and the
 * progress bar) carry {@code epsilon}, the budget spent so far at the settings' {@code δ}.
 *
 * <p>With a target ε the noise multiplier is chosen before the first step as the smallest that keeps the
 * planned run ({@code epochs · round(N / batchSize)} steps) within it; a budget no noise can meet fails
 * then, saying what would. A {@code δ} of at least {@code 1/N} prints a warning (such a δ allows leaking
 * one example outright).
 *
 * <p>Regularizer penalties, which do not depend on the data, are differentiated as usual and added to the
 * private gradient. Other parts of the {@link Trainable} contract (evaluation, metrics, weights, stopping)
 * are the model's.
 *
 * <p>Backups: {@link #snapshot()} adds the accountant's steps and RDP and the noise generator to the
 * model's snapshot, so a run with {@code BackupAndRestore} resumes with the budget it had spent and, seeded
 * ({@link PrivacySettings#seed} and {@code FitOptions.seed}), ends bit-identical to the uninterrupted run.
 *
 * <p>Example:
 * <pre>{@code
 * model.compile(new SGD(2.0), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
 * PrivateModel dp = new PrivateModel(model, PrivacySettings.targetEpsilon(3).clipNorm(1.0).delta(1e-5));
 * History h = dp.fit(x, y, FitOptions.epochs(10).batchSize(256).seed(7));
 * double spent = dp.epsilon();   // <= 3; h.get("epsilon") per epoch
 * }</pre>
 */
public final class PrivateModel implements Trainable {
    /** The random-state key of the accountant's state in a {@link TrainingSnapshot}. */
    public static final String ACCOUNTANT_STATE = "dp-sgd/accountant";
    /** The random-state key of the noise generator's state in a {@link TrainingSnapshot}. */
    public static final String NOISE_STATE = "dp-sgd/noise";

    private final Model model;
    private final PrivacySettings settings;
    private final RdpAccountant accountant = new RdpAccountant();
    private RandomStream noiseSource;
    private DPSGD transform;
    private double noiseMultiplier = Double.NaN;
    private double samplingRate = Double.NaN;
    private double expectedBatchSize = Double.NaN;

    public PrivateModel(Model model, PrivacySettings settings) {
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.clipNorm() == Double.POSITIVE_INFINITY && !(settings.hasTargetEpsilon() || settings.noiseMultiplier() == 0)) {
            throw new IllegalArgumentException("noise is sigma times the clip norm: an infinite clip norm needs noise multiplier 0 (no privacy)");
        }
        if (settings.clipNorm() == Double.POSITIVE_INFINITY && settings.hasTargetEpsilon()) {
            throw new IllegalArgumentException("a target epsilon needs a finite clip norm: without clipping one example's influence is unbounded");
        }
    }

    /** The model trained. */
    public Model model() {
        return model;
    }

    public PrivacySettings settings() {
        return settings;
    }

    /** The noise multiplier in use: the settings' own, or the one chosen for the target ε (NaN before {@code fit}). */
    public double noiseMultiplier() {
        return settings.hasTargetEpsilon() ? noiseMultiplier : settings.noiseMultiplier();
    }

    /** The Poisson sampling rate {@code q} of the last {@code fit} (NaN before). */
    public double samplingRate() {
        return samplingRate;
    }

    /** Private steps taken so far (across {@code fit} calls). */
    public long steps() {
        return accountant.steps();
    }

    /** The ε spent so far at the settings' δ (0 before any step). */
    public double epsilon() {
        return accountant.epsilon(settings.delta());
    }

    /** Trains on in-memory samples; see the class comment. FitOptions' batch size is the expected batch size. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        return fit(List.of(x), List.of(y), options);
    }

    /** Trains a model with several inputs or outputs. */
    public History fit(List<Tensor> xs, List<Tensor> ys, FitOptions options) {
        long seed = options.seed() != null ? options.seed() : settings.seed() != null ? settings.seed() : System.nanoTime();
        return fit(DataLoader.of(xs, ys).batchSize(options.batchSize()).seed(seed).poissonSampling(true), options);
    }

    /**
     * Trains on a loader with Poisson sampling on ({@link DataLoader#poissonSampling(boolean)}): its batch
     * size is the expected batch size; a validation split takes the END of its samples as in {@code fit}.
     *
     * @throws IllegalArgumentException for a loader with fixed batches (the accounting assumes Poisson sampling)
     */
    public History fit(DataLoader loader, FitOptions options) {
        if (!loader.poissonSampling()) {
            throw new IllegalArgumentException("DP-SGD's privacy accounting assumes Poisson-sampled batches; call poissonSampling(true) on the loader");
        }
        int n = options.validationSplit() > 0 ? loader.size() - (int) (loader.size() * options.validationSplit()) : loader.size();
        plan(n, loader.batchSize(), options.epochs(), options.verbose() > 0);
        return Trainer.fit(this, loader, options);
    }

    /** Chooses σ (for a target ε) and the noise generator for {@code n} training samples, expected batch {@code batchSize}. */
    private void plan(int n, int batchSize, int epochs, boolean verbose) {
        if (n <= 0) throw new IllegalArgumentException("fit: empty dataset (0 samples) for model '" + model.name() + "'");
        samplingRate = Math.min(1.0, (double) batchSize / n);
        expectedBatchSize = samplingRate * n;
        long steps = (long) epochs * Math.max(1, Math.round((double) n / batchSize));
        if (settings.delta() >= 1.0 / n) {
            System.err.printf(Locale.ROOT, "myelin: WARNING: delta=%g is not below 1/N=%g for N=%d training samples: a mechanism that"
                    + " publishes one whole example at random meets (0, 1/N)-DP; use delta well below 1/N, such as 1/N^1.1 (%.2g)%n",
                    settings.delta(), 1.0 / n, n, Math.pow(n, -1.1));
        }
        if (settings.hasTargetEpsilon()) {
            try {
                noiseMultiplier = RdpAccountant.noiseMultiplier(settings.targetEpsilon(), settings.delta(), samplingRate, steps + accountant.steps());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model '" + model.name() + "': " + epochs + " epochs of " + steps / Math.max(1, epochs)
                        + " steps (batch " + batchSize + " of " + n + " samples): " + e.getMessage(), e);
            }
        }
        if (noiseSource == null) {
            noiseSource = RandomStream.seeded(settings.seed() != null ? settings.seed() : System.nanoTime());
        }
        transform = new DPSGD(settings.clipNorm(), noiseMultiplier(), noiseSource);
        if (verbose) {
            System.out.printf(Locale.ROOT, "DP-SGD: noise multiplier %.4g, clip norm %g, sampling rate q=%.4g (expected batch %.0f of %d), %d steps, delta=%g%n",
                    noiseMultiplier(), settings.clipNorm(), samplingRate, expectedBatchSize, n, steps, settings.delta());
        }
    }

    // ---- Trainable ----

    @Override
    public String name() {
        return model.name();
    }

    /** The model's checks, and that DP-SGD supports every layer with trainable weights. */
    @Override
    public void prepareTraining() {
        model.prepareTraining();
        PerExampleGradients.requireSupported(model);
    }

    /**
     * One private step: per-example gradients, {@link DPSGD}'s transform, the model's optimizer, the
     * accountant; returns the batch's loss (0 for an empty Poisson batch, which still takes a noisy step).
     */
    @Override
    public double trainStep(List<Tensor> xs, List<Tensor> ys) {
        if (transform == null) throw new IllegalStateException("train a PrivateModel through its fit methods, which plan the noise and sampling");
        List<Parameter> params = model.trainableWeights();
        List<Tensor> grads;
        double loss = 0;
        if (xs.get(0).dim(0) == 0) {
            grads = transform.noiseOnly(params, expectedBatchSize);
        } else {
            PerExampleGradients perExample = PerExampleGradients.compute(model, xs, ys);
            grads = transform.privatize(perExample, expectedBatchSize);
            loss = perExample.loss();
            try (var g = NoGrad.scope()) {
                for (int i = 0; i < ys.size(); i++) for (Metric m : model.metrics(i)) m.update(ys.get(i), perExample.predictions().get(i));
            }
        }
        addRegularization(params, grads);
        model.optimizer().applyGradients(grads, params);
        accountant.step(samplingRate, noiseMultiplier(), 1);
        return loss;
    }

    /** Adds the gradients of the weights' regularizer penalties, which read no data. */
    private static void addRegularization(List<Parameter> params, List<Tensor> grads) {
        Tensor penalty = null;
        for (Parameter p : params) {
            if (p.regularizer() != null) penalty = penalty == null ? p.regularizer().penalty(p.value()) : penalty.add(p.regularizer().penalty(p.value()));
        }
        if (penalty == null) return;
        List<Tensor> extra = Gradients.of(penalty, params);
        try (var g = NoGrad.scope()) {
            for (int i = 0; i < params.size(); i++) if (extra.get(i) != null) grads.set(i, grads.get(i).add(extra.get(i)));
        }
    }

    /**
     * The model's snapshot ({@link Model#snapshot()}) plus what DP-SGD adds, as two random states: the
     * accountant's ({@value #ACCOUNTANT_STATE}: steps and RDP per order, {@link RdpAccountant#state()}) and
     * the noise generator's ({@value #NOISE_STATE}). A run resumed from it ({@code BackupAndRestore}) goes on
     * spending the same budget and, seeded, ends bit-identical to the uninterrupted run: the noise multiplier
     * is chosen for the whole planned run before the backup is read, as it was then.
     */
    @Override
    public TrainingSnapshot snapshot() {
        TrainingSnapshot s = model.snapshot();
        Map<String, long[]> randoms = new LinkedHashMap<>(s.randomStates());
        randoms.put(ACCOUNTANT_STATE, accountant.state());
        if (noiseSource != null) randoms.put(NOISE_STATE, noiseSource.state());
        return TrainingSnapshot.ofModel(s.weights(), s.optimizers(), randoms);
    }

    /**
     * Sets the model, the budget spent and the noise generator back from {@code snapshot}.
     *
     * @throws IllegalArgumentException when the snapshot has no accountant state (a snapshot of a model
     *         trained without DP-SGD: its budget is unknown) or does not fit the model
     */
    @Override
    public void restore(TrainingSnapshot snapshot) {
        long[] spent = snapshot.randomState(ACCOUNTANT_STATE);
        if (spent == null) {
            throw new IllegalArgumentException("model '" + model.name() + "': the snapshot has no DP-SGD accountant state (\"" + ACCOUNTANT_STATE
                    + "\"): it was not taken from a PrivateModel, so the privacy budget already spent is unknown");
        }
        long[] noise = snapshot.randomState(NOISE_STATE);
        RdpAccountant check = new RdpAccountant();
        check.restoreState(spent); // fails before anything changes
        if (noise != null) RandomStream.fromState(noise);
        Map<String, long[]> modelRandoms = new LinkedHashMap<>(snapshot.randomStates());
        modelRandoms.remove(ACCOUNTANT_STATE);
        modelRandoms.remove(NOISE_STATE);
        model.restore(TrainingSnapshot.ofModel(snapshot.weights(), snapshot.optimizers(), modelRandoms));
        accountant.restoreState(spent);
        if (noise != null) {
            if (noiseSource == null) noiseSource = RandomStream.fromState(noise);
            else noiseSource.restoreState(noise); // the transform planned by fit holds this generator
        }
    }

    /** {@code epsilon}: the budget spent so far. */
    @Override
    public Map<String, Double> epochLogs() {
        return Map.of("epsilon", epsilon());
    }

    @Override
    public Map<String, Metric> trainingMetrics() {
        return model.trainingMetrics();
    }

    @Override
    public Evaluator evaluator() {
        return model.evaluator();
    }

    @Override
    public Optimizer optimizer() {
        return model.optimizer();
    }

    @Override
    public Map<String, Tensor> weightValues() {
        return model.weightValues();
    }

    @Override
    public void setWeightValues(Map<String, Tensor> values) {
        model.setWeightValues(values);
    }

    @Override
    public void save(java.nio.file.Path file) throws java.io.IOException {
        model.save(file);
    }

    @Override
    public void saveWeights(java.nio.file.Path file) throws java.io.IOException {
        model.saveWeights(file);
    }

    @Override
    public void stopTraining(boolean value) {
        model.stopTraining(value);
    }

    @Override
    public boolean stopTrainingRequested() {
        return model.stopTrainingRequested();
    }
}
