package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.models.Model;
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
        assertEquals(dev.myelin.tensor.Shape.of(3, 3, 5, 6), kernel.shape());
        float[] k = kernel.toFloatArray();
        for (int i = 0; i < k.length; i++) assertEquals(i, k[i], "kernel[kh][kw][in][out] == ((kh*3+kw)*5+in)*6+out at flat index " + i);
        float[] bias = model.layer("conv2d_1").weights().get(1).value().toFloatArray();
        for (int i = 0; i < bias.length; i++) assertEquals(i, bias[i]);
    }

    @Test
    void keras2Conv1dIsRefusedNamingTheClassAndTheSupportedOnes() {
        Path file = Fixtures.interop().resolve("keras2/conv1d/conv1d_k2_s1_d1_cl_valid_model.h5");
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
        System.out.println("keras2/conv1d: " + e.getMessage());
        assertTrue(e.getMessage().contains("Conv1D") && e.getMessage().contains("Conv2D"), e.getMessage());
    }

    @Test
    void lstmsWithKeras2HardSigmoidAreRefusedNamingIt() {
        for (String f : new String[] {"keras2/lstm/simple_flatten_lstm_tf_keras_2_model.h5", "keras1/lstm/simple_lstm_tf_keras_1_model.h5"}) {
            Path file = Fixtures.interop().resolve(f);
            var e = assertThrows(FileFormatException.class, () -> KerasImport.load(file));
            System.out.println(f + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("recurrent_activation") && e.getMessage().contains("hard_sigmoid"), e.getMessage());
        }
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
