package dev.myelin.train;

import dev.myelin.autograd.NoGrad;
import dev.myelin.data.DataLoader;
import dev.myelin.data.Permutations;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The one epoch iterator of {@link Trainer}: training, validation and evaluation batches all come through
 * it, from in-memory tensors or from a {@link DataLoader}.
 *
 * <p>In memory, epoch {@code e} takes the samples in the order of the {@code e}-th Fisher–Yates permutation
 * drawn from one generator ({@link Permutations#shuffled}), or in order without one; a shuffled batch is
 * gathered with {@code indexSelect}, an ordered one is a slice (a view, no copy). Any dtype and any number
 * of inputs and targets work. A loader's epoch {@code e} is the loader's {@link DataLoader#epoch(int)}.
 */
interface EpochSource {
    /** Batches per epoch. */
    int steps();

    /** Samples per epoch. */
    int samples();

    /** Starts epoch {@code e} (epochs are started in order 0, 1, 2, ...). */
    Batches epoch(int e);

    /** One batch: the model's inputs and targets, samples along axis 0. */
    record Batch(List<Tensor> xs, List<Tensor> ys) {
        int size() {
            return xs.get(0).dim(0);
        }
    }

    /** One epoch's batches; close it to stop a loader's prefetching early. */
    interface Batches extends AutoCloseable {
        boolean hasNext();

        Batch next();

        @Override
        default void close() {}
    }

    /**
     * Batches of {@code batchSize} samples of {@code xs} and {@code ys} (which agree on the sample count),
     * shuffled each epoch by {@code shuffler}, or in order when it is null.
     */
    static EpochSource of(List<Tensor> xs, List<Tensor> ys, int batchSize, RandomGenerator shuffler) {
        int samples = xs.get(0).dim(0);
        return new EpochSource() {
            public int steps() {
                return (samples + batchSize - 1) / batchSize;
            }

            public int samples() {
                return samples;
            }

            public Batches epoch(int e) {
                int[] order = shuffler == null ? null : Permutations.shuffled(samples, shuffler);
                return new Batches() {
                    int from;

                    public boolean hasNext() {
                        return from < samples;
                    }

                    public Batch next() {
                        int to = Math.min(samples, from + batchSize);
                        Batch b = order == null ? new Batch(rows(xs, from, to), rows(ys, from, to))
                                : new Batch(select(xs, Arrays.copyOfRange(order, from, to)), select(ys, Arrays.copyOfRange(order, from, to)));
                        from = to;
                        return b;
                    }
                };
            }
        };
    }

    /** The batches of {@code loader}: its batch size, shuffling, seed, augmentation and prefetching. */
    static EpochSource of(DataLoader loader) {
        return new EpochSource() {
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

                    public Batch next() {
                        DataLoader.Batch b = it.next();
                        return new Batch(List.of(b.x()), List.of(b.y()));
                    }

                    @Override
                    public void close() {
                        it.close();
                    }
                };
            }
        };
    }

    /** Rows {@code [from, to)} of every tensor, as views. */
    static List<Tensor> rows(List<Tensor> ts, int from, int to) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(t.slice(0, from, to));
        return out;
    }

    private static List<Tensor> select(List<Tensor> ts, int[] idx) {
        List<Tensor> out = new ArrayList<>(ts.size());
        try (var g = NoGrad.scope()) {
            for (Tensor t : ts) out.add(t.indexSelect(0, idx));
        }
        return out;
    }
}
