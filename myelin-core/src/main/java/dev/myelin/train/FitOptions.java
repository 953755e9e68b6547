package dev.myelin.train;

import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code fit} trains, Keras's arguments as an immutable value: start from {@link #epochs(int)} and
 * chain withers, {@code FitOptions.epochs(5).batchSize(64).validationSplit(0.1)}.
 *
 * @param epochs          passes over the training data
 * @param batchSize       samples per step (Keras's default 32); the last batch may be smaller
 * @param shuffle         reshuffle the training samples each epoch (default true)
 * @param seed            seed of the shuffling (and augmentation); null draws a random one
 * @param validationSplit fraction of the samples, taken from the END before shuffling as Keras, held out for validation
 * @param validationX     explicit validation inputs (overrides the split), or null
 * @param validationY     explicit validation targets, or null
 * @param callbacks       callbacks in call order (the progress bar is added from {@code verbose})
 * @param verbose         0 silent, 1 progress bar (one line per epoch when output is not a terminal), 2 one line per epoch
 * @param initialEpoch    the epoch to start at (Keras's {@code initial_epoch}): epochs {@code initialEpoch .. epochs − 1}
 *                        run, numbered absolutely in logs and callbacks; 0 by default
 */
public record FitOptions(int epochs, int batchSize, boolean shuffle, Long seed, double validationSplit,
                         List<Tensor> validationX, List<Tensor> validationY, List<Callback> callbacks, int verbose,
                         int initialEpoch) {

    public FitOptions {
        if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        if (!(validationSplit >= 0 && validationSplit < 1)) throw new IllegalArgumentException("validationSplit must be in [0, 1), got " + validationSplit);
        if (initialEpoch < 0) throw new IllegalArgumentException("initialEpoch must be >= 0, got " + initialEpoch);
        if (verbose < 0 || verbose > 2) throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + verbose);
        if ((validationX == null) != (validationY == null)) throw new IllegalArgumentException("validation data needs both x and y");
        validationX = validationX == null ? null : List.copyOf(validationX);
        validationY = validationY == null ? null : List.copyOf(validationY);
        callbacks = List.copyOf(callbacks);
    }

    /** Defaults (batch 32, shuffled, verbose 1) for {@code n} epochs. */
    public static FitOptions epochs(int n) {
        return new FitOptions(n, 32, true, null, 0, null, null, List.of(), 1, 0);
    }

    public FitOptions batchSize(int n) {
        return new FitOptions(epochs, n, shuffle, seed, validationSplit, validationX, validationY, callbacks, verbose, initialEpoch);
    }

    public FitOptions shuffle(boolean value) {
        return new FitOptions(epochs, batchSize, value, seed, validationSplit, validationX, validationY, callbacks, verbose, initialEpoch);
    }

    public FitOptions seed(long value) {
        return new FitOptions(epochs, batchSize, shuffle, value, validationSplit, validationX, validationY, callbacks, verbose, initialEpoch);
    }

    public FitOptions validationSplit(double fraction) {
        return new FitOptions(epochs, batchSize, shuffle, seed, fraction, validationX, validationY, callbacks, verbose, initialEpoch);
    }

    public FitOptions validationData(Tensor x, Tensor y) {
        return new FitOptions(epochs, batchSize, shuffle, seed, validationSplit, List.of(x), List.of(y), callbacks, verbose, initialEpoch);
    }

    public FitOptions validationData(List<Tensor> xs, List<Tensor> ys) {
        return new FitOptions(epochs, batchSize, shuffle, seed, validationSplit, xs, ys, callbacks, verbose, initialEpoch);
    }

    /** Adds callbacks after those already set. */
    public FitOptions callbacks(Callback... more) {
        List<Callback> all = new ArrayList<>(callbacks);
        all.addAll(List.of(more));
        return new FitOptions(epochs, batchSize, shuffle, seed, validationSplit, validationX, validationY, all, verbose, initialEpoch);
    }

    public FitOptions verbose(int level) {
        return new FitOptions(epochs, batchSize, shuffle, seed, validationSplit, validationX, validationY, callbacks, level, initialEpoch);
    }

    /**
     * Starts at epoch {@code epoch} (Keras's {@code initial_epoch}), to continue a run whose state was
     * restored ({@link Trainable#restore}): epochs {@code epoch .. epochs − 1} run, with absolute numbers in
     * logs and callbacks, and epoch {@code e} of a seeded loader is the same as in the uninterrupted run.
     */
    public FitOptions initialEpoch(int epoch) {
        return new FitOptions(epochs, batchSize, shuffle, seed, validationSplit, validationX, validationY, callbacks, verbose, epoch);
    }
}
