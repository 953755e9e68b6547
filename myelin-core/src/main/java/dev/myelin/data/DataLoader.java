package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Cuts a {@link Dataset} into mini-batches, one epoch per {@link #iterator()} call: optionally shuffled,
 * optionally augmented, optionally built one batch ahead on a background thread.
 *
 * <p>Settings are immutable: each setter returns a new loader. Defaults, as Keras's {@code fit}: batch
 * size 32, keep the last smaller batch; unlike {@code fit}, no shuffling unless asked for, and seed 0.
 *
 * <p>Randomness. Epoch {@code e} (counting from 0) uses an {@code L64X128MixRandom} seeded with
 * {@code seed + e · 0x9E3779B97F4A7C15} (the golden-ratio increment, so seeds s and s+1 do not replay
 * each other's epochs). When shuffling, that generator first draws the epoch's Fisher–Yates permutation —
 * for epoch 0 the same one as {@link Dataset#shuffled(long) dataset.shuffled(seed)}; then it is
 * {@link RandomGenerator.SplittableGenerator#split() split} once, and the split generator is passed to
 * the augmentation for every batch of the epoch, in order. So a run is repeatable from the seed, each
 * epoch sees a new order, and the order does not depend on the augmentation or on prefetching.
 *
 * <p>Epochs. Each {@link #iterator()} call starts the next epoch: 0, 1, 2, ... counted by this loader
 * object (a loader returned by a setter counts from 0 again). {@link #epoch(int)} starts a given epoch
 * and leaves the count alone; a training loop that knows its epoch number should use it.
 *
 * <p>Prefetch. With {@code prefetch(true)} a daemon thread builds batches ahead of the consumer (at most
 * one finished batch waits in a queue, plus the one being built). Batches are the same, in the same order,
 * as without prefetch. An exception while building a batch (a failing augmentation, say) reaches the
 * consumer from {@code hasNext()}/{@code next()}, wrapped in an {@link IllegalStateException} naming the
 * batch and epoch, with the original as its cause — the same with and without prefetch; errors
 * ({@link Error}) are rethrown as they are. If iteration stops early, {@link Epoch#close()} (or
 * try-with-resources) stops the thread at once; an abandoned iterator stops its thread when it is
 * garbage-collected.
 *
 * <p>Batch building copies rows straight from the dataset's float arrays ({@code System.arraycopy} per
 * row, per run of consecutive rows when not shuffled).
 *
 * <p>Shapes: batch {@code x [b, ...]}, {@code y [b, ...]} with {@code b = batchSize} except a last, smaller
 * batch of {@code size % batchSize} samples when {@code dropRemainder} is false.
 *
 * <p>Example:
 * <pre>{@code
 * DataLoader loader = DataLoader.of(train).batchSize(64).shuffle(42).dropRemainder(true)
 *         .augment(RandomFlip.horizontal()).prefetch(true);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     try (DataLoader.Epoch it = loader.epoch(epoch)) {
 *         while (it.hasNext()) { DataLoader.Batch b = it.next(); ... b.x(), b.y() ... }
 *     }
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<DataLoader.Batch> {
    /** Golden-ratio increment between epoch seeds (as {@link java.util.SplittableRandom}'s gamma). */
    static final long EPOCH_SEED_STEP = 0x9E3779B97F4A7C15L;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropRemainder;
    private final Augmentation augmentation;
    private final boolean prefetch;
    private final AtomicInteger nextEpoch = new AtomicInteger();

    private DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, boolean dropRemainder,
                       Augmentation augmentation, boolean prefetch) {
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropRemainder = dropRemainder;
        this.augmentation = augmentation;
        this.prefetch = prefetch;
    }

    /** A loader over {@code dataset} with the defaults: batch size 32, no shuffle, seed 0, keep the remainder. */
    public static DataLoader of(Dataset dataset) {
        Objects.requireNonNull(dataset, "dataset");
        return new DataLoader(dataset, 32, false, 0L, false, null, false);
    }

    /** Samples per batch (at least 1). */
    public DataLoader batchSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize must be at least 1, got " + batchSize);
        return new DataLoader(dataset, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    /** Shuffles with {@code seed}: a new, repeatable permutation each epoch (see the class comment). */
    public DataLoader shuffle(long seed) {
        return new DataLoader(dataset, batchSize, true, seed, dropRemainder, augmentation, prefetch);
    }

    /** Turns shuffling on (with the current seed) or off. */
    public DataLoader shuffle(boolean shuffle) {
        return new DataLoader(dataset, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    /** The seed for shuffling and augmentation, without changing whether to shuffle. */
    public DataLoader seed(long seed) {
        return new DataLoader(dataset, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    /** When true, a last batch smaller than {@code batchSize} is left out. */
    public DataLoader dropRemainder(boolean dropRemainder) {
        return new DataLoader(dataset, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    /** Applies {@code augmentation} to {@code x} of every batch ({@code null}: none). Targets are unchanged. */
    public DataLoader augment(Augmentation augmentation) {
        return new DataLoader(dataset, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    /** When true, batches are built one ahead on a background daemon thread. */
    public DataLoader prefetch(boolean prefetch) {
        return new DataLoader(dataset, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    /** A loader with these settings over {@code other} (its epochs count from 0). */
    public DataLoader over(Dataset other) {
        Objects.requireNonNull(other, "dataset");
        return new DataLoader(other, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Number of batches in one epoch: {@code ceil(n / batchSize)}, or {@code floor} when dropping the remainder. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropRemainder ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Starts the next epoch of this loader (0 on the first call). */
    @Override
    public Epoch iterator() {
        return epoch(nextEpoch.getAndIncrement());
    }

    /**
     * Starts epoch {@code e}: its order and augmentation depend only on the settings and {@code e}. Fails
     * if the epoch would have no batch (an empty dataset, or fewer samples than a batch with
     * {@code dropRemainder}).
     */
    public Epoch epoch(int e) {
        if (e < 0) throw new IllegalArgumentException("DataLoader: epoch must be >= 0, got " + e);
        if (batchesPerEpoch() == 0) {
            throw new IllegalStateException("DataLoader: an epoch would have no batch: " + dataset.size() + " samples, batch size "
                    + batchSize + (dropRemainder ? " with dropRemainder" : ""));
        }
        RandomGenerator.SplittableGenerator rng = Permutations.generator(seed + e * EPOCH_SEED_STEP);
        int[] order = shuffle ? Permutations.shuffled(dataset.size(), rng) : Permutations.identity(dataset.size());
        RandomGenerator augRng = augmentation == null ? null : rng.split();
        Producer producer = new Producer(dataset, order, batchSize, batchesPerEpoch(), augmentation, augRng, e);
        return new Epoch(producer, prefetch);
    }

    @Override
    public String toString() {
        return "DataLoader(" + dataset + ", batchSize=" + batchSize + ", shuffle=" + shuffle + ", seed=" + seed
                + ", dropRemainder=" + dropRemainder + ", augmentation=" + augmentation + ", prefetch=" + prefetch + ")";
    }

    /** One mini-batch: {@code x [b, ...]} and {@code y [b, ...]}. */
    public record Batch(Tensor x, Tensor y) {
        /** Number of samples {@code b}. */
        public int size() {
            return x.dim(0);
        }
    }

    /** Builds the batches of one epoch in order; confined to one thread at a time. */
    private static final class Producer {
        private final Dataset data;
        private final int[] order;
        private final int batchSize;
        private final int batches;
        private final Augmentation augmentation;
        private final RandomGenerator rng;
        private final int epoch;
        private int next;

        Producer(Dataset data, int[] order, int batchSize, int batches, Augmentation augmentation, RandomGenerator rng, int epoch) {
            this.data = data;
            this.order = order;
            this.batchSize = batchSize;
            this.batches = batches;
            this.augmentation = augmentation;
            this.rng = rng;
            this.epoch = epoch;
        }

        boolean hasNext() {
            return next < batches;
        }

        Batch next() {
            int b = next++;
            try {
                int from = b * batchSize;
                int to = Math.min(from + batchSize, order.length);
                int m = to - from;
                float[] bx = new float[m * data.xRowLength()];
                float[] by = new float[m * data.yRowLength()];
                Dataset.gatherRows(data.xData(), data.xRowLength(), order, from, to, bx);
                Dataset.gatherRows(data.yData(), data.yRowLength(), order, from, to, by);
                Tensor x = Tensor.of(bx, Dataset.withFirst(data.xShapeArray(), m));
                Tensor y = Tensor.of(by, Dataset.withFirst(data.yShapeArray(), m));
                if (augmentation != null) x = augmentation.apply(x, rng);
                return new Batch(x, y);
            } catch (RuntimeException ex) {
                throw new IllegalStateException("DataLoader: building batch " + b + " of epoch " + epoch + " failed: " + ex, ex);
            }
        }
    }

    /**
     * The batches of one epoch. Close it when stopping before the end (a for-each loop with
     * {@code break}, an exception in the training step) to stop the prefetch thread at once; closing
     * is harmless otherwise and idempotent.
     */
    public static final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final Producer direct;          // without prefetch
        private final Prefetcher prefetcher;    // with prefetch
        private final Cleaner.Cleanable cleanable;
        private Object pending;                 // a Batch, a Failure, or END; null when not fetched yet
        private boolean done;

        Epoch(Producer producer, boolean prefetch) {
            if (prefetch) {
                this.direct = null;
                this.prefetcher = new Prefetcher(producer);
                this.cleanable = CLEANER.register(this, prefetcher::stop); // the action must not reach this object
                prefetcher.start();
            } else {
                this.direct = producer;
                this.prefetcher = null;
                this.cleanable = null;
            }
        }

        @Override
        public boolean hasNext() {
            if (done) return false;
            if (direct != null) return direct.hasNext();
            if (pending == null) pending = prefetcher.take();
            if (pending == Prefetcher.END) {
                done = true;
                close();
                return false;
            }
            if (pending instanceof Failure f) {
                done = true;
                close();
                f.rethrow();
            }
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
            if (direct != null) {
                try {
                    return direct.next();
                } catch (RuntimeException | Error ex) {
                    done = true; // as with prefetch: a failed epoch is over
                    throw ex;
                }
            }
            Batch b = (Batch) pending;
            pending = null;
            return b;
        }

        /** Stops the prefetch thread, if any; later {@code hasNext()} calls return false. */
        @Override
        public void close() {
            done = true;
            pending = null;
            if (cleanable != null) cleanable.clean();
        }

        /** The prefetch thread, or null without prefetch (for tests). */
        Thread thread() {
            return prefetcher == null ? null : prefetcher.thread;
        }
    }

    /** A failure on the producer side, carried to the consumer. */
    private record Failure(Throwable cause) {
        void rethrow() {
            if (cause instanceof Error e) throw e;
            if (cause instanceof IllegalStateException ise) {
                // Already names the batch; a new wrapper adds the consumer's stack, keeping the producer's as cause.
                throw new IllegalStateException(ise.getMessage(), ise.getCause() != null ? ise.getCause() : ise);
            }
            throw new IllegalStateException("DataLoader: building a batch failed: " + cause, cause);
        }
    }

    /** The background side: a daemon thread that runs a {@link Producer} into a one-slot queue. */
    private static final class Prefetcher implements Runnable {
        static final Object END = new Object();
        private final Producer producer;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1);
        private final Thread thread;
        private volatile boolean stopped;

        Prefetcher(Producer producer) {
            this.producer = producer;
            this.thread = new Thread(this, "myelin-data-prefetch-" + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            try {
                while (!stopped && producer.hasNext()) {
                    Object item;
                    try {
                        item = producer.next();
                    } catch (Throwable t) {
                        item = new Failure(t);
                    }
                    queue.put(item);
                    if (item instanceof Failure) return;
                }
                if (!stopped) queue.put(END);
            } catch (InterruptedException stop) {
                // close(): the consumer is gone; just exit.
            }
        }

        Object take() {
            try {
                return queue.take();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("DataLoader: interrupted while waiting for the next batch", ex);
            }
        }

        void stop() {
            stopped = true;
            thread.interrupt();
            queue.clear();
        }
    }
}
