package dev.myelin.train;

import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run needs to go on exactly where it was, in memory: what a backup file holds
 * (Keras's {@code BackupAndRestore}). A run resumed from a snapshot taken after epoch {@code k − 1} ends
 * bit-identical to the uninterrupted run with the same seeds: weights, optimizer slots and iteration
 * counts, learning-rate schedule position, every random generator drawn from during training (dropout
 * masks, a GAN's latent vectors), the data order (the shuffling seed; a seeded loader's epoch {@code e}
 * depends only on its seed and {@code e}) and the History.
 *
 * <p>{@link Trainable#snapshot()} fills the model's part (progress fields empty); {@link
 * Callback.TrainingPlan#snapshot(int)} adds the run's progress, and {@link Callback.TrainingPlan#resume}
 * sets a run back to one.
 *
 * <p>Example, a callback keeping the last epoch in memory and resuming from it:
 * <pre>{@code
 * class Backup implements Callback {
 *     TrainingSnapshot last; TrainingPlan plan;
 *     public void onTrainBegin(Trainable m, TrainingPlan p) { plan = p; if (last != null) p.resume(last); }
 *     public void onEpochEnd(int epoch, Map<String, Double> logs) { last = plan.snapshot(epoch + 1); }
 * }
 * }</pre>
 *
 * @param epochsDone   epochs completed: the run resumes at this epoch (0 in a model-only snapshot)
 * @param history      the History rows of the run so far, by key, one value per epoch (empty: none)
 * @param dataSeed     the seed of the run's in-memory shuffling, or null when the run used none or a
 *                     {@code DataLoader} of the caller's (whose seed the caller keeps)
 * @param weights      every weight's values by full name, copies ({@link Trainable#weightValues()})
 * @param optimizers   optimizer states by role: {@code "optimizer"} for a model, {@code "discriminator"} and
 *                     {@code "generator"} for a GAN
 * @param randomStates the states of the generators drawn from in training, by layer name (a GAN prefixes
 *                     {@code "generator/"} or {@code "discriminator/"}, and its own generator is {@code "latent"})
 */
public record TrainingSnapshot(int epochsDone, Map<String, List<Double>> history, Long dataSeed, Map<String, Tensor> weights,
                               Map<String, Optimizer.State> optimizers, Map<String, long[]> randomStates) {
    public TrainingSnapshot {
        if (epochsDone < 0) throw new IllegalArgumentException("training snapshot: epochsDone must be >= 0, got " + epochsDone);
        Map<String, List<Double>> rows = new LinkedHashMap<>();
        for (var e : Objects.requireNonNull(history, "history").entrySet()) {
            List<Double> values = List.copyOf(e.getValue());
            if (values.size() > epochsDone) {
                throw new IllegalArgumentException("training snapshot: history '" + e.getKey() + "' has " + values.size()
                        + " values for " + epochsDone + " epochs done");
            }
            rows.put(e.getKey(), values);
        }
        history = Collections.unmodifiableMap(rows);
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(weights, "weights")));
        optimizers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(optimizers, "optimizers")));
        Map<String, long[]> states = new LinkedHashMap<>();
        for (var e : Objects.requireNonNull(randomStates, "randomStates").entrySet()) {
            states.put(e.getKey(), Objects.requireNonNull(e.getValue(), () -> "training snapshot: null random state for '" + e.getKey() + "'").clone());
        }
        randomStates = Collections.unmodifiableMap(states);
    }

    /** A model's part only: no epochs done, no History, no data seed. */
    public static TrainingSnapshot ofModel(Map<String, Tensor> weights, Map<String, Optimizer.State> optimizers, Map<String, long[]> randomStates) {
        return new TrainingSnapshot(0, Map.of(), null, weights, optimizers, randomStates);
    }

    /** This snapshot with a run's progress. */
    public TrainingSnapshot withProgress(int epochs, Map<String, List<Double>> historyRows, Long seed) {
        return new TrainingSnapshot(epochs, historyRows, seed, weights, optimizers, randomStates);
    }

    /** The random state of {@code name}, a copy; null when absent. */
    public long[] randomState(String name) {
        long[] s = randomStates.get(name);
        return s == null ? null : s.clone();
    }
}
