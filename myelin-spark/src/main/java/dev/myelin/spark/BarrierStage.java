package dev.myelin.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.rdd.RDD;
import scala.Function1;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs a task on every partition of an RDD as one Spark barrier stage (all tasks start together, or none) and
 * returns what they emit: records keyed by what they are (at most one per key over all tasks).
 *
 * <p>The stage ends in a shuffle, not in a bare {@code collect}: Spark reruns a failed barrier stage only when it
 * is a shuffle-map stage (a failed barrier result stage aborts the job), so with the shuffle a task that dies
 * makes Spark rerun every task of the stage, up to {@code spark.stage.maxConsecutiveAttempts} times (4 by
 * default); the task sees which attempt it is in through {@code BarrierTaskContext.stageAttemptNumber()}.
 */
final class BarrierStage {
    /** What every task runs: its partition in, keyed records out. */
    @FunctionalInterface
    interface Task<T> extends Serializable {
        Iterator<Tuple2<Integer, byte[]>> run(Iterator<T> partition) throws Exception;
    }

    private BarrierStage() {}

    /**
     * Refuses {@code workers} when the cluster has fewer task slots: a barrier stage needs a slot per task at
     * once and would otherwise wait forever.
     */
    static void requireSlots(org.apache.spark.api.java.JavaSparkContext sc, int workers) {
        int slots = sc.defaultParallelism();
        if (workers > slots) {
            throw new IllegalArgumentException(workers + " workers asked for, but the cluster has " + slots + " task slots (spark.default.parallelism):"
                    + " a barrier stage needs a slot per worker at once and would wait forever");
        }
    }

    /** Runs {@code task} on every partition of {@code input} at once and returns the records by key. */
    static <T> Map<Integer, byte[]> run(RDD<T> input, Task<T> task) {
        Function1<scala.collection.Iterator<T>, scala.collection.Iterator<Tuple2<Integer, byte[]>>> f =
                (Function1<scala.collection.Iterator<T>, scala.collection.Iterator<Tuple2<Integer, byte[]>>> & Serializable) it -> {
                    try {
                        return CollectionConverters.asScala(task.run(CollectionConverters.asJava(it)));
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                };
        @SuppressWarnings({"unchecked", "rawtypes"})
        ClassTag<Tuple2<Integer, byte[]>> pairs = (ClassTag) ClassTag$.MODULE$.apply(Tuple2.class);
        RDD<Tuple2<Integer, byte[]>> out = input.barrier().mapPartitions(f, false, pairs);
        Map<Integer, byte[]> byKey = new HashMap<>();
        for (Tuple2<Integer, byte[]> t : JavaPairRDD.fromRDD(out, ClassTag$.MODULE$.apply(Integer.class), ClassTag$.MODULE$.apply(byte[].class))
                .partitionBy(new HashPartitioner(1)).collect()) {
            if (byKey.put(t._1(), t._2()) != null) throw new IllegalStateException("two tasks of the barrier stage returned record " + t._1());
        }
        return byKey;
    }
}
