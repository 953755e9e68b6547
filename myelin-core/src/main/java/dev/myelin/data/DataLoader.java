package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Cuts samples into mini-batches, one epoch per {@link #iterator()} call: optionally shuffled, optionally
 * augmented, optionally built one batch ahead on a background thread. This is the one epoch iterator of
 * {@code fit}: in-memory tensors ({@link #of(List, List)}), a {@link Dataset}, validation and evaluation
 * batches all go through it.
 *
 * <p>Settings are immutable: each setter returns a new loader. Defaults, as Keras's {@code fit}: batch
 * size 32, keep the last smaller batch; unlike {@code fit}, no shuffling unless asked for, and seed 0.
 *
 * <p>Randomness. Epoch {@code e} (counting from 0) takes the samples in the order of the {@code e}-th
 * Fisher–Yates permutation drawn from ONE {@code L64X128MixRandom} seeded with {@code seed} (the first is
 * {@link Dataset#shuffled(long) dataset.shuffled(seed)}'s; {@code fit} on in-memory data has always drawn
 * its orders this way). The augmentation of epoch {@code e} draws from its own generator, seeded with
 * {@code seed + (e + 1) · 0x9E3779B97F4A7C15} (the golden-ratio increment), passed to every batch of the
 * epoch in order. So a run is repeatable from the seed, each epoch sees a new order, and the order does
 * not depend on the augmentation or on prefetching. Starting an epoch out of order replays the
 * permutations before it ({@code n} draws each).
 *
 * <p>Epochs. Each {@link #iterator()} call starts the next epoch: 0, 1, 2, ... counted by this loader
 * object (a loader returned by a setter counts from 0 again). {@link #epoch(int)} starts a given epoch
 * and leaves the count alone; a training loop that knows its epoch number should use it.
 *
 * <p>Prefetch (datasets only). With {@code prefetch(true)} a daemon thread builds batches ahead of the
 * consumer (at most one finished batch waits in a queue, plus the one being built). Batches are the same,
 * in the same order, as without prefetch. An exception while building a batch (a failing augmentation,
 * say) reaches the consumer from {@code hasNext()}/{@code next()}, wrapped in an
 * {@link IllegalStateException} naming the batch and epoch, with the original as its cause — the same
 * with and without prefetch; errors ({@link Error}) are rethrown as they are. If iteration stops early,
 * {@link Epoch#close()} (or try-with-resources) stops the thread at once; an abandoned iterator stops its
 * thread when it is garbage-collected.
 *
 * <p>Batch building. From a dataset: rows are copied straight from its float arrays
 * ({@code System.arraycopy} per row). From tensors: in order, a batch is a slice of each tensor (a view,
 * no copy); shuffled, the rows are gathered with {@link Tensor#indexSelect}.
 *
 * <p>Shapes: batch {@code x [b, ...]}, {@code y [b, ...]} (each input and target, for tensors) with
 * {@code b = batchSize} except a last, smaller batch of {@code size % batchSize} samples when
 * {@code dropRemainder} is false.
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
    /** Golden-ratio increment between the augmentation seeds of successive epochs (as {@link java.util.SplittableRandom}'s gamma). */
    static final long EPOCH_SEED_STEP = 0x9E3779B97F4A7C15L;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Rows rows;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropRemainder;
    private final Augmentation augmentation;
    private final boolean prefetch;
    private final boolean poisson;
    private final AtomicInteger nextEpoch = new AtomicInteger();
    private final Orders orders = new Orders();

    private DataLoader(Rows rows, int batchSize, boolean shuffle, long seed, boolean dropRemainder,
                       Augmentation augmentation, boolean prefetch) {
        this(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, false);
    }

    private DataLoader(Rows rows, int batchSize, boolean shuffle, long seed, boolean dropRemainder,
                       Augmentation augmentation, boolean prefetch, boolean poisson) {
        this.poisson = poisson;
        this.rows = rows;
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
        return new DataLoader(new DatasetRows(dataset), 32, false, 0L, false, null, false);
    }

    /**
     * A loader over in-memory tensors of any dtype: the inputs {@code xs} and the targets {@code ys} (which
     * may be empty, for training without targets), samples along axis 0 of each; nothing is copied up front.
     * Defaults as {@link #of(Dataset)}.
     *
     * @throws IllegalArgumentException when {@code xs} is empty, a tensor has no sample axis, or the sample counts differ
     */
    public static DataLoader of(List<Tensor> xs, List<Tensor> ys) {
        return new DataLoader(new TensorRows(xs, ys), 32, false, 0L, false, null, false);
    }

    /** Samples per batch (at least 1). */
    public DataLoader batchSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize must be at least 1, got " + batchSize);
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /** Shuffles with {@code seed}: a new, repeatable permutation each epoch (see the class comment). */
    public DataLoader shuffle(long seed) {
        return new DataLoader(rows, batchSize, true, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /** Turns shuffling on (with the current seed) or off. */
    public DataLoader shuffle(boolean shuffle) {
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /** The seed for shuffling and augmentation, without changing whether to shuffle. */
    public DataLoader seed(long seed) {
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /** When true, a last batch smaller than {@code batchSize} is left out. */
    public DataLoader dropRemainder(boolean dropRemainder) {
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /**
     * Applies {@code augmentation} to {@code x} of every batch ({@code null}: none), through
     * {@link Augmentation#apply(Batch, java.util.random.RandomGenerator)}: targets are unchanged except by
     * label-mixing stages ({@link MixUp}, {@link CutMix}).
     *
     * @throws IllegalStateException for a loader over several input tensors
     */
    public DataLoader augment(Augmentation augmentation) {
        if (augmentation != null && rows.inputs() != 1) {
            throw new IllegalStateException("DataLoader: augmentation applies to one input, but this loader has " + rows.inputs());
        }
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /**
     * Poisson sampling, as DP-SGD's privacy analysis assumes (Abadi et al. 2016; Opacus's
     * {@code UniformWithReplacementSampler}): each step every sample joins the batch independently with
     * probability {@code q = batchSize / size()}, so {@code batchSize} becomes the EXPECTED batch size and
     * batches vary in size (possibly empty); an epoch is {@code round(1 / q)} steps. Shuffling, the order
     * and {@code dropRemainder} no longer apply. Step {@code s} of epoch {@code e} draws from one
     * generator seeded with {@code seed} and {@code e} (skipping ahead by geometric gaps, so a step costs
     * the size of its batch, not {@code size()} draws): repeatable from the seed, as the shuffled orders.
     */
    public DataLoader poissonSampling(boolean value) {
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, value);
    }

    /** Whether batches are Poisson-sampled ({@link #poissonSampling}). */
    public boolean poissonSampling() {
        return poisson;
    }

    /**
     * When true, batches are built one ahead on a background daemon thread.
     *
     * @throws IllegalStateException for a loader over tensors (their gathers run tensor operations, which
     *                               stay on the training thread)
     */
    public DataLoader prefetch(boolean prefetch) {
        if (prefetch && !(rows instanceof DatasetRows)) throw new IllegalStateException("DataLoader: prefetch needs a Dataset; this loader batches tensors");
        return new DataLoader(rows, batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson);
    }

    /**
     * The first {@code count} samples, with these settings, and the rest in order, without shuffling or
     * augmentation (validation data): Keras's {@code validation_split} takes the END of the data this way.
     *
     * @throws IllegalArgumentException unless {@code 0 < count < size()}
     */
    public Split splitAt(int count) {
        if (count <= 0 || count >= size()) {
            throw new IllegalArgumentException("DataLoader.splitAt: count " + count + " must be in [1, " + (size() - 1)
                    + "] so that both parts of the " + size() + " samples are non-empty");
        }
        Rows[] parts = rows.splitAt(count);
        return new Split(new DataLoader(parts[0], batchSize, shuffle, seed, dropRemainder, augmentation, prefetch, poisson),
                new DataLoader(parts[1], batchSize, false, seed, false, null, false));
    }

    /** Two parts of a loader's samples: training and validation. */
    public record Split(DataLoader train, DataLoader validation) {}

    /**
     * The dataset this loader batches.
     *
     * @throws IllegalStateException for a loader over tensors
     */
    public Dataset dataset() {
        if (rows instanceof DatasetRows d) return d.data();
        throw new IllegalStateException("DataLoader: this loader batches tensors, not a Dataset");
    }

    /**
     * Throws when the data hold NaN or ±∞, naming {@code what} (the call), x or y, the sample and the index:
     * one pass over the data, done by {@code fit} once before training, never per batch.
     *
     * @throws IllegalArgumentException at the first non-finite value
     */
    public void requireFinite(String what) {
        if (rows instanceof TensorRows t) {
            FiniteValues.requireFinite(what, "x", t.xs());
            FiniteValues.requireFinite(what, "y", t.ys());
        } else if (rows instanceof DatasetRows d) {
            Dataset data = d.data();
            String x = data.firstNonFiniteX(), y = x == null ? data.firstNonFiniteY() : null;
            if (x != null || y != null) {
                throw new IllegalArgumentException(what + ": " + (x != null ? "x has " + x : "y has " + y)
                        + "; remove or replace non-finite values before training");
            }
        }
    }

    /** Number of samples in one epoch (before dropping a remainder). */
    public int size() {
        return rows.size();
    }

    public int batchSize() {
        return batchSize;
    }

    /** Number of batches in one epoch: {@code ceil(n / batchSize)}, or {@code floor} when dropping the remainder. */
    public int batchesPerEpoch() {
        int n = rows.size();
        if (poisson) return n == 0 ? 0 : Math.max(1, (int) Math.round((double) n / batchSize));
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
            throw new IllegalStateException("DataLoader: an epoch would have no batch: " + rows.size() + " samples, batch size "
                    + batchSize + (dropRemainder ? " with dropRemainder" : ""));
        }
        int[] order = shuffle && !poisson ? orders.permutation(e) : null;
        RandomGenerator augRng = augmentation == null ? null : Permutations.generator(seed + (e + 1) * EPOCH_SEED_STEP);
        // its own stream, apart from the orders' and the augmentation's: seed and epoch mixed by another odd constant
        RandomGenerator sampling = poisson ? Permutations.generator(seed ^ ((e + 1) * 0xD1B54A32D192ED03L)) : null;
        Producer producer = new Producer(rows, order, batchSize, batchesPerEpoch(), augmentation, augRng, e, sampling);
        return new Epoch(producer, prefetch);
    }

    @Override
    public String toString() {
        return "DataLoader(" + rows + ", batchSize=" + batchSize + ", shuffle=" + shuffle + ", seed=" + seed
                + ", dropRemainder=" + dropRemainder + ", augmentation=" + augmentation + ", prefetch=" + prefetch + ")";
    }

    /**
     * One mini-batch: the inputs {@code xs} and targets {@code ys}, {@code [b, ...]} each (one of each for a
     * {@link Dataset}).
     */
    public record Batch(List<Tensor> xs, List<Tensor> ys) {
        public Batch {
            xs = List.copyOf(xs);
            ys = List.copyOf(ys);
        }

        /** The (first) input {@code [b, ...]}. */
        public Tensor x() {
            return xs.get(0);
        }

        /** The (first) target {@code [b, ...]}; fails for a batch without targets. */
        public Tensor y() {
            if (ys.isEmpty()) throw new IllegalStateException("DataLoader.Batch: this batch has no targets");
            return ys.get(0);
        }

        /** Number of samples {@code b}. */
        public int size() {
            return xs.get(0).dim(0);
        }
    }

    /** The e-th permutation of one seeded stream, for epochs started in any order; cached for the last one. */
    private final class Orders {
        private RandomGenerator stream;
        private int drawn;
        private int[] last;

        synchronized int[] permutation(int e) {
            if (stream == null || e < drawn - 1) {
                stream = Permutations.generator(seed);
                drawn = 0;
            }
            while (drawn <= e) {
                last = Permutations.shuffled(rows.size(), stream);
                drawn++;
            }
            return last;
        }
    }

    /** Builds the batches of one epoch in order; confined to one thread at a time. */
    private static final class Producer {
        private final Rows rows;
        private final int[] order;
        private final int batchSize;
        private final int batches;
        private final Augmentation augmentation;
        private final RandomGenerator rng;
        private final int epoch;
        private final RandomGenerator sampling; // Poisson sampling's generator, null for fixed batches
        private int next;

        Producer(Rows rows, int[] order, int batchSize, int batches, Augmentation augmentation, RandomGenerator rng, int epoch,
                 RandomGenerator sampling) {
            this.sampling = sampling;
            this.rows = rows;
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
                Batch batch;
                if (sampling != null) {
                    int[] picked = poissonSample(rows.size(), (double) batchSize / rows.size(), sampling);
                    batch = rows.batch(picked, 0, picked.length);
                } else {
                    int from = b * batchSize;
                    int to = Math.min(from + batchSize, rows.size());
                    batch = rows.batch(order, from, to);
                }
                if (augmentation != null) batch = augmentation.apply(batch, rng);
                return batch;
            } catch (RuntimeException ex) {
                throw new IllegalStateException("DataLoader: building batch " + b + " of epoch " + epoch + " failed: " + ex, ex);
            }
        }
    }

    /**
     * The samples of {@code 0..n-1} that each pass an independent coin of probability {@code q}, in
     * increasing order: the gaps between them are geometric, {@code floor(log(U) / log(1 − q))} for a
     * uniform {@code U} in (0, 1], the same distribution as {@code n} coin flips at the cost of one draw per
     * sample taken.
     */
    static int[] poissonSample(int n, double q, RandomGenerator rng) {
        if (q >= 1) return Permutations.identity(n);
        double logMiss = Math.log1p(-q);
        int[] picked = new int[Math.max(16, (int) Math.min(n, 2 * q * n + 16))];
        int count = 0;
        long i = -1;
        while (true) {
            double u = 1.0 - rng.nextDouble(); // in (0, 1]
            i += 1 + (long) Math.floor(Math.log(u) / logMiss);
            if (i >= n) break;
            if (count == picked.length) picked = java.util.Arrays.copyOf(picked, Math.min(n, 2 * picked.length));
            picked[count++] = (int) i;
        }
        return java.util.Arrays.copyOf(picked, count);
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
