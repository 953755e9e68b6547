package dev.myelin.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.AttentionRecorder;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.TensorAssert;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionMapsTest {
    static final int T = 6;

    /** Tokens → embedding (0 = padding) + positions → two encoder blocks → mean → 3 classes. */
    private static Model encoderClassifier() {
        SymbolicTensor ids = Input.of(T);
        SymbolicTensor tokens = new Embedding(12, 8).maskZero(true).apply(ids);
        SymbolicTensor x = new Add().apply(tokens, new PositionEmbedding(T).apply(tokens));
        SymbolicTensor h = new TransformerEncoder(16, 2).name("block_a").apply(x);
        h = new TransformerEncoder(16, 2).name("block_b").apply(h);
        Model model = new Model(ids, new Dense(3, Activation.SOFTMAX).apply(new GlobalAveragePooling1D().apply(h)));
        model.seed(5);
        model.build();
        return model;
    }

    private static final Tensor TOKENS = Tensor.of(new double[] {3, 7, 1, 9, 0, 0, 2, 2, 5, 11, 4, 8}, 2, T);

    @Test
    void recordsEveryBlocksWeightsWithoutChangingTheOutput() {
        Model model = encoderClassifier();
        Tensor plain = model.call(TOKENS, false);
        var recording = AttentionRecorder.record(() -> model.call(TOKENS, false));
        TensorAssert.assertAllClose(recording.value().toDoubleArray(), plain.toDoubleArray(), 1e-6, 1e-6);
        AttentionMaps maps = AttentionMaps.record(model, TOKENS);
        assertEquals(List.of("block_a/self_attention", "block_b/self_attention"), maps.layers());
        for (String layer : maps.layers()) {
            Tensor s = maps.scores(layer);
            assertEquals(Shape.of(2, 2, T, T), s.shape());
            float[] v = s.contiguous().toFloatArray();
            for (int row = 0; row < 2 * 2 * T; row++) {
                double sum = 0;
                for (int c = 0; c < T; c++) sum += v[row * T + c];
                assertEquals(1.0, sum, 1e-5, layer + " row " + row);
                if (row < 2 * T && row % T < 4) { // sample 0: tokens 4 and 5 are padding, masked as keys (a padded query's row is uniform, as Keras)
                    assertEquals(0.0, v[row * T + 4], 0.0, layer);
                    assertEquals(0.0, v[row * T + 5], 0.0, layer);
                }
            }
        }
        // outside a recording nothing is kept and the fused path runs as before
        assertEquals(List.of(), AttentionRecorder.record(() -> 1).scores().keySet().stream().toList());
    }

    @Test
    void aStandaloneLayerRecordsWhatCallWithScoresReturns() {
        SymbolicTensor q = Input.named("q", 4, 6), v = Input.named("v", 5, 6);
        MultiHeadAttention mha = new MultiHeadAttention(3, 2);
        mha.name("cross");
        Model model = new Model(List.of(q, v), List.of(mha.apply(q, v)));
        model.seed(2);
        model.build();
        Tensor qx = Tensor.rand(new java.util.Random(1), 2, 4, 6), vx = Tensor.rand(new java.util.Random(2), 2, 5, 6);
        var recording = AttentionRecorder.record(() -> model.call(List.of(qx, vx), false));
        Tensor expected = mha.callWithScores(qx, vx, null, null, false, false).scores();
        assertEquals(1, recording.scores().get("cross").size());
        TensorAssert.assertAllClose(recording.scores().get("cross").get(0).toDoubleArray(), expected.toDoubleArray(), 0, 0);
        AttentionMaps maps = AttentionMaps.record(model, List.of(qx, vx));
        assertEquals(List.of("cross"), maps.layers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, maps::rollout);
        assertTrue(e.getMessage().contains("attends from 4 to 5 positions"), e.getMessage());
    }

    @Test
    void rolloutMixesInTheResidualAndMultipliesThroughTheLayers() {
        AttentionMaps maps = AttentionMaps.record(encoderClassifier(), TOKENS);
        double[] a = maps.headAverage("block_a/self_attention").toDoubleArray();
        double[] b = maps.headAverage("block_b/self_attention").toDoubleArray();
        double[] rollout = maps.rollout().toDoubleArray();
        for (int s = 0; s < 2; s++) {
            double[][] ra = residual(a, s), rb = residual(b, s);
            for (int i = 0; i < T; i++) {
                double rowSum = 0;
                for (int j = 0; j < T; j++) {
                    double expected = 0;
                    for (int k = 0; k < T; k++) expected += rb[i][k] * ra[k][j];
                    assertEquals(expected, rollout[(s * T + i) * T + j], 1e-6, "sample " + s + " [" + i + "][" + j + "]");
                    rowSum += rollout[(s * T + i) * T + j];
                }
                assertEquals(1.0, rowSum, 1e-5);
            }
        }
        double[] mean = maps.rolloutMean(0);
        assertEquals(T, mean.length);
        assertTrue(mean[4] < mean[0] && mean[5] < mean[0], "padding only keeps its own residual share");
    }

    /** ½·A + ½·I for sample s of a head-averaged map, rows renormalised (they already sum to one). */
    private static double[][] residual(double[] avg, int s) {
        double[][] m = new double[T][T];
        for (int i = 0; i < T; i++) {
            for (int j = 0; j < T; j++) m[i][j] = 0.5 * avg[(s * T + i) * T + j] + (i == j ? 0.5 : 0);
        }
        return m;
    }

    @Test
    void writesATilePerHeadAndRefusesWhatItCannotDraw(@TempDir Path dir) throws Exception {
        AttentionMaps maps = AttentionMaps.record(encoderClassifier(), TOKENS);
        Path png = dir.resolve("heads.png");
        maps.writePng("block_b/self_attention", 1, 4, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * (T * 4 + 2) + 2, img.getWidth(), "two heads side by side");
        assertEquals(T * 4 + 2 + 2, img.getHeight());
        assertThrows(IllegalArgumentException.class, () -> maps.writePng("block_b/self_attention", 2, 4, png));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> maps.scores("nope"));
        assertTrue(e.getMessage().contains("block_a/self_attention"), e.getMessage());
        SymbolicTensor in = Input.of(3);
        Model noAttention = new Model(in, new Dense(2).apply(in));
        e = assertThrows(IllegalArgumentException.class, () -> AttentionMaps.record(noAttention, Tensor.zeros(1, 3)));
        assertTrue(e.getMessage().contains("made no attention call"), e.getMessage());
    }
}
