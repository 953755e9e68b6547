package dev.myelin.semisupervised;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.Augmentation;
import dev.myelin.data.Permutations;
import dev.myelin.metrics.Mean;
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
import java.util.Map;
import java.util.Objects;

/**
 * FixMatch (Sohn et al. 2020): semi-supervised training of any compiled classifier from a few labelled
 * samples and many unlabelled ones, as a {@link Trainable}, so {@link #fit} has callbacks, validation and
 * the progress bar. Each step takes a batch of {@code B} labelled samples (from {@code fit}'s batches) and
 * the next {@code μ·B} unlabelled samples (a seeded reshuffle of the unlabelled set each pass):
 * <pre>
 *   q_u = p(weak(u)) (inference mode, not differentiated)      keep u when max q_u >= τ
 *   L_s = loss(y, p(weak(x)))                                   the classifier's compiled loss
 *   L_u = (1 / μB) · Σ_kept loss_u(argmax q_u, p(strong(u)))    hard pseudo-labels
 *   L   = L_s + λ_u · L_u (+ the weights' regularization penalties), one update of the classifier's optimizer
 * </pre>
 * The paper's settings are the defaults: {@code τ = 0.95}, {@code λ_u = 1}, {@code μ = 7}; weak
 * augmentation is a flip and a small shift, strong is RandAugment (plus cutout). The strong forward pass
 * runs on the kept samples only (the sum over kept samples is the same; a BatchNormalization layer would
 * see smaller batches). The pseudo-labels take the format of the labelled targets (class ids or one-hot).
 *
 * <p>Logs: the classifier's metrics on the labelled batches, {@code supervised_loss}, {@code unsupervised_loss}
 * and {@code mask_rate} (the share of unlabelled samples kept). Validation and {@code evaluate} use the classifier.
 *
 * <p>Randomness: {@link #seed} seeds the order of the unlabelled samples and, from a second generator, the
 * augmentations (weak on the labelled batch, then weak and strong on the unlabelled batch, in that order).
 * The augmentations run on the training thread. {@link #snapshot()} holds these generators, so FixMatch
 * runs can be backed up and resumed ({@code BackupAndRestore}).
 *
 * <p>Example:
 * <pre>{@code
 * Model net = SeedModels.cnnMnist();
 * net.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new SparseCategoricalAccuracy());
 * FixMatch fm = new FixMatch(net, RandomTranslation.of(0.1, 0.1),
 *         Augmentation.compose(RandAugment.of(2, 10).valueRange(0, 1), RandomErasing.of(1))).seed(1);
 * fm.fit(labelledX, labelledY, unlabelledX, FitOptions.epochs(10).batchSize(32));
 * }</pre>
 */
public final class FixMatch implements Trainable {
    /** The random-state key of the augmentations' generator in a {@link TrainingSnapshot}. */
    public static final String AUGMENT_STATE = "fixmatch/augment";
    /** The random-state key of the unlabelled order in a {@link TrainingSnapshot}. */
    public static final String ORDER_STATE = "fixmatch/order";

    private final Model classifier;
    private final Augmentation weak;
    private final Augmentation strong;
    private double threshold = 0.95;
    private double unlabelledWeight = 1;
    private int unlabelledRatio = 7;
    private long seed;
    private RandomStream orderRng = RandomStream.seeded(0);
    private RandomStream augRng = RandomStream.seeded(1);
    private Tensor unlabelled;
    private int[] order;
    private int position;
    /** {@code orderRng}'s state before it drew {@code order}: a snapshot keeps this and {@code position}, not the permutation. */
    private long[] orderDrawnFrom;
    private final Mean supervisedLoss = new Mean("supervised_loss");
    private final Mean unsupervisedLoss = new Mean("unsupervised_loss");
    private final Mean maskRate = new Mean("mask_rate");
    private volatile boolean stopTraining;

