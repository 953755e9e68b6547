package dev.myelin.spark;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.Adam;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** What the SparkTrainer tests share: a loopback local session, the rows' schema and the small seeded classifier. */
final class TrainerFixtures {
    /** {@code features: array<float>, label: int}. */
    static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false)));

    private TrainerFixtures() {}

    /** A local session on 127.0.0.1 without the web UI, logging at {@code logLevel}. */
    static SparkSession session(String master, String appName, String logLevel) {
        SparkSession spark = SparkSession.builder().master(master).appName(appName)
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel(logLevel);
        return spark;
    }

    /** Dense(8, relu) → Dense(3, softmax) on 4 features, seeded, compiled with Adam(0.01), built. */
    static Sequential model() {
        Sequential m = new Sequential(new Dense(8, Activation.RELU).inputShape(4), new Dense(3, Activation.SOFTMAX));
        m.seed(11);
        m.compile(new Adam(0.01), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        return m;
    }
}
