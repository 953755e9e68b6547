package dev.myelin.spark;

import dev.myelin.distributed.Collective;
import dev.myelin.distributed.RingCollective;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Runs any data-parallel loop on Spark, as PyTorch's {@code TorchDistributor} does: {@code workers} tasks of one
 * barrier stage each call the function with a {@link Collective} (its rank, the world size and a ring all-reduce
 * over TCP between the tasks), and {@link #run} returns what worker 0's call returned. A GAN, a custom loss or
 * a manual update: anything {@link SparkTrainer}'s compiled-model loop does not cover.
 *
 * <p>Example: data-parallel SGD by hand.
 * <pre>{@code
 * float[] w = SparkDistributor.run(2, c -> {        // or SparkDistributor.on(spark).workers(2).timeout(..).run(..)
 *     float[] weights = new float[3];
 *     for (int step = 0; step < 100; step++) {
 *         float[] g = gradientOfMyShard(weights, c.rank(), c.worldSize());
 *         c.allReduceSum(g);                           // the sum over all workers, identical on each
 *         for (int i = 0; i < 3; i++) weights[i] -= 0.1f * g[i] / c.worldSize();
 *     }
 *     return weights;                                  // worker 0's comes back to the driver
 * });
 * }</pre>
 *
 * <p>The function travels to the executors serialized: it may capture only serializable values (broadcast
 * large ones). It runs once per worker per stage attempt: when a task dies Spark reruns the whole stage, so a
 * long loop should checkpoint and resume by itself ({@code BarrierTaskContext.get().stageAttemptNumber()} says
 * which attempt it is).
 */
public final class SparkDistributor {
    /** What every worker runs. */
    @FunctionalInterface
    public interface Job<R extends Serializable> extends Serializable {
        R run(Collective collective) throws Exception;
    }

    private final JavaSparkContext sc;
    private Duration timeout = Duration.ofMinutes(2);
    private int workers = 2;

    private SparkDistributor(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** A distributor on {@code spark}'s cluster. */
    public static SparkDistributor on(SparkSession spark) {
        return new SparkDistributor(JavaSparkContext.fromSparkContext(spark.sparkContext()));
    }

    /** The number of workers (default 2): tasks that run at once, so at most the cluster's task slots. */
    public SparkDistributor workers(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1, got " + n);
        this.workers = n;
        return this;
    }

    /** How long a worker waits for a peer before the stage fails (default 2 minutes). */
    public SparkDistributor timeout(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + value);
        this.timeout = value;
        return this;
    }

    /** Runs {@code job} on the active Spark session ({@code SparkSession.active()}) with {@code workers} workers. */
    public static <R extends Serializable> R run(int workers, Job<R> job) throws IOException {
        return on(SparkSession.active()).workers(workers).run(job);
    }

    /**
     * Runs {@code job} on {@link #workers} tasks at once and returns worker 0's result; a worker that throws
     * fails the stage (Spark reruns it, then the error reaches the caller).
     */
    public <R extends Serializable> R run(Job<R> job) throws IOException {
        BarrierStage.requireSlots(sc, workers);
        long token = new SecureRandom().nextLong();
        Duration t = timeout;
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        Map<Integer, byte[]> out = BarrierStage.run(sc.parallelize(ranks, workers).rdd(), it -> {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            try (RingCollective ring = Rendezvous.join(ctx, List.of(), token, t).ring()) {
                R result;
                try {
                    result = job.run(ring);
                } catch (Throwable e) {
                    ring.abort(e); // the peers fail with this cause, not with "worker R closed the connection"
                    throw e;
                }
                if (ring.rank() != 0) return Collections.emptyIterator();
                return List.of(new Tuple2<>(0, serialize(result))).iterator();
            }
        });
        return deserialize(out.get(0));
    }

    private static byte[] serialize(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <R> R deserialize(byte[] bytes) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (R) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("worker 0's result is of a class the driver does not have: " + e.getMessage(), e);
        }
    }
}
