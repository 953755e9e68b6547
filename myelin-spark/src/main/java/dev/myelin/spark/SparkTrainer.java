package dev.myelin.spark;

import dev.myelin.models.Model;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

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
    /** The trained model (the weights every worker ended with) and the mean training loss of each epoch. */
    public record Result(Model model, List<Double> losses) {
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

    /** Trains on {@code data}; blocks until the barrier stage ends. */
    public Result fit(Dataset<Row> data) throws IOException {
        if (globalBatchSize % workers != 0) {
            throw new IllegalArgumentException("globalBatchSize " + globalBatchSize + " must be a multiple of workers " + workers + " (each worker takes an equal share)");
        }
        StructType schema = data.schema();
        Dataset<Row> selected = data.select(featuresCol, labelCol);
        RowInputs features = new RowInputs(0, featuresCol, MyelinPredictor.InputKind.of(schema.apply(featuresCol), featuresCol), modelName);
        DataType labelType = schema.apply(labelCol).dataType();
        if (!(labelType instanceof NumericType) && !(labelType instanceof org.apache.spark.sql.types.ArrayType)) {
            throw new IllegalArgumentException("label column '" + labelCol + "' has type " + labelType.simpleString() + "; expected a number or an array of numbers");
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        int slots = sc.defaultParallelism();
        if (workers > slots) {
            throw new IllegalArgumentException(workers + " workers asked for, but the cluster has " + slots + " task slots (spark.default.parallelism):"
                    + " a barrier stage needs a slot per worker at once and would wait forever");
        }
        JavaRDD<Row> rows = selected.javaRDD();
        if (rows.getNumPartitions() != workers) rows = rows.repartition(workers);
        Broadcast<byte[]> model = sc.broadcast(modelBytes);
        long token = new SecureRandom().nextLong();
        BarrierWorker worker = new BarrierWorker(model, modelName, features, globalBatchSize / workers, epochs, shuffle, seed, token, timeout);
        Function1<scala.collection.Iterator<Row>, scala.collection.Iterator<byte[]>> f =
                (Function1<scala.collection.Iterator<Row>, scala.collection.Iterator<byte[]>> & java.io.Serializable)
                        it -> CollectionConverters.asScala(worker.run(CollectionConverters.asJava(it)));
        ClassTag<byte[]> tag = ClassTag$.MODULE$.apply(byte[].class);
        byte[][] results = (byte[][]) rows.rdd().barrier().mapPartitions(f, false, tag).collect();
        if (results.length != 2) throw new IllegalStateException("the barrier stage returned " + results.length + " results, expected the model and its logs from worker 0");
        Model trained = ModelBytes.load(results[0], "trained by worker 0");
        return new Result(trained, Arrays.stream(toDoubles(results[1])).boxed().toList());
    }

    private static double[] toDoubles(byte[] bytes) {
        double[] out = new double[bytes.length / 8];
        java.nio.ByteBuffer.wrap(bytes).asDoubleBuffer().get(out);
        return out;
    }
}
