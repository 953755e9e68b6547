package dev.myelin.compress;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluator;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import dev.myelin.train.Trainable;
import dev.myelin.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean, 2015; the Keras example "Knowledge Distillation"): a
 * small student learns from the labels and from a trained teacher's softened outputs. With logits
 * {@code s} (student) and {@code t} (teacher), temperature {@code T} and weight {@code α}:
 * <pre>
 *   loss = α·hardLoss(y, student output) + (1 − α)·T²·KL(softmax(t/T) ‖ softmax(s/T))
 *   KL(p ‖ q) = mean over the batch of Σ_c p_c·(log p_c − log q_c)
 * </pre>
 * The T² keeps the soft term's gradients on the scale of the hard term's as T changes. Logits are read
 * from a softmax output ({@link Tensor#softmaxLogits()}); an output without a softmax is taken as logits.
 * The teacher runs in inference mode and is never updated.
 *
 * <p>A {@link Trainable}, so {@code fit} drives it with callbacks, validation and the progress bar; the
 * validation pass evaluates the student with the hard loss and the metrics. The student is compiled with
 * the optimizer, hard loss and metrics given to {@link #compile}, and can be saved on its own afterwards.
 *
 * <p>Example:
 * <pre>{@code
 * Distiller d = new Distiller(student, teacher).compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 0.1, 10, Metric.ACCURACY);
 * d.fit(x, y, FitOptions.epochs(3));
 * }</pre>
 */
public final class Distiller implements Trainable {
    private final Model student;
    private final Model teacher;
    private double alpha;
    private double temperature;
    private boolean compiled;
    private boolean stopTraining;

    public Distiller(Model student, Model teacher) {
        this.student = Objects.requireNonNull(student, "student");
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        if (student == teacher) throw new IllegalArgumentException("the student and the teacher must be different models");
    }

    /**
     * Sets the optimizer (of the student), the hard loss, {@code alpha} (the hard loss's weight, in [0, 1];
     * the Keras example uses 0.1) and {@code temperature} (positive; 1 leaves the teacher's probabilities
     * as they are, larger softens them; the example uses 10), and the student's metrics. For the seed MLP
     * taught by the seed CNN on Fashion-MNIST, α 0.5 and T 2 did best (the {@code distill} command's
     * defaults); α 0.1 with T 10 fell below the student trained on the labels alone.
     */
    public Distiller compile(Optimizer optimizer, Loss hardLoss, double alpha, double temperature, Metric... metrics) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be positive and finite, got " + temperature);
        student.compile(optimizer, hardLoss, metrics);
        this.alpha = alpha;
        this.temperature = temperature;
        this.compiled = true;
        return this;
    }

    public Model student() {
        return student;
    }

    public Model teacher() {
        return teacher;
    }

    /** Trains the student; see {@link Trainer#fit}. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        return Trainer.fit(this, List.of(x), List.of(y), options);
    }

    /** The logits of a model's output: what its softmax read, or the output itself. */
    static Tensor logits(Tensor output) {
        Tensor l = output.softmaxLogits();
        return l != null ? l : output;
    }

    /** {@code T²·KL(softmax(t/T) ‖ softmax(s/T))}, averaged over the batch (the rows of the logits). */
    public static Tensor softLoss(Tensor studentLogits, Tensor teacherLogits, double temperature) {
        Tensor logP = teacherLogits.div(temperature).logSoftmax(-1);
        Tensor logQ = studentLogits.div(temperature).logSoftmax(-1);
        int rows = studentLogits.size() / studentLogits.dim(-1);
        return logP.exp().mul(logP.sub(logQ)).sum().mul(temperature * temperature / rows);
    }

    /** The distillation loss of a batch: {@code α·hard + (1 − α)·soft} as in the class comment. */
    public Tensor loss(Tensor y, Tensor studentOutput, Tensor teacherLogits) {
        requireCompiled();
        Tensor hard = student.loss().compute(y, studentOutput);
        Tensor soft = softLoss(logits(studentOutput), teacherLogits, temperature);
        return hard.mul(alpha).add(soft.mul(1 - alpha));
    }

    private void requireCompiled() {
        if (!compiled) throw new IllegalStateException("Distiller is not compiled; call compile(optimizer, hardLoss, alpha, temperature, metrics) first");
    }

    @Override
    public String name() {
        return "distiller(" + student.name() + " <- " + teacher.name() + ")";
    }

    @Override
    public void prepareTraining() {
        requireCompiled();
        student.build();
        teacher.build();
    }

    @Override
    public double trainStep(List<Tensor> xs, List<Tensor> ys) {
        requireCompiled();
        Tensor x = xs.get(0), y = ys.get(0);
        Tensor teacherLogits;
        try (var g = NoGrad.scope()) {
            teacherLogits = logits(teacher.call(x, false)).detach();
        }
        Tensor output = student.call(x, true);
        Tensor total = loss(y, output, teacherLogits);
        List<Parameter> params = student.trainableWeights();
        for (Parameter p : params) {
            if (p.regularizer() != null) total = total.add(p.regularizer().penalty(p.value()));
        }
        for (Parameter p : params) p.value().zeroGrad();
        total.backward();
        student.optimizer().apply(params);
        try (var g = NoGrad.scope()) {
            for (Metric m : student.trainingMetrics().values()) m.update(y, output.detach());
        }
        return total.item();
    }

    @Override
    public Map<String, Metric> trainingMetrics() {
        return student.trainingMetrics();
    }

    /** The student's evaluation: the hard loss and the metrics. */
    @Override
    public Evaluator evaluator() {
        requireCompiled();
        return student.evaluator();
    }

    @Override
    public Optimizer optimizer() {
        return student.optimizer();
    }

    /** The student's weights (the teacher does not change). */
    @Override
    public Map<String, Tensor> weightValues() {
        return student.weightValues();
    }

    @Override
    public void setWeightValues(Map<String, Tensor> values) {
        student.setWeightValues(values);
    }

    /** The student's snapshot (weights, optimizer state, random generators), for {@code BackupAndRestore}. */
    @Override
    public dev.myelin.train.TrainingSnapshot snapshot() {
        return student.snapshot();
    }

    @Override
    public void restore(dev.myelin.train.TrainingSnapshot snapshot) {
        student.restore(snapshot);
    }

    /** Saves the student (what {@code ModelCheckpoint} writes). */
    @Override
    public void save(java.nio.file.Path file) throws java.io.IOException {
        student.save(file);
    }

    @Override
    public void saveWeights(java.nio.file.Path file) throws java.io.IOException {
        student.saveWeights(file);
    }

    @Override
    public void stopTraining(boolean value) {
        stopTraining = value;
    }

    @Override
    public boolean stopTrainingRequested() {
        return stopTraining;
    }
}
