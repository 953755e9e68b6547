package dev.myelin.spark;

import dev.myelin.autograd.NoGrad;
import dev.myelin.distributed.RingCollective;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.zip.CRC32;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * One worker of {@link SparkTrainer}'s barrier stage: meets the others ({@link Rendezvous}), trains its copy of
 * the model on its partition with gradients summed over the ring, and (worker 0 only) returns the trained
 * model file, the epoch losses and its {@link TrainingMetrics}.
 *
 * <p>Each step: forward and backward on this worker's {@code localBatch} examples (the compiled loss is a
 * mean over them), the gradients of all trainable weights flattened into one array (with the loss as one more
 * value), all-reduced and divided by the number of workers (the mean over the global batch), written back,
 * and the optimizer applied, as {@code Model.trainStep} does on one machine.
 *
 * <p>Faults: with a checkpoint directory, worker 0 writes a {@link Checkpoint} every {@code checkpointEvery}
 * global steps; when Spark reruns the stage after a task died, every worker loads it and continues from its
 * step, with that step's shuffled order, so the run ends with the weights of a run that never failed.
 */
final class BarrierWorker implements Serializable {
    /** Record keys of worker 0's output. */
    static final int MODEL = 0, LOSSES = 1, METRICS = 2;

    private final Broadcast<byte[]> model;
    private final String modelName;
    private final RowInputs features;
    private final int localBatch, epochs;
    private final boolean shuffle;
    private final long seed, token;
    private final Duration timeout;
    private final CheckpointStore checkpoints;
    private final int checkpointEvery;
    private final long[] failOnce;

    /**
     * @param checkpoints where worker 0 writes checkpoints, or {@code null} for none
     * @param failOnce {@code {rank, step}}: that worker throws at the start of that global step in the stage's
     *     first attempt (a test hook for the fault path), or {@code null}
     */
    BarrierWorker(Broadcast<byte[]> model, String modelName, RowInputs features, int localBatch, int epochs, boolean shuffle, long seed, long token,
                  Duration timeout, CheckpointStore checkpoints, int checkpointEvery, long[] failOnce) {
        this.model = model;
        this.modelName = modelName;
        this.features = features;
        this.localBatch = localBatch;
        this.epochs = epochs;
        this.shuffle = shuffle;
        this.seed = seed;
        this.token = token;
        this.timeout = timeout;
        this.checkpoints = checkpoints;
        this.checkpointEvery = checkpointEvery;
        this.failOnce = failOnce;
    }

    /** What the stage trains: the worker's state between steps, saved in checkpoints. */
    private static final class Progress {
        long step;
        double lossSum;
        double[] losses;
    }

    Iterator<Tuple2<Integer, byte[]>> run(Iterator<Row> partition) throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId(), world = ctx.getTaskInfos().length;
        byte[] start = model.value();
        String config = ModelBytes.sha256(start);
        String run = config + "/" + world + "x" + localBatch + "/" + epochs + "/" + shuffle + "/" + seed;
        Checkpoint resumed = checkpoints == null ? null : Checkpoint.read(checkpoints, run).orElse(null);
        Progress progress = new Progress();
        progress.losses = resumed == null ? new double[epochs] : resumed.losses().clone();
        progress.step = resumed == null ? 0 : resumed.step();
        progress.lossSum = resumed == null ? 0 : resumed.lossSum();
        Model m = ModelBytes.load(resumed == null ? start : resumed.model(), modelName);
        List<Row> rows = new ArrayList<>();
        partition.forEachRemaining(rows::add);

