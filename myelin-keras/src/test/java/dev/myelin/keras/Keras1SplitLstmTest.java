package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keras 1 LSTM file written here with jHDF's writer in Keras 1.2.2's layout (twelve per-gate arrays
 * listed i, c, f, o; names like {@code lstm_1_W_i:0}; {@code inner_activation: hard_sigmoid}), over
 * several time steps so that the recurrent kernels count (the DL4J fixtures run one step). The expected
 * outputs come from Keras 1's step equations written out on the per-gate arrays, independently of how the
 * import joins them.
 */
class Keras1SplitLstmTest {
    private static final int FEATURES = 2, UNITS = 3, STEPS = 4, BATCH = 2;
    private static final String[] KERAS1_ORDER = {"i", "c", "f", "o"};

    @TempDir Path dir;

    /** gate → {W [FEATURES][UNITS], U [UNITS][UNITS], b [1][UNITS]}. */
    private static double[][][][] weights(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][][][] w = new double[4][][][];
        for (int g = 0; g < 4; g++) w[g] = new double[][][] {rand(rng, FEATURES, UNITS, 1.5), rand(rng, UNITS, UNITS, 1.0), rand(rng, 1, UNITS, 0.5)};
        return w;
    }

    private static double[][] rand(SplittableRandom rng, int r, int c, double scale) {
        double[][] a = new double[r][c];
        for (double[] row : a) for (int j = 0; j < c; j++) row[j] = rng.nextDouble(-scale, scale);
        return a;
    }

    private static float[][] f32(double[][] a) {
        float[][] out = new float[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) out[i][j] = (float) a[i][j];
        return out;
    }

    private Path writeKeras1(double[][][][] w, boolean wrongShape) throws Exception {
        Path file = dir.resolve("keras1_lstm.h5");
        String config = """
                {"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": {"inner_activation": "hard_sigmoid",
                 "trainable": true, "inner_init": "orthogonal", "output_dim": 3, "unroll": false, "consume_less": "cpu",
                 "init": "glorot_uniform", "dropout_U": 0.0, "input_dtype": "float32", "batch_input_shape": [null, 4, 2],
                 "input_length": null, "dropout_W": 0.0, "activation": "tanh", "stateful": false, "b_regularizer": null,
                 "U_regularizer": null, "name": "lstm_1", "go_backwards": false, "input_dim": 2, "return_sequences": true,
                 "W_regularizer": null, "forget_bias_init": "one"}}]}
                """;
        try (WritableHdfFile f = HdfFile.write(file)) {
            f.putAttribute("keras_version", "1.2.2");
            f.putAttribute("backend", "tensorflow");
            f.putAttribute("model_config", config);
            WritableGroup weights = f.putGroup("model_weights");
            weights.putAttribute("layer_names", new String[] {"lstm_1"});
            WritableGroup lstm = weights.putGroup("lstm_1");
            List<String> names = new ArrayList<>();
            for (String gate : KERAS1_ORDER) {
                int g = gateIndex(gate);
                String[] kinds = {"W", "U", "b"};
                for (int k = 0; k < 3; k++) {
                    String name = "lstm_1_" + kinds[k] + "_" + gate + ":0";
                    names.add(name);
                    double[][] a = w[g][k];
                    if (k == 2) {
                        float[] b = f32(a)[0];
                        lstm.putDataset(name, wrongShape && gate.equals("f") ? new float[UNITS + 1] : b);
                    } else {
                        lstm.putDataset(name, f32(a));
                    }
                }
            }
            lstm.putAttribute("weight_names", names.toArray(String[]::new));
        }
        return file;
    }

    /** Index of a gate in the arrays of {@link #weights}: i, f, c, o. */
    private static int gateIndex(String gate) {
        return switch (gate) {
            case "i" -> 0;
            case "f" -> 1;
            case "c" -> 2;
            default -> 3;
        };
    }

    private static double hardSigmoid(double v) {
        return Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    }

    private static double affine(double[] x, double[] h, double[][][] gate, int j) {
        double a = gate[2][0][j];
        for (int k = 0; k < FEATURES; k++) a += x[k] * gate[0][k][j];
        for (int k = 0; k < UNITS; k++) a += h[k] * gate[1][k][j];
        return a;
    }

    @Test
    void perGateArraysOverSeveralStepsGiveKeras1Outputs() throws Exception {
        double[][][][] w = weights(21);
        Model model = KerasImport.load(writeKeras1(w, false));
        double[][][] x = new double[BATCH][][];
        SplittableRandom rng = new SplittableRandom(4);
        for (int b = 0; b < BATCH; b++) x[b] = rand(rng, STEPS, FEATURES, 2.0);
        float[] flat = new float[BATCH * STEPS * FEATURES];
        for (int b = 0; b < BATCH; b++) for (int t = 0; t < STEPS; t++) for (int k = 0; k < FEATURES; k++) flat[(b * STEPS + t) * FEATURES + k] = (float) x[b][t][k];
        Tensor y = model.predict(Tensor.of(flat, BATCH, STEPS, FEATURES));
        assertEquals(Shape.of(BATCH, STEPS, UNITS), y.shape());
        float[] got = y.toFloatArray();
        double maxErr = 0;
        int saturated = 0;
        for (int b = 0; b < BATCH; b++) {
            double[] h = new double[UNITS], c = new double[UNITS];
            for (int t = 0; t < STEPS; t++) {
                double[] nh = new double[UNITS], nc = new double[UNITS];
                for (int j = 0; j < UNITS; j++) {
                    double zi = affine(x[b][t], h, w[0], j), zf = affine(x[b][t], h, w[1], j), zo = affine(x[b][t], h, w[3], j);
                    for (double z : new double[] {zi, zf, zo}) if (Math.abs(z) > 2.5) saturated++;
                    double i = hardSigmoid(zi), f = hardSigmoid(zf), o = hardSigmoid(zo);
                    nc[j] = f * c[j] + i * Math.tanh(affine(x[b][t], h, w[2], j));
                    nh[j] = o * Math.tanh(nc[j]);
                }
                h = nh;
                c = nc;
                for (int j = 0; j < UNITS; j++) maxErr = Math.max(maxErr, Math.abs(got[(b * STEPS + t) * UNITS + j] - h[j]));
            }
        }
        assertTrue(saturated > 0, "some gates reach the flat part of the hard sigmoid");
        assertTrue(maxErr < 2e-6, "max abs error " + maxErr);
    }

    @Test
    void aGateArrayOfTheWrongShapeIsRefusedNamingIt() throws Exception {
        Path file = writeKeras1(weights(21), true);
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        assertTrue(e.getMessage().contains("lstm_1_b_f:0") && e.getMessage().contains("bias, gate f")
                && e.getMessage().contains("expects shape [3] but the file holds [4]"), e.getMessage());
    }
}
