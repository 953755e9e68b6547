package dev.myelin.spark;

import dev.myelin.autograd.NoGrad;
import dev.myelin.distributed.RingCollective;
import dev.myelin.models.Model;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

/**
 * One worker of {@link SparkTrainer}'s barrier stage: meets the others through {@code allGather}, joins the
 * ring, trains its copy of the model on its partition with gradients summed over the ring, and (worker 0 only)
 * returns the trained model file and the epoch losses.
 *
 * <p>Each step: forward and backward on this worker's {@code localBatch} examples (the compiled loss is a
 * mean over them), the gradients of all trainable weights flattened into one array, all-reduced and divided
 * by the number of workers (the mean over the global batch), written back, and the optimizer applied, as
 * {@code Model.trainStep} does on one machine.
 */
final class BarrierWorker implements Serializable {
    private final Broadcast<byte[]> model;
    private final String modelName;
    private final RowInputs features;
    private final int localBatch, epochs;
    private final boolean shuffle;
    private final long seed, token;
    private final Duration timeout;

    BarrierWorker(Broadcast<byte[]> model, String modelName, RowInputs features, int localBatch, int epochs, boolean shuffle, long seed, long token, Duration timeout) {
        this.model = model;
        this.modelName = modelName;
        this.features = features;
        this.localBatch = localBatch;
        this.epochs = epochs;
        this.shuffle = shuffle;
        this.seed = seed;
        this.token = token;
        this.timeout = timeout;
    }

    Iterator<byte[]> run(Iterator<Row> partition) {
        try {
            return train(partition);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Iterator<byte[]> train(Iterator<Row> partition) throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId(), world = ctx.getTaskInfos().length;
        byte[] bytes = model.value();
        Model m = ModelBytes.load(bytes, modelName);
        int[] shape = m.inputs().getFirst().shape().toArray();
        int values = 1;
        for (int d : shape) values *= d;
        List<Row> rows = new ArrayList<>();
        partition.forEachRemaining(rows::add);

        String host = ctx.getTaskInfos()[rank].address().split(":")[0];
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName(host))) {
            String config = ModelBytes.sha256(bytes);
            String[] all = ctx.allGather(host + " " + server.getLocalPort() + " " + rows.size() + " " + config);
            List<InetSocketAddress> peers = new ArrayList<>();
            int steps = Integer.MAX_VALUE;
            for (int r = 0; r < world; r++) {
                String[] p = all[r].split(" ");
                if (!p[3].equals(config)) throw new IllegalStateException("worker " + r + " has a different model (hash " + p[3] + ") than worker " + rank + " (" + config + ")");
                peers.add(new InetSocketAddress(p[0], Integer.parseInt(p[1])));
                int n = Integer.parseInt(p[2]);
                if (n < localBatch) {
                    throw new IllegalArgumentException("partition " + r + " has " + n + " rows, fewer than the " + localBatch + " each worker takes per step"
                            + " (globalBatchSize / workers): give more data or a smaller batch");
                }
                steps = Math.min(steps, n / localBatch);
            }
            try (RingCollective ring = RingCollective.join(rank, peers, server, token, timeout)) {
                double[] losses = trainSteps(m, rows, shape, values, steps, ring, world, rank);
                if (rank != 0) return java.util.Collections.emptyIterator();
                ByteBuffer logs = ByteBuffer.allocate(8 * losses.length);
                for (double l : losses) logs.putDouble(l);
                return List.of(ModelBytes.of(m), logs.array()).iterator();
            }
        }
    }

    private double[] trainSteps(Model m, List<Row> rows, int[] shape, int values, int steps, RingCollective ring, int world, int rank) throws IOException {
        List<Parameter> params = m.trainableWeights();
        int total = 0;
        for (Parameter p : params) total += p.value().size();
        float[] flat = new float[total];
        double[] losses = new double[epochs];
        int[] dims = new int[shape.length + 1];
        dims[0] = localBatch;
        System.arraycopy(shape, 0, dims, 1, shape.length);
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = new int[rows.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            if (shuffle) {
                RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed * 1_000_003L + epoch * 7919L + rank);
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            double lossSum = 0;
            for (int s = 0; s < steps; s++) {
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
                    Tensor g = p.grad();
                    int n = p.value().size();
                    if (g == null) java.util.Arrays.fill(flat, at, at + n, 0f);
                    else System.arraycopy(g.toFloatArray(), 0, flat, at, n);
                    at += n;
                }
                ring.allReduceSum(flat);
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
                float[] l = {(float) loss.item()};
                ring.allReduceSum(l);
                lossSum += l[0] / world;
            }
            losses[epoch] = lossSum / Math.max(1, steps);
            checkSameWeights(params, ring, world, rank, epoch);
        }
        return losses;
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
