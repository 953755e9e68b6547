package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every Keras fixture in {@code shared/fixtures/interop}: the ones Myelin's layers cover reproduce the
 * outputs Keras (or numpy) computed to 1e-5; the others are refused naming what is not supported.
 */
class KerasImportFixturesTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void keras3SyntheticCnnReproducesItsExpectedOutput() throws Exception {
        Path dir = Fixtures.interop().resolve("keras3_synthetic");
        Model model = KerasImport.load(dir.resolve("cnn_seed.keras"));
        Tensor y = model.predict(Fixtures.npy(dir.resolve("input.npy")));
        double err = Fixtures.maxAbsDiff(y, Fixtures.npy(dir.resolve("expected_output.npy")));
        System.out.println("keras3_synthetic/cnn_seed.keras: max abs error " + err);
        assertTrue(err <= TOLERANCE, "max abs error " + err);
        assertTrue(model.isCompiled(), "compile_config is honoured");
    }

    @Test
    void realKeras3CustomModelIsRefusedNamingItsClass() {
        Path file = Fixtures.interop().resolve("keras3/pre_pr22362_nested_container.keras");
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        System.out.println("keras3/pre_pr22362_nested_container.keras: " + e.getMessage());
        assertTrue(e.getMessage().contains("\"NestedDenseModel\""), e.getMessage());
        assertTrue(e.getMessage().contains("legacy_nested_container>NestedDenseModel"), e.getMessage());
        assertTrue(e.getMessage().contains("Sequential") && e.getMessage().contains("Conv2D"), "lists the supported classes: " + e.getMessage());
    }

    @Test
    void keras2CnnWithBatchNormReproducesKerasPredictions() throws Exception {
        Path dir = Fixtures.interop().resolve("keras2/cnn_batch_norm");
        Model model = KerasImport.load(dir.resolve("cnn_batch_norm.h5"));
        Tensor y = model.predict(Fixtures.npy(dir.resolve("input.npy")));
        double err = Fixtures.maxAbsDiff(y, Fixtures.npy(dir.resolve("predictions.npy")));
        System.out.println("keras2/cnn_batch_norm/cnn_batch_norm.h5: max abs error " + err);
        assertTrue(err <= TOLERANCE, "max abs error " + err);
        assertTrue(model.isCompiled(), "training_config (Adam, mse) is honoured");
        assertEquals("Adam", model.optimizer().getClass().getSimpleName());
        assertEquals(0.001, model.optimizer().learningRate(), 1e-9);
    }

    @Test
    void keras2LeakyReluReproducesKerasPredictions() throws Exception {
        Path dir = Fixtures.interop().resolve("keras2/leakyrelu");
        Model model = KerasImport.load(dir.resolve("LeakyReLU_0_model.h5"));
        Tensor x;
        Tensor expected;
        try (HdfFile io = new HdfFile(dir.resolve("LeakyReLU_0_inputs_and_outputs.h5"))) {
            x = tensor(io.getDatasetByPath("inputs/dense_input"));
            expected = tensor(io.getDatasetByPath("predictions/leaky_re_lu_1"));
        }
        double err = Fixtures.maxAbsDiff(model.predict(x), expected);
        System.out.println("keras2/leakyrelu/LeakyReLU_0_model.h5: max abs error " + err);
        assertTrue(err <= TOLERANCE, "max abs error " + err);
    }

    @Test
    void keras2Conv2dKernelKeepsTheHwioLayout() throws Exception {
        Model model = KerasImport.load(Fixtures.interop().resolve("keras2/conv2d_arange/conv2d_tensorflow_2.h5"));
        Tensor kernel = model.layer("conv2d_1").weights().get(0).value();
        assertEquals(Shape.of(3, 3, 5, 6), kernel.shape());
        float[] k = kernel.toFloatArray();
        for (int i = 0; i < k.length; i++) assertEquals(i, k[i], "kernel[kh][kw][in][out] == ((kh*3+kw)*5+in)*6+out at flat index " + i);
        float[] bias = model.layer("conv2d_1").weights().get(1).value().toFloatArray();
        for (int i = 0; i < bias.length; i++) assertEquals(i, bias[i]);
    }

    @Test
    void keras2Conv1dReproducesKerasPredictions() throws Exception {
        Model model = KerasImport.load(Fixtures.interop().resolve("keras2/conv1d/conv1d_k2_s1_d1_cl_valid_model.h5"));
        Conv1D conv = assertInstanceOf(Conv1D.class, model.layer("conv0"));
        assertEquals(Shape.of(2, 3, 4), conv.kernel().value().shape(), "Keras's [k, in, filters] layout");
        assertEquals(Activation.SIGMOID, conv.activation());
        assertMatchesKeras(model, "keras2/conv1d/conv1d_k2_s1_d1_cl_valid_inputs_and_outputs.h5", "inputs/conv0_input",
                "predictions/conv0", Shape.of(2, 15, 4));
    }

    @Test
    void keras2LstmWithHardSigmoidGatesReproducesKerasPredictions() throws Exception {
        Model model = KerasImport.load(Fixtures.interop().resolve("keras2/lstm/simple_flatten_lstm_tf_keras_2_model.h5"));
        LSTM lstm = assertInstanceOf(LSTM.class, model.layer("lstm_1"));
        assertEquals(Activation.LEGACY_HARD_SIGMOID, lstm.recurrentActivation(), "Keras 2's hard_sigmoid is clip(0.2x + 0.5, 0, 1)");
        assertMatchesKeras(model, "keras2/lstm/simple_flatten_lstm_tf_keras_2_inputs_and_outputs.h5", "inputs/lstm_1_input",
                "predictions/dense_1", Shape.of(25, 1));
        assertTrue(model.isCompiled(), "training_config (RMSprop, mse) is honoured");
        // the fixture tells the two hard sigmoids apart: Keras 3's would miss Keras 2's predictions
        Tensor x;
        try (HdfFile io = new HdfFile(Fixtures.interop().resolve("keras2/lstm/simple_flatten_lstm_tf_keras_2_inputs_and_outputs.h5"))) {
            x = tensor(io.getDatasetByPath("inputs/lstm_1_input"));
        }
        Tensor legacy = model.predict(x);
        lstm.recurrentActivation(Activation.HARD_SIGMOID);
        assertTrue(Fixtures.maxAbsDiff(model.predict(x), legacy) > 1e-3, "Keras 3's hard sigmoid gives other predictions");
    }

    @Test
    void keras1LstmWithPerGateArraysReproducesKerasPredictions() throws Exception {
        Model model = KerasImport.load(Fixtures.interop().resolve("keras1/lstm/simple_lstm_tf_keras_1_model.h5"));
        LSTM lstm = assertInstanceOf(LSTM.class, model.layer("lstm_1"));
        assertEquals(Activation.LEGACY_HARD_SIGMOID, lstm.recurrentActivation(), "Keras 1's inner_activation hard_sigmoid");
        assertEquals(Shape.of(1, 200), lstm.kernel().value().shape(), "W_i, W_c, W_f, W_o joined into one kernel");
        assertMatchesKeras(model, "keras1/lstm/simple_lstm_tf_keras_1_inputs_and_outputs.h5", "inputs/lstm_input_1",
                "predictions/dense_1", Shape.of(100, 1));
    }

    /**
     * The fixtures' LSTMs run one time step, so their recurrent kernels multiply a zero state: this checks
     * that the twelve Keras 1 arrays land in the right gate blocks of all three fused weights, comparing
     * every block with the array of that name in the file.
     */
    @Test
    void keras1PerGateArraysLandInTheirGateBlocks() throws Exception {
        Path file = Fixtures.interop().resolve("keras1/lstm/simple_lstm_tf_keras_1_model.h5");
        LSTM lstm = (LSTM) KerasImport.load(file).layer("lstm_1");
        int units = lstm.units();
        try (HdfFile h5 = new HdfFile(file)) {
            String[] gates = {"i", "f", "c", "o"};
            for (int g = 0; g < 4; g++) {
                Tensor w = tensor(h5.getDatasetByPath("model_weights/lstm_1/lstm_1_W_" + gates[g] + ":0"));
                Tensor u = tensor(h5.getDatasetByPath("model_weights/lstm_1/lstm_1_U_" + gates[g] + ":0"));
                Tensor b = tensor(h5.getDatasetByPath("model_weights/lstm_1/lstm_1_b_" + gates[g] + ":0"));
                assertEquals(0.0, Fixtures.maxAbsDiff(lstm.kernel().value().slice(1, g * units, (g + 1) * units), w), "W_" + gates[g]);
                assertEquals(0.0, Fixtures.maxAbsDiff(lstm.recurrentKernel().value().slice(1, g * units, (g + 1) * units), u), "U_" + gates[g]);
                assertEquals(0.0, Fixtures.maxAbsDiff(lstm.bias().value().slice(0, g * units, (g + 1) * units), b), "b_" + gates[g]);
            }
        }
    }

    /**
     * Predicts DL4J's stored inputs and compares with Keras's {@code predictions/} (not {@code outputs/}: the
     * targets): every element within {@link #TOLERANCE}, or within 1e-6 of its magnitude for outputs above 10
     * (the Keras 1 LSTM predicts values near ±35, where one float32 ulp is 3.8e-6 and a sum of 50 products
     * in another order differs by a few ulps). Prints the largest absolute and relative differences.
     */
    private static void assertMatchesKeras(Model model, String ioFile, String input, String prediction, Shape expectedShape) throws Exception {
        Tensor x;
        Tensor expected;
        try (HdfFile io = new HdfFile(Fixtures.interop().resolve(ioFile))) {
            x = tensor(io.getDatasetByPath(input));
            expected = tensor(io.getDatasetByPath(prediction));
        }
        assertEquals(expectedShape, expected.shape());
        Tensor y = model.predict(x);
        assertEquals(expectedShape, y.shape());
        float[] a = y.toFloatArray(), e = expected.toFloatArray();
        double maxAbs = 0, maxRel = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - e[i]);
            maxAbs = Math.max(maxAbs, diff);
            maxRel = Math.max(maxRel, diff / Math.max(Math.abs(e[i]), 1e-30));
            assertTrue(diff <= Math.max(TOLERANCE, 1e-6 * Math.abs(e[i])), ioFile + ": element " + i + ": Myelin " + a[i] + ", Keras " + e[i]);
        }
        System.out.println(ioFile + ": max abs error " + maxAbs + ", max relative error " + maxRel);
    }

    private static Tensor tensor(Dataset d) {
        Object flat = d.getDataFlat();
        float[] data = flat instanceof float[] f ? f : toFloat((double[]) flat);
        return Tensor.of(data, d.getDimensions());
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
