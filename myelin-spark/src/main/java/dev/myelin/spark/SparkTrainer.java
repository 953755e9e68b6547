package dev.myelin.spark;

import dev.myelin.models.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Synchronous data-parallel training of a compiled model on Spark: {@code workers} tasks of one barrier stage
 * each hold a copy of the model and a partition of the data, compute the gradients of their share of every
 * global batch, sum them with a ring all-reduce over TCP ({@link dev.myelin.distributed.RingCollective}) and
 * apply the same optimizer update, so their weights stay identical (checked by a checksum each epoch). The
 * workers meet once through Spark's {@code BarrierTaskContext.allGather} (address, row count and a hash of the
 * model, refused when they differ); every step after that goes over the ring. Each worker takes the same
 * number of steps (the fewest its partition allows), so uneven partitions never leave a peer waiting.
 *
 * <p>Example:
 * <pre>{@code
 * model.compile(new Adam(1e-3), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
 * SparkTrainer.Result r = SparkTrainer.of(model).workers(2).globalBatchSize(64).epochs(3)
 *         .featuresCol("pixels").labelCol("label").fit(spark.read().parquet("train.parquet"));
 * Model trained = r.model();
 * }</pre>
 *
 * <p>With one worker per task slot: asking for more workers than the cluster has slots is refused at once.
 */
public final class SparkTrainer {
    /**
     * The trained model (the weights every worker ended with), the mean training loss of each epoch, and where
     * worker 0's time went ({@link TrainingMetrics}: compute, all-reduce, update, bytes sent, stage attempts).
     */
    public record Result(Model model, List<Double> losses, TrainingMetrics metrics) {
        public Result {
            losses = List.copyOf(losses);
        }
    }

    private final byte[] modelBytes;
    private final String modelName;
    private int workers = 2, globalBatchSize = 32, epochs = 1;
    private String featuresCol = "features", labelCol = "label";
    private boolean shuffle = true;
    private long seed = 1;
    private Duration timeout = Duration.ofMinutes(2);
    private String checkpointDir;
    private int checkpointEvery;
    private long[] failOnce;

    private SparkTrainer(byte[] modelBytes, String modelName) {
        this.modelBytes = modelBytes;
        this.modelName = modelName;
    }

    /** A trainer for a compiled model (its weights, optimizer and state travel as a model file). */
    public static SparkTrainer of(Model model) throws IOException {
        if (model.optimizer() == null) throw new IllegalStateException("model '" + model.name() + "' is not compiled; compile it before SparkTrainer.of");
        return new SparkTrainer(ModelBytes.of(model), model.name());
    }

    public SparkTrainer workers(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1, got " + n);
        this.workers = n;
        return this;
    }

    /** Examples per step over all workers; each worker takes {@code globalBatchSize / workers} (it must divide). */
    public SparkTrainer globalBatchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("globalBatchSize must be at least 1, got " + n);
        this.globalBatchSize = n;
        return this;
    }

    public SparkTrainer epochs(int n) {
        if (n < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + n);
        this.epochs = n;
        return this;
    }

    public SparkTrainer featuresCol(String name) {
        this.featuresCol = name;
        return this;
    }

    /** A numeric column (class ids for sparse cross-entropy, or a regression target) or an array column. */
    public SparkTrainer labelCol(String name) {
        this.labelCol = name;
        return this;
    }

    /** Whether each worker shuffles its partition every epoch (seeded by {@link #seed}, the epoch and its rank). */
    public SparkTrainer shuffle(boolean value) {
        this.shuffle = value;
        return this;
    }

    public SparkTrainer seed(long value) {
        this.seed = value;
        return this;
    }

    /** How long a worker waits for a peer before the stage fails (default 2 minutes). */
    public SparkTrainer timeout(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + value);
        this.timeout = value;
        return this;
    }

    /**
     * Where worker 0 writes its checkpoints: a local directory every executor can read (a local folder in local
     * mode, a shared mount on a cluster); {@link #checkpointDir(String)} takes HDFS, S3A and other Hadoop URIs. When a task dies, Spark reruns the whole stage and every worker
     * resumes from the last checkpoint, so at most the steps since it are computed again; the result equals a
     * run that never failed (when each partition's rows arrive in the same order on the rerun, as they do from
     * files or a cached frame). The checkpoint is deleted when the run ends; one left by a run that did not end
     * (a driver that died) is resumed by the same run started again, and one of another run is an error.
     */
    public SparkTrainer checkpointDir(Path dir) {
        this.checkpointDir = dir == null ? null : dir.toAbsolutePath().toString();
        return this;
    }

    /**
     * Where worker 0 writes its checkpoints: a URI with a scheme ({@code hdfs://nn/ckpt}, {@code s3a://bucket/ckpt},
     * {@code file:///shared/ckpt}) goes through Hadoop's {@code FileSystem} with the session's Hadoop configuration,
     * one file per checkpoint renamed into place (atomic on HDFS; S3 has no atomic rename, but a reader still sees a
     * whole checkpoint or the previous one); anything else is a local folder, as {@link #checkpointDir(Path)}.
     */
    public SparkTrainer checkpointDir(String dirOrUri) {
        if (dirOrUri != null && dirOrUri.isBlank()) throw new IllegalArgumentException("checkpointDir must be a folder or a URI, got a blank string");
        this.checkpointDir = dirOrUri == null ? null : CheckpointStore.SCHEME.matcher(dirOrUri).matches() ? dirOrUri : Path.of(dirOrUri).toAbsolutePath().toString();
        return this;
    }

    /** Writes a checkpoint every {@code steps} global steps (needs {@link #checkpointDir}; 0, the default: never). */
    public SparkTrainer checkpointEvery(int steps) {
        if (steps < 0) throw new IllegalArgumentException("checkpointEvery must be at least 0, got " + steps);
        this.checkpointEvery = steps;
        return this;
    }

    /** Test hook: worker {@code rank} throws at the start of global step {@code step}, in the stage's first attempt only. */
    SparkTrainer failOnceForTest(int rank, long step) {
        this.failOnce = new long[] {rank, step};
        return this;
    }

    /** Trains on {@code data}; blocks until the barrier stage ends. */
    public Result fit(Dataset<Row> data) throws IOException {
        if (globalBatchSize % workers != 0) {
            throw new IllegalArgumentException("globalBatchSize " + globalBatchSize + " must be a multiple of workers " + workers + " (each worker takes an equal share)");
        }
        if (checkpointEvery > 0 && checkpointDir == null) {
            throw new IllegalArgumentException("checkpointEvery(" + checkpointEvery + ") needs checkpointDir: a directory every executor can read");
        }
        StructType schema = data.schema();
        Dataset<Row> selected = data.select(featuresCol, labelCol);
        RowInputs features = new RowInputs(0, featuresCol, MyelinPredictor.InputKind.of(schema.apply(featuresCol), featuresCol), schema.apply(featuresCol).dataType(), modelName);
        DataType labelType = schema.apply(labelCol).dataType();
        if (!(labelType instanceof NumericType) && !(labelType instanceof org.apache.spark.sql.types.ArrayType)) {
            throw new IllegalArgumentException("label column '" + labelCol + "' has type " + labelType.simpleString() + "; expected a number or an array of numbers");
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        BarrierStage.requireSlots(sc, workers);
        JavaRDD<Row> rows = selected.javaRDD();
        if (rows.getNumPartitions() != workers) rows = rows.repartition(workers);
        CheckpointStore checkpoints = checkpointDir == null ? null : CheckpointStore.of(checkpointDir, sc::hadoopConfiguration);
        Broadcast<byte[]> model = sc.broadcast(modelBytes);
        long token = new SecureRandom().nextLong();
        BarrierWorker worker = new BarrierWorker(model, modelName, features, globalBatchSize / workers, epochs, shuffle, seed, token, timeout,
                checkpoints, checkpointEvery, failOnce);
        Map<Integer, byte[]> results = BarrierStage.run(rows.rdd(), worker::run);
        if (!results.keySet().equals(Set.of(BarrierWorker.MODEL, BarrierWorker.LOSSES, BarrierWorker.METRICS))) {
            throw new IllegalStateException("the barrier stage returned records " + results.keySet() + ", expected the model, losses and metrics of worker 0");
        }
        Model trained = ModelBytes.load(results.get(BarrierWorker.MODEL), "trained by worker 0");
        if (checkpoints != null) checkpoints.delete();
        return new Result(trained, Arrays.stream(toDoubles(results.get(BarrierWorker.LOSSES))).boxed().toList(),
                TrainingMetrics.fromBytes(results.get(BarrierWorker.METRICS)));
    }

    private static double[] toDoubles(byte[] bytes) {
        double[] out = new double[bytes.length / 8];
        java.nio.ByteBuffer.wrap(bytes).asDoubleBuffer().get(out);
        return out;
    }
}