    /**
     * @param classifier a compiled classifier with one output {@code [batch, classes]} of probabilities
     * @param weak       the weak augmentation (labelled batches and the pseudo-labels' view)
     * @param strong     the strong augmentation (the view trained to match the pseudo-labels)
     */
    public FixMatch(Model classifier, Augmentation weak, Augmentation strong) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.weak = Objects.requireNonNull(weak, "weak");
        this.strong = Objects.requireNonNull(strong, "strong");
        LabelCoverage.classesOf(classifier, "FixMatch");
        seed(0);
    }

    /** The confidence τ from which a pseudo-label is used, in [0, 1] (default 0.95). */
    public FixMatch threshold(double value) {
        AutoLabeler.checkThreshold("FixMatch", value);
        this.threshold = value;
        return this;
    }

    /** The weight λ_u of the unlabelled loss, >= 0 (default 1). */
    public FixMatch unlabelledWeight(double value) {
        if (!(value >= 0 && Double.isFinite(value))) throw new IllegalArgumentException("FixMatch: unlabelledWeight (λ_u) must be >= 0, got " + value);
        this.unlabelledWeight = value;
        return this;
    }

    /** The ratio μ of unlabelled to labelled samples per step, >= 1 (default 7). */
    public FixMatch unlabelledRatio(int value) {
        if (value < 1) throw new IllegalArgumentException("FixMatch: unlabelledRatio (μ) must be >= 1, got " + value);
        this.unlabelledRatio = value;
        return this;
    }

    /** Seeds the unlabelled order and the augmentations. */
    public FixMatch seed(long value) {
        this.seed = value;
        this.orderRng = RandomStream.seeded(value);
        this.augRng = RandomStream.seeded(value ^ 0x5DEECE66DL);
        this.order = null;
        return this;
    }

    public Model classifier() {
        return classifier;
    }

    public double threshold() {
        return threshold;
    }

    /**
     * Trains on the labelled {@code x}, {@code y} (class ids or one-hot) and the unlabelled {@code unlabelled}
     * (the classifier's input shape, no targets), with {@link Trainer}: {@code options} set the labelled batch
     * size, epochs (passes over the labelled data), validation and callbacks.
     *
     * @throws IllegalArgumentException when the labelled data do not hold every class, or the unlabelled set is empty
     */
    public History fit(Tensor x, Tensor y, Tensor unlabelled, FitOptions options) {
        LabelCoverage.requireEveryClass(y, LabelCoverage.classesOf(classifier, "FixMatch"), "FixMatch");
        if (unlabelled.rank() == 0 || unlabelled.dim(0) == 0) throw new IllegalArgumentException("FixMatch: the unlabelled set is empty");
        if (unlabelled.rank() != x.rank() || !unlabelled.shape().with(0, 1).equals(x.shape().with(0, 1))) {
            throw new IllegalArgumentException("FixMatch: unlabelled samples " + unlabelled.shape() + " and labelled " + x.shape() + " differ past the sample axis");
        }
        this.unlabelled = unlabelled;
        this.order = null;
        return Trainer.fit(this, List.of(x), List.of(y), options);
    }

    @Override
    public String name() {
        return "fixmatch(" + classifier.name() + ")";
    }

    @Override
    public void prepareTraining() {
        classifier.prepareTraining();
        if (unlabelled == null) throw new IllegalStateException("FixMatch: no unlabelled data; train with fit(x, y, unlabelled, options)");
    }

    @Override
    public double trainStep(List<Tensor> xs, List<Tensor> ys) {
        if (unlabelled == null) throw new IllegalStateException("FixMatch: no unlabelled data; train with fit(x, y, unlabelled, options)");
        Tensor x = xs.get(0), y = ys.get(0);
        int b = x.dim(0), mu = unlabelledRatio * b, classes = LabelCoverage.classesOf(classifier, "FixMatch");
        Tensor xWeak = weak.apply(x, augRng);
        Tensor u = unlabelled.indexSelect(0, nextUnlabelled(mu));
        Tensor uWeak = weak.apply(u, augRng), uStrong = strong.apply(u, augRng);

        AutoLabels pseudo;
        try (var g = NoGrad.scope()) {
            pseudo = AutoLabeler.fromProbabilities(classifier.call(uWeak, false), threshold);
        }
        Tensor predictions = classifier.call(xWeak, true);
        Tensor ls = classifier.loss().compute(y, predictions);
        Tensor total = ls;
        int[] kept = pseudo.keptIndices();
        double lu = 0;
        if (kept.length > 0 && unlabelledWeight > 0) {
            int[] ids = new int[kept.length];
            int[] all = pseudo.labels();
            for (int j = 0; j < kept.length; j++) ids[j] = all[kept[j]];
            Tensor strongPredictions = classifier.call(uStrong.indexSelect(0, kept), true);
            Tensor luTensor = classifier.loss().compute(LabelCoverage.targetsLike(y, ids, classes), strongPredictions)
                    .mul((double) kept.length / mu);
            lu = luTensor.item();
            total = total.add(luTensor.mul(unlabelledWeight));
        }
        List<Parameter> params = classifier.trainableWeights();
        for (Parameter p : params) {
            if (p.regularizer() != null) total = total.add(p.regularizer().penalty(p.value()));
        }
        Optimizer optimizer = classifier.optimizer();
        optimizer.applyGradients(Gradients.of(total, params), params);
        try (var g = NoGrad.scope()) {
            for (Metric m : classifier.metrics(0)) m.update(y, predictions.detach());
        }
        supervisedLoss.update(ls.item(), b);
        unsupervisedLoss.update(lu, b);
        maskRate.update((double) kept.length / mu, b);
        return total.item();
    }

    /** The next {@code count} indices of the unlabelled set, reshuffled (seeded) at the end of each pass. */
    private int[] nextUnlabelled(int count) {
        int n = unlabelled.dim(0);
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            if (order == null || position == n) {
                orderDrawnFrom = orderRng.state();
                order = Permutations.shuffled(n, orderRng);
                position = 0;
            }
            idx[i] = order[position++];
        }
        return idx;
    }

    /**
     * The classifier's snapshot ({@link Model#snapshot()}) plus FixMatch's own random states: the
     * augmentations' generator ({@value #AUGMENT_STATE}) and where the unlabelled order is
     * ({@value #ORDER_STATE}: the order generator's state before it drew the current permutation, then the
     * position in it, then 1 when a permutation is drawn). With {@code BackupAndRestore}, a seeded run
     * resumed from a backup ends bit-identical to the uninterrupted run.
     */
    @Override
    public TrainingSnapshot snapshot() {
        TrainingSnapshot s = classifier.snapshot();
        Map<String, long[]> randoms = new LinkedHashMap<>(s.randomStates());
        randoms.put(AUGMENT_STATE, augRng.state());
        long[] from = order == null ? orderRng.state() : orderDrawnFrom;
        long[] where = java.util.Arrays.copyOf(from, RandomStream.STATE_LENGTH + 2);
        where[RandomStream.STATE_LENGTH] = order == null ? 0 : position;
        where[RandomStream.STATE_LENGTH + 1] = order == null ? 0 : 1;
        randoms.put(ORDER_STATE, where);
        return TrainingSnapshot.ofModel(s.weights(), s.optimizers(), randoms);
    }

    /**
     * Sets the classifier and FixMatch's random states back from {@code snapshot}; the unlabelled set must be
     * the one of the run it was taken from (set by {@link #fit}, which calls this through {@code BackupAndRestore}).
     *
     * @throws IllegalArgumentException when the snapshot is not a FixMatch one, or its position does not fit the unlabelled set
     */
    @Override
    public void restore(TrainingSnapshot snapshot) {
        long[] aug = snapshot.randomState(AUGMENT_STATE), where = snapshot.randomState(ORDER_STATE);
        if (aug == null || where == null || where.length != RandomStream.STATE_LENGTH + 2) {
            throw new IllegalArgumentException("FixMatch: the snapshot has no FixMatch state (\"" + AUGMENT_STATE + "\", \"" + ORDER_STATE
                    + "\"); it was not taken from a FixMatch run");
        }
        long[] from = java.util.Arrays.copyOf(where, RandomStream.STATE_LENGTH);
        boolean drawn = where[RandomStream.STATE_LENGTH + 1] != 0;
        int pos = (int) where[RandomStream.STATE_LENGTH];
        if (drawn && (unlabelled == null || pos < 0 || pos > unlabelled.dim(0))) {
            throw new IllegalArgumentException("FixMatch: the snapshot's position " + pos + " in the unlabelled order does not fit "
                    + (unlabelled == null ? "no unlabelled set (restore through fit)" : unlabelled.dim(0) + " unlabelled samples"));
        }
        RandomStream newAug = RandomStream.fromState(aug), newOrder = RandomStream.fromState(from); // check before anything changes
        Map<String, long[]> modelRandoms = new LinkedHashMap<>(snapshot.randomStates());
        modelRandoms.remove(AUGMENT_STATE);
        modelRandoms.remove(ORDER_STATE);
        classifier.restore(TrainingSnapshot.ofModel(snapshot.weights(), snapshot.optimizers(), modelRandoms));
        augRng = newAug;
        orderRng = newOrder;
        order = null;
        position = 0;
        if (drawn) { // draw the same permutation again from the same state
            orderDrawnFrom = orderRng.state();
            order = Permutations.shuffled(unlabelled.dim(0), orderRng);
            position = pos;
        }
    }

    /** The classifier's metrics, then {@code supervised_loss}, {@code unsupervised_loss}, {@code mask_rate}. */
    @Override
    public Map<String, Metric> trainingMetrics() {
        Map<String, Metric> m = new LinkedHashMap<>(classifier.trainingMetrics());
        m.put(supervisedLoss.name(), supervisedLoss);
        m.put(unsupervisedLoss.name(), unsupervisedLoss);
        m.put(maskRate.name(), maskRate);
        return m;
    }

    @Override
    public Evaluator evaluator() {
        return classifier.evaluator();
    }

    @Override
    public Optimizer optimizer() {
        return classifier.optimizer();
    }

    @Override
    public Map<String, Tensor> weightValues() {
        return classifier.weightValues();
    }

    @Override
    public void setWeightValues(Map<String, Tensor> values) {
        classifier.setWeightValues(values);
    }

    @Override
    public void stopTraining(boolean value) {
        this.stopTraining = value;
    }

    @Override
    public boolean stopTrainingRequested() {
        return stopTraining;
    }

    @Override
    public String toString() {
        return "FixMatch(" + classifier.name() + ", τ=" + threshold + ", λ_u=" + unlabelledWeight + ", μ=" + unlabelledRatio + ", seed=" + seed + ")";
    }
}
