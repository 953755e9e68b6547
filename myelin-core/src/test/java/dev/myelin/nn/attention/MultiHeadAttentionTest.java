package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.config.Registries;
import dev.myelin.io.Json;
import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.testing.LayerTestHarness;
import dev.myelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MultiHeadAttention against a plain-loop implementation of Keras's formula, its gradients, masks, shapes and errors. */
class MultiHeadAttentionTest {
    private static final int B = 2, T = 3, S = 4, DQ = 5, DV = 3, DK = 2, HEADS = 2, KEY_DIM = 3, VALUE_DIM = 2, OUT = 4;

    @Test
    void harness() {
        LayerTestHarness.of(() -> new MultiHeadAttention(2, 3)).inputShape(4, 6).expectOutputShape(4, 6)
                .expectWeights(8, 0).expectParams(3 * (6 * 6 + 6) + 6 * 6 + 6).run();
        LayerTestHarness.of(() -> new MultiHeadAttention(3, 2).valueDim(3).useBias(false).outputShape(2)).inputShape(5, 4)
                .expectOutputShape(5, 2).expectWeights(4, 0).expectParams(4 * 6 * 2 + 4 * 9 + 9 * 2).run();
    }

    /** A float64 layer with random weights (biases too) for query/value/key widths DQ, DV, DK. */
    private static MultiHeadAttention layer(long seed) {
        MultiHeadAttention m = new MultiHeadAttention(HEADS, KEY_DIM).valueDim(VALUE_DIM).outputShape(OUT);
        m.dtype(DType.FLOAT64);
        m.build(Shape.of(T, DQ), Shape.of(S, DV), Shape.of(S, DK), new SplittableRandom(seed));
        SplittableRandom r = new SplittableRandom(seed + 1);
        try (var scope = NoGrad.scope()) {
            for (Parameter p : m.weights()) p.value().assign(random(r, p.value().shape().toArray()));
        }
        return m;
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1);
        return Tensor.of(v, shape);
    }

    private static double[] weight(MultiHeadAttention m, String name) {
        for (Parameter p : m.weights()) if (p.shortName().equals(name)) return p.value().toDoubleArray();
        throw new AssertionError("no weight " + name);
    }

    /**
     * Keras's MultiHeadAttention written as loops: projections, scores scaled by 1/sqrt(key_dim), masked scores
     * replaced by -1e9, softmax over keys, weighted values, output projection. Returns {output, scores}.
     */
    private static double[][] reference(MultiHeadAttention m, Tensor query, Tensor value, Tensor key, Tensor mask, boolean causal) {
        double[] q = query.toDoubleArray(), v = value.toDoubleArray(), k = key.toDoubleArray();
        double[] wq = weight(m, "query/kernel"), bq = weight(m, "query/bias"), wk = weight(m, "key/kernel"), bk = weight(m, "key/bias");
        double[] wv = weight(m, "value/kernel"), bv = weight(m, "value/bias"), wo = weight(m, "attention_output/kernel"), bo = weight(m, "attention_output/bias");
        double[] maskValues = mask == null ? null : mask.toDoubleArray();
        double[][][][] qp = project(q, T, DQ, wq, bq, KEY_DIM), kp = project(k, S, DK, wk, bk, KEY_DIM), vp = project(v, S, DV, wv, bv, VALUE_DIM);
        double[] out = new double[B * T * OUT];
        double[] scores = new double[B * HEADS * T * S];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < HEADS; h++) {
                for (int t = 0; t < T; t++) {
                    double[] s = new double[S];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < S; j++) {
                        double dot = 0;
                        for (int e = 0; e < KEY_DIM; e++) dot += qp[b][t][h][e] * kp[b][j][h][e];
                        s[j] = dot / Math.sqrt(KEY_DIM);
                        boolean keep = !causal || j <= t;
                        if (maskValues != null) keep &= maskAt(mask, maskValues, b, h, t, j) > 0.5;
                        if (!keep) s[j] = -1e9;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < S; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j < S; j++) scores[((b * HEADS + h) * T + t) * S + j] = s[j] / sum;
                }
            }
            for (int t = 0; t < T; t++) {
                for (int o = 0; o < OUT; o++) {
                    double acc = bo[o];
                    for (int h = 0; h < HEADS; h++) {
                        for (int f = 0; f < VALUE_DIM; f++) {
                            double attended = 0;
                            for (int j = 0; j < S; j++) attended += scores[((b * HEADS + h) * T + t) * S + j] * vp[b][j][h][f];
                            acc += attended * wo[(h * VALUE_DIM + f) * OUT + o];
                        }
                    }
                    out[(b * T + t) * OUT + o] = acc;
                }
            }
        }
        return new double[][] {out, scores};
    }

    private static double maskAt(Tensor mask, double[] values, int b, int h, int t, int j) {
        int[] d = mask.shape().toArray();
        if (d.length == 3) return values[((d[0] == 1 ? 0 : b) * d[1] + (d[1] == 1 ? 0 : t)) * d[2] + j];
        return values[(((d[0] == 1 ? 0 : b) * d[1] + (d[1] == 1 ? 0 : h)) * d[2] + (d[2] == 1 ? 0 : t)) * d[3] + j];
    }

    private static double[][][][] project(double[] x, int time, int width, double[] w, double[] bias, int dim) {
        double[][][][] y = new double[B][time][HEADS][dim];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < time; t++)
                for (int h = 0; h < HEADS; h++)
                    for (int e = 0; e < dim; e++) {
                        double acc = bias[h * dim + e];
                        for (int d = 0; d < width; d++) acc += x[(b * time + t) * width + d] * w[(d * HEADS + h) * dim + e];
                        y[b][t][h][e] = acc;
                    }
        return y;
    }

    private static Tensor binaryMask(SplittableRandom r, int... shape) {
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(3) == 0 ? 0 : 1;
        return Tensor.of(v, shape);
    }

    @Test
    void matchesKerasFormulaWithRandomWeights() {
        MultiHeadAttention m = layer(7);
        SplittableRandom r = new SplittableRandom(11);
        Tensor q = random(r, B, T, DQ), v = random(r, B, S, DV), k = random(r, B, S, DK);
        Tensor rank3 = binaryMask(r, B, T, S);
        double[] fullyMasked = rank3.toDoubleArray();
        for (int j = 0; j < S; j++) fullyMasked[(T + 1) * S + j] = 0; // batch 1, query 1 sees nothing: uniform, as Keras
        Tensor withEmptyRow = Tensor.of(fullyMasked, B, T, S);
        Tensor rank4 = binaryMask(r, 1, HEADS, T, S);
        Object[][] cases = {{null, false}, {rank3, false}, {withEmptyRow, false}, {rank4, false}, {null, true}, {rank3, true}};
        for (Object[] c : cases) {
            Tensor mask = (Tensor) c[0];
            boolean causal = (Boolean) c[1];
            String what = "mask " + (mask == null ? "none" : mask.shape()) + ", causal " + causal;
            double[][] expected = reference(m, q, v, k, mask, causal);
            MultiHeadAttention.Result got = m.callWithScores(q, v, k, mask, causal, false);
            TensorAssert.assertAllClose(got.output().toDoubleArray(), expected[0], 1e-12, 1e-12);
            TensorAssert.assertAllClose(got.scores().toDoubleArray(), expected[1], 1e-12, 1e-12);
            assertEquals(Shape.of(B, HEADS, T, S), got.scores().shape(), what);
            // the path without scores (the scaledDotProductAttention seam) gives the same output
            TensorAssert.assertAllClose(m.call(q, v, k, mask, causal, false).toDoubleArray(), expected[0], 1e-12, 1e-12);
        }
    }

    @Test
    void keyDefaultsToValue() {
        MultiHeadAttention m = new MultiHeadAttention(2, 2);
        m.dtype(DType.FLOAT64);
        m.build(Shape.of(3, 4), Shape.of(5, 4), null, new SplittableRandom(1));
        SplittableRandom r = new SplittableRandom(2);
        Tensor q = random(r, 2, 3, 4), v = random(r, 2, 5, 4);
        assertArrayEquals(m.call(q, v, v, null, false, false).toDoubleArray(), m.call(q, v, false).toDoubleArray());
    }

    @Test
    void implicitMasksCombineAsKeras() {
        MultiHeadAttention m = layer(3);
        SplittableRandom r = new SplittableRandom(5);
        Tensor q = random(r, B, T, DQ), v = random(r, B, S, DV), k = random(r, B, S, DK);
        Tensor queryMask = Tensor.of(new double[] {1, 1, 0, 1, 0, 1}, B, T);
        Tensor valueMask = Tensor.of(new double[] {1, 0, 1, 1, 1, 1, 0, 1}, B, S);
        Tensor keyMask = Tensor.of(new double[] {1, 1, 1, 0, 0, 1, 1, 1}, B, S);
        double[] combined = new double[B * T * S];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                for (int j = 0; j < S; j++)
                    combined[(b * T + t) * S + j] = queryMask.get(b, t) * valueMask.get(b, j) * keyMask.get(b, j);
        Tensor explicit = Tensor.of(combined, B, T, S);
        double[] expected = m.call(q, v, k, explicit, false, false).toDoubleArray();
        Masks.attach(q, queryMask);
        Masks.attach(v, valueMask);
        Masks.attach(k, keyMask);
        Tensor out = m.call(q, v, k, null, false, false);
        assertArrayEquals(expected, out.toDoubleArray());
        assertEquals(queryMask, Masks.of(out), "the output carries the query's mask");
    }

    @Test
    void gradientsThroughScaledDotProductAttentionWithMasks() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor q = random(r, 2, 2, 3, 4), k = random(r, 2, 2, 5, 4), v = random(r, 2, 2, 5, 3);
        Tensor mask = binaryMask(r, 2, 1, 3, 5);
        GradCheck.check(t -> AttentionMath.scaledDotProductAttention(t[0], t[1], t[2], null, false, 0.5), q, k, v);
        GradCheck.check(t -> AttentionMath.scaledDotProductAttention(t[0], t[1], t[2], mask, false, 0.5), q, k, v);
        GradCheck.check(t -> AttentionMath.scaledDotProductAttention(t[0], t[1], t[2], mask, true, 0.5), q, k, v);
    }

    @Test
    void gradientsThroughTheLayerWithMaskAndCausal() {
        MultiHeadAttention m = layer(13);
        SplittableRandom r = new SplittableRandom(14);
        Tensor mask = binaryMask(r, B, T, S);
        GradCheck.check(t -> m.call(t[0], t[1], t[2], mask, true, false), random(r, B, T, DQ), random(r, B, S, DV), random(r, B, S, DK));
    }

    /**
     * float32 self-attention (query, value and key one tensor) takes the packed path: one product for the three
     * projections and Tensor.packedSelfAttention. It gives the values and gradients of the separate projections
     * (the path a key that is another tensor takes): 1 and 3 heads, value_dim ≠ key_dim, masks, causal, no bias.
     */
    @Test
    void packedSelfAttentionMatchesSeparateProjections() {
        int b = 2, t = 67, d = 10;
        SplittableRandom r = new SplittableRandom(31);
        for (MultiHeadAttention m : new MultiHeadAttention[] {new MultiHeadAttention(1, 5), new MultiHeadAttention(3, 4).valueDim(6).outputShape(7),
                new MultiHeadAttention(3, 4).useBias(false)}) {
            m.build(Shape.of(t, d), new SplittableRandom(32));
            try (var scope = NoGrad.scope()) {
                for (Parameter p : m.weights()) p.value().assign(random(r, p.value().shape().toArray()).mul(0.5).to(DType.FLOAT32));
            }
            Tensor x = random(r, b, t, d).to(DType.FLOAT32);
            for (Tensor mask : new Tensor[] {null, binaryMask(r, b, t, t)}) {
                for (boolean causal : new boolean[] {false, true}) {
                    Tensor xa = x.detach().requiresGrad(true), xb = x.detach().requiresGrad(true);
                    Tensor packed = m.attend(xa, xa, xa, mask, causal, true, false, null).output();   // as the Transformer blocks call it
                    Tensor w = random(r, packed.shape().toArray()).to(DType.FLOAT32);
                    assertTrue(recordsOp(packed, "packedSelfAttention"), "self-attention takes the packed path");
                    packed.mul(w).sum().backward();
                    List<float[]> packedGrads = new java.util.ArrayList<>();
                    for (Parameter p : m.weights()) {
                        packedGrads.add(p.value().grad().toFloatArray());
                        p.value().zeroGrad();
                    }
                    Tensor separate = m.attend(xb, xb, xb.mul(1.0), mask, causal, true, false, null).output();   // another key tensor: separate projections
                    assertTrue(!recordsOp(separate, "packedSelfAttention"), "a key that is another tensor takes the separate projections");
                    separate.mul(w).sum().backward();
                    TensorAssert.assertAllClose(packed, separate, 1e-5, 1e-6);
                    TensorAssert.assertAllClose(xa.grad(), xb.grad(), 1e-4, 1e-5);
                    for (int i = 0; i < packedGrads.size(); i++) {
                        Parameter p = m.weights().get(i);
                        TensorAssert.assertAllClose(packedGrads.get(i), p.value().grad().toFloatArray(), 1e-4, 1e-5);
                        p.value().zeroGrad();
                    }
                }
            }
        }
    }

    /** Whether the autograd graph that produced {@code y} holds an operation named {@code op}. */
    private static boolean recordsOp(Tensor y, String op) {
        java.util.ArrayDeque<Tensor> todo = new java.util.ArrayDeque<>(List.of(y));
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (t.gradFn() == null) continue;
            if (t.gradFn().op().equals(op)) return true;
            todo.addAll(List.of(t.gradFn().inputs()));
        }
        return false;
    }

    @Test
    void causalMaskHidesLaterSteps() {
        MultiHeadAttention m = new MultiHeadAttention(2, 2);
        m.build(Shape.of(4, 4), new SplittableRandom(1));
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = random(r, 1, 4, 4).to(DType.FLOAT32);
        double[] y = m.call(x, x, null, null, true, false).toDoubleArray();
        double[] changed = x.toDoubleArray();
        for (int i = 12; i < 16; i++) changed[i] += 1; // the last step
        Tensor x2 = Tensor.of(changed, 1, 4, 4).to(DType.FLOAT32);
        double[] y2 = m.call(x2, x2, null, null, true, false).toDoubleArray();
        for (int i = 0; i < 12; i++) assertEquals(y[i], y2[i], 0.0, "output " + i + " before the changed step");
        assertTrue(y[12] != y2[12]);
    }

    @Test
    void dropoutOnlyInTraining() {
        MultiHeadAttention m = new MultiHeadAttention(2, 2).dropout(0.5).seed(3);
        m.build(Shape.of(4, 4), new SplittableRandom(1));
        Tensor x = random(new SplittableRandom(2), 2, 4, 4).to(DType.FLOAT32);
        assertArrayEquals(m.call(x, x, false).toDoubleArray(), m.call(x, x, false).toDoubleArray());
        assertTrue(!java.util.Arrays.equals(m.call(x, x, false).toDoubleArray(), m.call(x, x, true).toDoubleArray()));
    }

    @Test
    void keepsKerasWeightNamesAndShapes() {
        MultiHeadAttention m = new MultiHeadAttention(HEADS, KEY_DIM).valueDim(VALUE_DIM).outputShape(OUT).name("mha");
        m.build(Shape.of(T, DQ), Shape.of(S, DV), Shape.of(S, DK), new SplittableRandom(1));
        List<String> names = m.weights().stream().map(p -> p.name() + " " + p.value().shape()).toList();
        assertEquals(List.of("mha/query/kernel [5, 2, 3]", "mha/query/bias [2, 3]", "mha/key/kernel [2, 2, 3]", "mha/key/bias [2, 3]",
                "mha/value/kernel [3, 2, 2]", "mha/value/bias [2, 2]", "mha/attention_output/kernel [2, 2, 4]", "mha/attention_output/bias [4]"), names);
    }

    @Test
    void badInputIsAClearError() {
        MultiHeadAttention m = layer(1);
        SplittableRandom r = new SplittableRandom(2);
        Tensor q = random(r, B, T, DQ), v = random(r, B, S, DV), k = random(r, B, S, DK);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(q, v, k, Tensor.ones(B, S, T), false, false));
        assertTrue(e.getMessage().contains("attention mask") && e.getMessage().contains("[2, 4, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.call(q, v, k, Tensor.ones(B, S), false, false));
        assertTrue(e.getMessage().contains("attention mask"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.call(random(r, B, T, DQ + 1), v, k, null, false, false));
        assertTrue(e.getMessage().contains("query") && e.getMessage().contains("[2, 3, 6]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.call(random(r, B, DQ), v, k, null, false, false));
        assertTrue(e.getMessage().contains("query"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.call(q, v, random(r, B, S + 1, DK), null, false, false));
        assertTrue(e.getMessage().contains("same length") || e.getMessage().contains("one length"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(0, 4));
        assertTrue(e.getMessage().contains("num_heads=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(2, 4).outputShape(List.of(Shape.of(3, 4, 2), Shape.of(3, 4))));
        assertTrue(e.getMessage().contains("attention_axes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Registries.layerFromJson(Json.parse("""
                {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"num_heads": 2, "key_dim": 4, "attention_axes": [1, 2]}}""")));
        assertTrue(e.getMessage().contains("attention_axes"), e.getMessage());
    }

    @Test
    void functionalModelWithQueryAndValueRoundTripsThroughAFile(@TempDir Path folder) throws IOException {
        SymbolicTensor query = Input.named("query", 3, 4);
        SymbolicTensor value = Input.named("value", 5, 6);
        SymbolicTensor ids = Input.named("ids", 5);
        SymbolicTensor keys = new Embedding(9, 2).maskZero(true).apply(ids);
        SymbolicTensor out = new MultiHeadAttention(2, 3).name("cross").apply(query, value, keys);
        Model model = new Model(List.of(query, value, ids), List.of(out));
        model.build();
        assertEquals(Shape.of(2, 2, 3), model.layer("cross").weights().get(2).value().shape(), "key/kernel from the key's width");
        assertEquals(Shape.of(6, 2, 3), model.layer("cross").weights().get(4).value().shape(), "value/kernel from the value's width");
        SplittableRandom r = new SplittableRandom(3);
        Tensor qx = random(r, 2, 3, 4).to(DType.FLOAT32), vx = random(r, 2, 5, 6).to(DType.FLOAT32);
        Tensor idx = Tensor.of(new double[] {1, 2, 0, 0, 0, 3, 4, 5, 6, 0}, 2, 5);
        double[] before = model.call(List.of(qx, vx, idx), false).get(0).toDoubleArray();
        Path file = folder.resolve("mha.myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertArrayEquals(before, loaded.call(List.of(qx, vx, idx), false).get(0).toDoubleArray());
        // the padded keys are masked: changing the value rows at padded positions changes nothing
        double[] changed = vx.toDoubleArray();
        for (int c = 0; c < 6; c++) changed[4 * 6 + c] += 3; // batch 0, step 4 (padding)
        Tensor vx2 = Tensor.of(changed, 2, 5, 6).to(DType.FLOAT32);
        TensorAssert.assertAllClose(loaded.call(List.of(qx, vx2, idx), false).get(0).toDoubleArray(), before, 1e-6, 1e-6);
    }
}
