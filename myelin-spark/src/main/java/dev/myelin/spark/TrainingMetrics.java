package dev.myelin.spark;

import java.nio.ByteBuffer;

/**
 * Where worker 0's time went in the last attempt of a {@link SparkTrainer} run, and what it sent.
 *
 * <p>Each step splits into {@code compute} (assembling the batch, forward, backward, flattening the
 * gradients), {@code allReduce} (the ring all-reduce of the gradients: sending, receiving and summing, and the
 * wait for the slowest peer) and {@code update} (the mean of the gradients written back and the optimizer
 * step). The projected scaling to other links divides the gradient bytes per step by the link speed:
 * {@link #projectedStepSeconds(double)}.
 *
 * @param steps the steps this attempt ran (fewer than the run's when it resumed from a checkpoint)
 * @param gradientBytesSentPerStep the bytes worker 0 sent per step: {@code 2 (N − 1) / N × 4 × (parameters + 1)}
 *     (the mean loss travels with the gradients as one more value)
 * @param parameters the number of trainable values
 * @param workers the number of workers
 * @param stageAttempt Spark's attempt number of the barrier stage that finished ({@code 0} when none failed)
 * @param resumedFromStep the global step of the checkpoint that attempt resumed from ({@code 0}: the start)
 */
public record TrainingMetrics(long steps, double computeSeconds, double allReduceSeconds, double updateSeconds, long gradientBytesSentPerStep,
                              long parameters, int workers, int stageAttempt, long resumedFromStep) {
    /** Mean seconds per step of each part. */
    public double computePerStep() {
        return computeSeconds / Math.max(1, steps);
    }

    public double allReducePerStep() {
        return allReduceSeconds / Math.max(1, steps);
    }

    public double updatePerStep() {
        return updateSeconds / Math.max(1, steps);
    }

    /**
     * A step's time if the all-reduce were bound by a link of {@code gigabitsPerSecond} (the bytes per step
     * at that speed, latency not counted) and compute and update took what they took here.
     */
    public double projectedStepSeconds(double gigabitsPerSecond) {
        return computePerStep() + updatePerStep() + gradientBytesSentPerStep * 8 / (gigabitsPerSecond * 1e9);
    }

    byte[] toBytes() {
        return ByteBuffer.allocate(8 * 9).putLong(steps).putDouble(computeSeconds).putDouble(allReduceSeconds).putDouble(updateSeconds)
                .putLong(gradientBytesSentPerStep).putLong(parameters).putLong(workers).putLong(stageAttempt).putLong(resumedFromStep).array();
    }

    static TrainingMetrics fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new TrainingMetrics(b.getLong(), b.getDouble(), b.getDouble(), b.getDouble(), b.getLong(), b.getLong(), (int) b.getLong(), (int) b.getLong(), b.getLong());
    }
}
