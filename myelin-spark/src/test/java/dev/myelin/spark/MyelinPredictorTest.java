package dev.myelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code transform} in Spark's local mode against the model's own {@code predict}. */
class MyelinPredictorTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("myelin-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    private static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Test
    void transformEqualsLocalPredictOnArrayColumns(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Dense(8, Activation.RELU).inputShape(6), new Dense(3, Activation.SOFTMAX));
        m.seed(5);
        m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        Path file = dir.resolve("m.myelin");
        m.save(file);
        int n = 100;
        Tensor x = Tensor.randn(rng(1), n, 6);
        float[] xs = x.toFloatArray();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Float[] f = new Float[6];
            for (int j = 0; j < 6; j++) f[j] = xs[i * 6 + j];
            rows.add(RowFactory.create(i, java.util.Arrays.asList(f)));
        }
        StructType schema = DataTypes.createStructType(List.of(DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
        List<Row> out = new ArrayList<>(MyelinPredictor.of(file).inputCol("features").batchSize(16).topK(2).transform(df).collectAsList());
        out.sort(Comparator.comparingInt(r -> r.getInt(0)));
        assertEquals(n, out.size());
        float[] expected = m.predict(x).toFloatArray();
        for (int i = 0; i < n; i++) {
            Row r = out.get(i);
            List<Object> probs = r.getList(r.fieldIndex("probability"));
            float[] got = new float[3];
            for (int c = 0; c < 3; c++) got[c] = ((Number) probs.get(c)).floatValue();
            assertArrayEquals(java.util.Arrays.copyOfRange(expected, 3 * i, 3 * i + 3), got, 1e-6f, "row " + i);
            int best = 0;
            for (int c = 1; c < 3; c++) if (got[c] > got[best]) best = c;
            assertEquals(best, r.getInt(r.fieldIndex("prediction")));
            List<Object> top = r.getList(r.fieldIndex("top_k"));
            assertEquals(2, top.size());
            assertEquals(best, ((Number) top.get(0)).intValue());
        }
    }

    /** Spark ML vectors, dense and sparse (as VectorAssembler writes them), read as the same values as arrays. */
    @Test
    void vectorColumnsDenseAndSparseEqualLocalPredict(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Dense(8, Activation.RELU).inputShape(6), new Dense(3, Activation.SOFTMAX));
        m.seed(6);
        m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
        m.build();
        Path file = dir.resolve("m.myelin");
        m.save(file);
        int n = 40;
        float[] xs = Tensor.randn(rng(2), n, 6).toFloatArray();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] v = new double[6];
            for (int j = 0; j < 6; j++) v[j] = (i + j) % 3 == 0 ? 0 : xs[i * 6 + j]; // a third zeros, for the sparse rows
            for (int j = 0; j < 6; j++) xs[i * 6 + j] = (float) v[j];
            rows.add(RowFactory.create(i, i % 2 == 0 ? org.apache.spark.ml.linalg.Vectors.dense(v) : org.apache.spark.ml.linalg.Vectors.dense(v).toSparse()));
        }
        StructType schema = DataTypes.createStructType(List.of(DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false)));
        List<Row> out = new ArrayList<>(MyelinPredictor.of(file).batchSize(7).transform(spark.createDataFrame(rows, schema).repartition(2)).collectAsList());
        out.sort(Comparator.comparingInt(r -> r.getInt(0)));
        float[] expected = m.predict(Tensor.of(xs, n, 6)).toFloatArray();
        for (int i = 0; i < n; i++) {
            List<Object> probs = out.get(i).getList(out.get(i).fieldIndex("probability"));
            for (int c = 0; c < 3; c++) assertEquals(expected[3 * i + c], ((Number) probs.get(c)).floatValue(), 1e-6f, "row " + i + " class " + c);
        }
        // The vector's struct without its type (Parquet read where spark-mllib is missing): rows 0 (dense) and 1 (sparse).
        StructType struct = DataTypes.createStructType(List.of(DataTypes.createStructField("type", DataTypes.ByteType, false),
                DataTypes.createStructField("size", DataTypes.IntegerType, true),
                DataTypes.createStructField("indices", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
                DataTypes.createStructField("values", DataTypes.createArrayType(DataTypes.DoubleType, false), false)));
        List<Double> dense0 = new ArrayList<>(), values1 = new ArrayList<>();
        List<Integer> indices1 = new ArrayList<>();
        for (int j = 0; j < 6; j++) {
            dense0.add((double) xs[j]);
            if (xs[6 + j] != 0) {
                indices1.add(j);
                values1.add((double) xs[6 + j]);
            }
        }
        List<Row> structs = List.of(RowFactory.create(0, RowFactory.create((byte) 1, null, null, dense0)),
                RowFactory.create(1, RowFactory.create((byte) 0, 6, indices1, values1)));
        StructType structSchema = DataTypes.createStructType(List.of(DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("features", struct, false)));
        List<Row> plain = new ArrayList<>(MyelinPredictor.of(file).transform(spark.createDataFrame(structs, structSchema)).collectAsList());
        plain.sort(Comparator.comparingInt(r -> r.getInt(0)));
        for (int i = 0; i < 2; i++) {
            List<Object> probs = plain.get(i).getList(plain.get(i).fieldIndex("probability"));
            for (int c = 0; c < 3; c++) assertEquals(expected[3 * i + c], ((Number) probs.get(c)).floatValue(), 1e-6f, "struct row " + i + " class " + c);
        }
        List<Row> wrong = List.of(RowFactory.create(0, org.apache.spark.ml.linalg.Vectors.sparse(5, new int[] {1}, new double[] {2})));
        var e = assertThrows(Exception.class, () -> MyelinPredictor.of(file).transform(spark.createDataFrame(wrong, schema)).collectAsList());
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage());
        assertTrue(all.toString().contains("input column 'features' holds a vector of size 5"), all.toString());
    }

    @Test
    void imageFileBytesAreDecodedToTheModelsInput(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Conv2D(4, 3, Activation.RELU).inputShape(8, 8, 1), new Flatten(), new Dense(2, Activation.SOFTMAX));
        m.seed(9);
        m.compile(new Adam(), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
        m.build();
        Path file = dir.resolve("cnn.myelin");
        m.save(file);
        RandomGenerator r = rng(2);
        int n = 10;
        float[] pixels = new float[n * 64];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 64; p++) {
                int v = r.nextInt(256);
                img.getRaster().setSample(p % 8, p / 8, 0, v);
                pixels[i * 64 + p] = v / 255f;
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            rows.add(RowFactory.create(i, png.toByteArray()));
        }
        StructType schema = DataTypes.createStructType(List.of(DataTypes.createStructField("id", DataTypes.IntegerType, false),
                DataTypes.createStructField("content", DataTypes.BinaryType, false)));
        List<Row> out = new ArrayList<>(MyelinPredictor.of(file).inputCol("content").transform(spark.createDataFrame(rows, schema)).collectAsList());
        out.sort(Comparator.comparingInt(row -> row.getInt(0)));
        float[] expected = m.predict(Tensor.of(pixels, n, 8, 8, 1)).toFloatArray();
        for (int i = 0; i < n; i++) {
            List<Object> probs = out.get(i).getList(out.get(i).fieldIndex("probability"));
            assertEquals(expected[2 * i], ((Number) probs.get(0)).floatValue(), 1e-6f, "image " + i);
        }
    }

    @Test
    void badColumnsAreNamed(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Dense(2, Activation.SOFTMAX).inputShape(4));
        m.seed(1);
        m.build();
        Path file = dir.resolve("small.myelin");
        m.save(file);
        StructType schema = DataTypes.createStructType(List.of(DataTypes.createStructField("text", DataTypes.StringType, false),
                DataTypes.createStructField("v", DataTypes.createArrayType(DataTypes.DoubleType, false), false)));
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("a", List.of(1.0, 2.0, 3.0))), schema);
        var e = assertThrows(IllegalArgumentException.class, () -> MyelinPredictor.of(file).inputCol("pixels").transform(df));
        assertTrue(e.getMessage().contains("'pixels'") && e.getMessage().contains("text"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MyelinPredictor.of(file).inputCol("text").transform(df));
        assertTrue(e.getMessage().contains("'text' has type string") && e.getMessage().contains("array<float>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MyelinPredictor.of(file).inputCol("v").outputCol("text").transform(df));
        assertTrue(e.getMessage().contains("'text' already exists"), e.getMessage());
        // The wrong number of values is found on the executor; Spark passes the message on.
        Exception wrong = assertThrows(Exception.class, () -> MyelinPredictor.of(file).inputCol("v").transform(df).collectAsList());
        String all = String.valueOf(wrong.getMessage());
        assertTrue(all.contains("input column 'v' has 3 values in a row") && all.contains("takes 4 per example"), all);
    }
}
