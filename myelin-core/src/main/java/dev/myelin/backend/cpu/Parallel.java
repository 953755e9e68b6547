package dev.myelin.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The one thread pool of the CPU backend. Every multithreaded kernel splits its work into a number of
 * tasks that does not depend on the thread count, so results are the same with 1 or N threads.
 *
 * <p>The size comes from the environment variable {@code MYELIN_NUM_THREADS} (default: all cores) and
 * can be changed at run time with {@link #setThreads(int)}.
 *
 * <p>Calls from inside a task, and calls made while another thread is using the pool, run their tasks
 * inline on the calling thread, one after the other: they never wait for the pool, so they cannot
 * deadlock. An exception thrown by a task is rethrown to the caller of {@link #forRange} once every task
 * that had started has finished; tasks not yet started when it was thrown are skipped.
 */
public final class Parallel {
    /*
     * Implementation overview.
     *
     * One Pool holds threads()-1 daemon workers; the thread calling forRange is the last participant.
     * A call publishes a Job (body, task count, an atomic "next task" counter and a "finished" counter)
     * in a volatile field, wakes parked workers, then claims tasks itself. Every participant loops on
     * next.getAndIncrement() until the counter passes the task count, so a call with few tasks costs a
     * handful of atomic operations and a missed wake-up costs nothing: whoever arrives takes what is left.
     * The caller returns once "finished" reaches the task count, so no worker still touches the job's
     * data afterwards; it spins briefly, then parks and is unparked by the worker that finishes last.
     *
     * Idle workers spin for SPIN_NANOS (kernels often come in quick succession), then park. A worker sets
     * its volatile `parked` flag before re-reading the job field and parking; the caller writes the job
     * field before reading `parked`. Both are volatile, so either the worker sees the new job or the
     * caller sees the flag and unparks it (an unpark before park is remembered by LockSupport).
     *
     * Only one forRange at a time uses the pool, guarded by the `busy` flag (compare-and-set, never
     * waited on): a nested call (from a task) or a concurrent call from another thread finds it taken and
     * runs inline. setThreads only records the new size; the next call that takes the pool replaces the
     * workers (the old ones see their pool shut down and exit), so resizing is safe even from a task.
     */

    private static final long SPIN_NANOS = 50_000;

    /**
     * 0 until first read: MYELIN_NUM_THREADS is parsed on first use, not in a static initializer, so that a
     * bad value is an IllegalArgumentException naming the variable (every time it is read), never an
     * ExceptionInInitializerError that leaves this class unusable.
     */
    private static volatile int threads;
    /** Bound on a thread inside {@link #onCallerThread}: its forRange calls run their tasks inline. */
    private static final ScopedValue<Boolean> CALLER_ONLY = ScopedValue.newInstance();
    private static final AtomicBoolean busy = new AtomicBoolean();
    /** Read and replaced only by the thread holding {@code busy}. */
    private static Pool pool;

    private Parallel() {}

    static int defaultThreads() {
        return threadsFrom(System.getenv("MYELIN_NUM_THREADS"));
    }

    /** Most threads MYELIN_NUM_THREADS may ask for: far beyond any machine, short of exhausting the OS. */
    static final int MAX_THREADS = 4096;

    /**
     * The thread count a MYELIN_NUM_THREADS value asks for: all cores when unset or blank.
     *
     * @throws IllegalArgumentException naming the variable and the value when it is not a whole number in [1, 4096]
     */
    static int threadsFrom(String env) {
        if (env == null || env.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(env.trim());
            if (n >= 1 && n <= MAX_THREADS) return n;
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("MYELIN_NUM_THREADS must be a whole number from 1 to " + MAX_THREADS + ", got '" + env + "'");
    }

    /** The number of threads kernels may use. */
    public static int threads() {
        int n = threads;
        if (n == 0) threads = n = defaultThreads(); // racing first reads compute the same value
        return n;
    }

    /**
     * Sets the number of threads kernels may use (at least 1). Workers are replaced at the next
     * {@link #forRange} call; calls in progress finish with the threads they started with.
     */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        threads = n;
    }

    /**
     * Runs {@code work} with every {@link #forRange} it makes, on this thread, running its tasks on this thread
     * one after the other; other threads keep the pool. The tasks are the same as with the pool (their number never
     * depends on the thread count), so the results are too, bit for bit. For a JVM's first training step, whose
     * kernels run before the JIT has compiled them: see {@code Backend.onCallerThread}.
     */
    public static <T> T onCallerThread(Supplier<T> work) {
        return ScopedValue.where(CALLER_ONLY, Boolean.TRUE).call(work::get);
    }

    /**
     * Runs {@code body.accept(t)} for every t in [0, tasks), possibly in parallel, and waits for all.
     * Tasks must be independent of one another; which thread runs which task is unspecified.
     *
     * @throws RuntimeException or Error: the first one thrown by a task
     */
    public static void forRange(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        int n = threads();
        if (n == 1 || tasks == 1 || Thread.currentThread() instanceof Worker || CALLER_ONLY.isBound()
                || !busy.compareAndSet(false, true)) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        try {
            Pool p = pool;
            if (p == null || p.workers.length != n - 1) {
                if (p != null) p.shutdown();
                pool = p = new Pool(n - 1);
            }
            p.run(new Job(++p.jobs, tasks, body));
        } finally {
            busy.set(false);
        }
    }

    /** One forRange call: its tasks, the next one to claim, and how many have finished. */
    private static final class Job {
        final long seq;
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile Thread waiter;

        Job(long seq, int tasks, IntConsumer body) {
            this.seq = seq;
            this.tasks = tasks;
            this.body = body;
        }

        /** Claims and runs tasks until none is left. */
        void work() {
            int done = 0;
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                if (error.get() == null) {
                    try {
                        body.accept(t);
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                }
                done++;
            }
            if (done > 0 && finished.addAndGet(done) == tasks) {
                Thread w = waiter;
                if (w != null) LockSupport.unpark(w);
            }
        }

        void awaitAll() {
            long start = System.nanoTime();
            while (finished.get() < tasks) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    waiter = Thread.currentThread();
                    while (finished.get() < tasks) LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            Throwable e = error.get();
            if (e == null) return;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
            throw new RuntimeException("task failed", e); // a checked exception thrown sneakily
        }
    }

    private static final class Pool {
        final Worker[] workers;
        /** The job in progress, or null (cleared after each so that no task's data stays reachable). */
        volatile Job job;
        long jobs;
        volatile boolean shutdown;

        Pool(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(Job j) {
            job = j;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            try {
                j.work();
                j.awaitAll();
            } finally {
                job = null;
            }
            j.rethrow();
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("myelin-worker-" + (index + 1));
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (!pool.shutdown) {
                Job j = pool.job;
                if (j != null && j.seq != seen) {
                    seen = j.seq;
                    j.work();
                    continue;
                }
                long start = System.nanoTime();
                while (idle(seen) && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                if (idle(seen)) {
                    parked = true;
                    if (idle(seen)) LockSupport.park(this);
                    parked = false;
                }
            }
        }

        private boolean idle(long seen) {
            Job j = pool.job;
            return (j == null || j.seq == seen) && !pool.shutdown;
        }
    }
}
