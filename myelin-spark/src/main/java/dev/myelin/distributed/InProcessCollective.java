package dev.myelin.distributed;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Collective} between threads of one JVM: each worker publishes its array, and every worker sums all
 * of them in rank order, so the results are bit-identical and equal to a sum computed in one place. A worker
 * that does not arrive within the timeout breaks the group: every waiting worker gets an {@link IOException}.
 *
 * <p>Example: {@code List<Collective> workers = InProcessCollective.group(4, Duration.ofSeconds(30));}, one per
 * thread.
 */
public final class InProcessCollective implements Collective {
    private final Group group;
    private final int rank;

    private static final class Group {
        final int size;
        final long timeoutNanos;
        final CyclicBarrier barrier;
        final float[][] slots;

        Group(int size, Duration timeout) {
            this.size = size;
            this.timeoutNanos = timeout.toNanos();
            this.barrier = new CyclicBarrier(size);
            this.slots = new float[size][];
        }
    }

    private InProcessCollective(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    /** {@code size} collectives sharing one group, ranks 0 .. size − 1, each to be used by one thread. */
    public static List<Collective> group(int size, Duration timeout) {
        if (size < 1) throw new IllegalArgumentException("a collective needs at least 1 worker, got " + size);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("collective timeout must be positive, got " + timeout);
        Group g = new Group(size, timeout);
        List<Collective> out = new ArrayList<>();
        for (int r = 0; r < size; r++) out.add(new InProcessCollective(g, r));
        return List.copyOf(out);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return group.size;
    }

    @Override
    public void allReduceSum(float[] data) throws IOException {
        if (group.size == 1) return;
        group.slots[rank] = data.clone();
        await("all-reduce");
        int n = data.length;
        for (int r = 0; r < group.size; r++) {
            if (group.slots[r].length != n) {
                throw new IOException("all-reduce: worker " + rank + " has " + n + " values but worker " + r + " has " + group.slots[r].length);
            }
        }
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int r = 0; r < group.size; r++) s += group.slots[r][i];
            data[i] = s;
        }
        await("all-reduce"); // nobody overwrites a slot before every worker has read it
    }

    @Override
    public void barrier() throws IOException {
        await("barrier");
    }

    private void await(String what) throws IOException {
        try {
            group.barrier.await(group.timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | BrokenBarrierException e) {
            throw new IOException(what + ": worker " + rank + " of " + group.size + " waited " + Duration.ofNanos(group.timeoutNanos).toSeconds()
                    + " s for the others (a worker died, stalled or called something else)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": worker " + rank + " was interrupted", e);
        }
    }

    @Override
    public void close() {
        group.barrier.reset(); // wakes anyone still waiting with an error instead of leaving them hanging
    }
}
