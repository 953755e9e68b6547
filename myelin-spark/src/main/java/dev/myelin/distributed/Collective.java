package dev.myelin.distributed;

import java.io.IOException;

/**
 * The communication data-parallel training needs between {@link #worldSize()} workers, each holding a rank
 * {@code 0 .. worldSize − 1}: an all-reduce of the gradients every step and a barrier. Every worker gets
 * bit-identical results, so workers that apply the same optimizer update keep identical weights.
 *
 * <p>Two implementations: {@link InProcessCollective} (workers are threads of one JVM: tests and
 * single-machine runs) and {@link RingCollective} (a ring all-reduce over TCP between machines, as NCCL and
 * Horovod do). A peer that dies or stalls is an {@link IOException} within the collective's timeout, never a
 * hang.
 *
 * <p>Example:
 * <pre>{@code
 * float[] gradients = ...;            // this worker's gradients, flattened
 * collective.allReduceSum(gradients); // now the sum over all workers, the same on each
 * for (int i = 0; i < gradients.length; i++) gradients[i] /= collective.worldSize();
 * }</pre>
 */
public interface Collective extends AutoCloseable {
    /** This worker's rank, {@code 0 .. worldSize() − 1}. */
    int rank();

    /** The number of workers. */
    int worldSize();

    /**
     * Replaces {@code data} on every worker by the element-wise sum of all workers' {@code data} (same length
     * everywhere, or an error naming both lengths); the result is bit-identical on every worker.
     */
    void allReduceSum(float[] data) throws IOException;

    /** Returns when every worker has called it. */
    void barrier() throws IOException;

    @Override
    void close() throws IOException;
}
