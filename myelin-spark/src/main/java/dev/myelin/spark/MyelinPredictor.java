package dev.myelin.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Batch inference of a saved Myelin model over a Spark {@code DataFrame}: the model file's bytes are
 * broadcast once, each executor JVM parses them once and keeps the model ({@link ExecutorModels}), and every
 * partition is predicted in batches inside {@code mapPartitions}.
 *
 * <p>Input column: an array of floats or doubles holding one example's values in the model's input layout
 * (any shape with the right number of values, such as a flattened image), a Spark ML vector
 * ({@code org.apache.spark.ml.linalg.Vector}, dense or sparse, as {@code VectorAssembler} writes), a PNG/JPEG file's bytes (Spark's
 * {@code binaryFile} source, decoded to the model's image size and channels and scaled to [0, 1]), or a
 * column of Spark's image schema ({@code spark.read.format("image")}: BGR bytes, scaled to [0, 1]).
 * Output columns, appended to the input's: {@code outputCol} the predicted class (an int, the arg-max),
 * {@code probabilityCol} the model's output as {@code array<float>}, and with {@link #topK(int)} the classes
 * of the k largest outputs.
 *
 * <p>Example:
 * <pre>{@code
 * Dataset<Row> scored = MyelinPredictor.of(Path.of("fashion.myelin"))
 *         .inputCol("pixels").outputCol("prediction").probabilityCol("probability").batchSize(512)
 *         .transform(spark.read().parquet("images.parquet"));
 * }</pre>
 */
public final class MyelinPredictor {
    private final byte[] modelBytes;
    private final String modelName;
    private String inputCol = "features";
    private String outputCol = "prediction";
    private String probabilityCol = "probability";
    private String topKCol = "top_k";
    private int batchSize = 256;
    private int topK;

    private MyelinPredictor(byte[] modelBytes, String modelName) {
        this.modelBytes = modelBytes;
        this.modelName = modelName;
    }

    /** A predictor for the model file at {@code modelFile} (read now; see {@code Model.save}). */
    public static MyelinPredictor of(Path modelFile) throws IOException {
        byte[] bytes = Files.readAllBytes(modelFile);
        ExecutorModels.get(bytes, modelFile.toString()); // a file that is not a model fails here, on the driver, not in a task
        return new MyelinPredictor(bytes, modelFile.toString());
    }

    public MyelinPredictor inputCol(String name) {
        this.inputCol = requireName("inputCol", name);
        return this;
    }

    public MyelinPredictor outputCol(String name) {
        this.outputCol = requireName("outputCol", name);
        return this;
    }

    public MyelinPredictor probabilityCol(String name) {
        this.probabilityCol = requireName("probabilityCol", name);
        return this;
    }

    /** Also appends {@code topKCol} (default {@code top_k}): the classes of the {@code k} largest outputs, best first. */
    public MyelinPredictor topK(int k) {
        if (k < 1) throw new IllegalArgumentException("topK must be at least 1, got " + k);
        this.topK = k;
        return this;
    }

    public MyelinPredictor topKCol(String name) {
        this.topKCol = requireName("topKCol", name);
        return this;
    }

    /** Examples per forward pass inside a partition (default 256). */
    public MyelinPredictor batchSize(int value) {
        if (value < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + value);
        this.batchSize = value;
        return this;
    }

    /** {@code data} with the prediction columns appended; lazy, as every Spark transformation. */
    public Dataset<Row> transform(Dataset<Row> data) {
        StructType schema = data.schema();
        int index = columnIndex(schema, inputCol);
        InputKind kind = InputKind.of(schema.fields()[index], inputCol);
        List<String> taken = Arrays.asList(schema.fieldNames());
        List<StructField> out = new ArrayList<>(Arrays.asList(schema.fields()));
        for (String c : topK > 0 ? List.of(outputCol, probabilityCol, topKCol) : List.of(outputCol, probabilityCol)) {
            if (taken.contains(c)) throw new IllegalArgumentException("output column '" + c + "' already exists in the DataFrame; choose another name");
        }
        out.add(DataTypes.createStructField(outputCol, DataTypes.IntegerType, false));
        out.add(DataTypes.createStructField(probabilityCol, DataTypes.createArrayType(DataTypes.FloatType, false), false));
        if (topK > 0) out.add(DataTypes.createStructField(topKCol, DataTypes.createArrayType(DataTypes.IntegerType, false), false));
        StructType outSchema = DataTypes.createStructType(out);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<byte[]> model = sc.broadcast(modelBytes);
        return data.mapPartitions(new PartitionPredictor(model, modelName, new RowInputs(index, inputCol, kind, schema.fields()[index].dataType(), modelName), batchSize, topK), Encoders.row(outSchema));
    }

    private static int columnIndex(StructType schema, String name) {
        for (int i = 0; i < schema.fields().length; i++) if (schema.fields()[i].name().equals(name)) return i;
        throw new IllegalArgumentException("the DataFrame has no column '" + name + "' (inputCol); its columns are " + Arrays.toString(schema.fieldNames()));
    }

    private static String requireName(String what, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException(what + " must be a column name, got " + (name == null ? "null" : "'" + name + "'"));
        return name;
    }

    /** The kinds of input column the predictor reads. */
    enum InputKind {
        FLOATS, DOUBLES, ENCODED_IMAGE, IMAGE_SCHEMA, VECTOR;

        /** The fields of Spark ML's (and the older MLlib's) vector type as Spark SQL stores it (VectorUDT's sqlType). */
        private static final List<String> VECTOR_FIELDS = List.of("type", "size", "indices", "values");

        static InputKind of(StructField field, String name) {
            return of(field.dataType(), name);
        }

        static InputKind of(DataType t, String name) {
            if (t instanceof UserDefinedType<?> u && u.sqlType() instanceof StructType s && Arrays.asList(s.fieldNames()).equals(VECTOR_FIELDS)) return VECTOR;
            // The same struct without the type: a vector column read where spark-mllib is not on the classpath.
            if (t instanceof StructType s && Arrays.asList(s.fieldNames()).equals(VECTOR_FIELDS)) return VECTOR;
            if (t instanceof ArrayType a && a.elementType() instanceof FloatType) return FLOATS;
            if (t instanceof ArrayType a && a.elementType() instanceof DoubleType) return DOUBLES;
            if (t instanceof BinaryType) return ENCODED_IMAGE;
            if (t instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(List.of("height", "width", "nChannels", "data"))) return IMAGE_SCHEMA;
            throw new IllegalArgumentException("input column '" + name + "' has type " + t.simpleString()
                    + "; expected array<float>, array<double>, a Spark ML vector, binary (image file bytes) or Spark's image struct");
        }
    }
}