        Rendezvous.Joined joined = Rendezvous.join(ctx, List.of(Integer.toString(rows.size()), config, Long.toString(progress.step)), token, timeout);
        try (RingCollective ring = joined.ring()) {
            try {
                int steps = stepsPerEpoch(joined.words(), rank, config, progress.step, localBatch, checkpoints == null ? null : checkpoints.location());
                if (resumed != null && resumed.stepsPerEpoch() != steps) {
                    throw new IllegalStateException("the checkpoint in " + checkpoints.location() + " was written with " + resumed.stepsPerEpoch() + " steps per epoch, this data gives " + steps);
                }
                long firstStep = progress.step;
                TrainingMetrics metrics = trainSteps(m, rows, steps, ring, ctx, run, progress);
                metrics = new TrainingMetrics(metrics.steps(), metrics.computeSeconds(), metrics.allReduceSeconds(), metrics.updateSeconds(),
                        metrics.gradientBytesSentPerStep(), metrics.parameters(), world, ctx.stageAttemptNumber(), firstStep);
                if (rank != 0) return java.util.Collections.emptyIterator();
                ByteBuffer logs = ByteBuffer.allocate(8 * epochs);
                for (double l : progress.losses) logs.putDouble(l);
                return List.of(new Tuple2<>(MODEL, ModelBytes.of(m)), new Tuple2<>(LOSSES, logs.array()), new Tuple2<>(METRICS, metrics.toBytes())).iterator();
            } catch (Throwable e) {
                ring.abort(e); // the peers fail with this cause, not with "worker R closed the connection"
                throw e;
            }
        }
    }

    /**
     * The steps every worker takes per epoch (the fewest its partition allows), after checking what the workers
     * told each other at the rendezvous ({@code words.get(r)}: row count, model hash, step it resumes from):
     * a worker with another model, another resume step or fewer rows than one local batch is an error naming it.
     */
    static int stepsPerEpoch(List<String[]> words, int rank, String config, long step, int localBatch, String checkpointLocation) {
        int steps = Integer.MAX_VALUE;
        for (int r = 0; r < words.size(); r++) {
            String[] w = words.get(r);
            if (!w[1].equals(config)) throw new IllegalStateException("worker " + r + " has a different model (hash " + w[1] + ") than worker " + rank + " (" + config + ")");
            if (Long.parseLong(w[2]) != step) {
                throw new IllegalStateException("worker " + r + " resumes from step " + w[2] + " but worker " + rank + " from step " + step
                        + ": the checkpoint directory " + checkpointLocation + " must be the same folder for every executor");
            }
            int n = Integer.parseInt(w[0]);
            if (n < localBatch) {
                throw new IllegalArgumentException("partition " + r + " has " + n + " rows, fewer than the " + localBatch + " each worker takes per step"
                        + " (globalBatchSize / workers): give more data or a smaller batch");
            }
            steps = Math.min(steps, n / localBatch);
        }
        return steps;
    }

    private int[] order(int n, int epoch, int rank) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed * 1_000_003L + epoch * 7919L + rank);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private TrainingMetrics trainSteps(Model m, List<Row> rows, int steps, RingCollective ring, BarrierTaskContext ctx, String run, Progress progress)
            throws IOException {
        int rank = ring.rank(), world = ring.worldSize();
        int[] shape = m.inputs().getFirst().shape().toArray();
        int values = 1;
        for (int d : shape) values *= d;
        List<Parameter> params = m.trainableWeights();
        int total = 0;
        for (Parameter p : params) total += p.value().size();
        float[] flat = new float[total + 1]; // the gradients, then this worker's loss
        int[] dims = new int[shape.length + 1];
        dims[0] = localBatch;
        System.arraycopy(shape, 0, dims, 1, shape.length);
        long computeNanos = 0, reduceNanos = 0, updateNanos = 0, gradientBytes = 0, firstStep = progress.step;
        int[] order = null;
        for (long g = progress.step; g < (long) epochs * steps; g++) {
            int epoch = (int) (g / steps), s = (int) (g % steps);
            if (failOnce != null && failOnce[0] == rank && failOnce[1] == g && ctx.stageAttemptNumber() == 0) {
                throw new IllegalStateException("test hook: worker " + rank + " fails at step " + g + " of the stage's first attempt");
            }
            if (order == null || s == 0) order = order(rows.size(), epoch, rank);
            long t0 = System.nanoTime();
            float[] x = new float[localBatch * values];
            List<Float> labels = new ArrayList<>();
            int labelWidth = -1;
            for (int i = 0; i < localBatch; i++) {
                Row row = rows.get(order[s * localBatch + i]);
                features.read(row, shape, values, x, i * values);
                labelWidth = label(row, labels, labelWidth);
            }
            float[] y = new float[labels.size()];
            for (int i = 0; i < y.length; i++) y[i] = labels.get(i);
            Tensor xb = Tensor.of(x, dims);
            Tensor yb = labelWidth == 0 ? Tensor.of(y, localBatch) : Tensor.of(y, localBatch, labelWidth);
            Tensor loss = m.loss().compute(yb, m.call(List.of(xb), true).getFirst());
            for (Parameter p : params) if (p.regularizer() != null) loss = loss.add(p.regularizer().penalty(p.value()));
            for (Parameter p : params) p.value().zeroGrad();
            loss.backward();
            int at = 0;
            for (Parameter p : params) {
                Tensor grad = p.grad();
                int n = p.value().size();
                if (grad == null) java.util.Arrays.fill(flat, at, at + n, 0f);
                else System.arraycopy(grad.toFloatArray(), 0, flat, at, n);
                at += n;
            }
            flat[total] = (float) loss.item();
            long t1 = System.nanoTime(), sent = ring.bytesSent();
            ring.allReduceSum(flat);
            long t2 = System.nanoTime();
            gradientBytes += ring.bytesSent() - sent;
            at = 0;
            try (var ng = NoGrad.scope()) {
                for (Parameter p : params) {
                    int n = p.value().size();
                    float[] mean = new float[n];
                    for (int i = 0; i < n; i++) mean[i] = flat[at + i] / world;
                    if (p.grad() != null) p.grad().assign(Tensor.of(mean, p.value().shape().toArray()));
                    at += n;
                }
            }
            m.optimizer().apply(params);
            long t3 = System.nanoTime();
            computeNanos += t1 - t0;
            reduceNanos += t2 - t1;
            updateNanos += t3 - t2;
            progress.lossSum += flat[total] / world;
            progress.step = g + 1;
            if (s == steps - 1) {
                progress.losses[epoch] = progress.lossSum / steps;
                progress.lossSum = 0;
                checkSameWeights(params, ring, world, rank, epoch);
            }
            if (rank == 0 && checkpoints != null && checkpointEvery > 0 && progress.step % checkpointEvery == 0) {
                new Checkpoint(run, progress.step, steps, progress.losses.clone(), progress.lossSum, ModelBytes.of(m)).write(checkpoints);
            }
        }
        long ran = progress.step - firstStep;
        return new TrainingMetrics(ran, computeNanos * 1e-9, reduceNanos * 1e-9, updateNanos * 1e-9,
                ran == 0 ? 0 : gradientBytes / ran, total, world, 0, firstStep);
    }

    /** Reads the label into {@code labels}: a number (width 0) or an array (its width, the same in every row). */
    private static int label(Row row, List<Float> labels, int width) {
        if (row.isNullAt(1)) throw new IllegalArgumentException("the label column is null in a row");
        Object v = row.get(1);
        if (v instanceof Number n) {
            labels.add(n.floatValue());
            return 0;
        }
        List<Object> list = row.getList(1);
        if (width > 0 && list.size() != width) throw new IllegalArgumentException("label arrays of different lengths: " + width + " and " + list.size());
        for (Object o : list) labels.add(((Number) o).floatValue());
        return list.size();
    }

    /**
     * Every worker must end each epoch with the same weights: a CRC of their bytes, sent around the ring as two
     * 16-bit halves (exact in float sums), must sum to the number of workers times this worker's.
     */
    private static void checkSameWeights(List<Parameter> params, RingCollective ring, int world, int rank, int epoch) throws IOException {
        CRC32 crc = new CRC32();
        for (Parameter p : params) {
            ByteBuffer b = ByteBuffer.allocate(4 * p.value().size());
            b.asFloatBuffer().put(p.value().toFloatArray());
            crc.update(b.array());
        }
        long c = crc.getValue();
        float[] halves = {c >>> 16, c & 0xFFFF};
        float[] mine = halves.clone();
        ring.allReduceSum(halves);
        if (halves[0] != mine[0] * world || halves[1] != mine[1] * world) {
            throw new IllegalStateException("after epoch " + (epoch + 1) + " worker " + rank + "'s weights differ from another worker's (checksum " + c + ")");
        }
    }
}
