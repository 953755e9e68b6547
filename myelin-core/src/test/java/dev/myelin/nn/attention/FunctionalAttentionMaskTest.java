package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.backend.DType;
import dev.myelin.losses.Loss;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.GradCheck;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras's {@code mha(q, v, attention_mask=m)} in a functional model, {@code m} a tensor of the graph: the eager
 * masked call's result, read like an input by the graph, saved as Keras writes it, trained through, refused when malformed.
 */
class FunctionalAttentionMaskTest {
    private static final int B = 3, T = 4, S = 5, D = 6, HEADS = 2;

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(x, shape);
    }

    /** 0/1 values, each row keeping at least its first key. */
    private static Tensor mask(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        int s = shape[shape.length - 1];
        float[] m = new float[n];
        for (int i = 0; i < n; i++) m[i] = i % s == 0 || r.nextDouble() < 0.6 ? 1 : 0;
        return Tensor.of(m, shape);
    }

    private static Tensor predict(Model model, List<Tensor> xs) {
        try (var _ = NoGrad.scope()) {
            return model.call(xs, false).getFirst();
        }
    }

    /** query [T, D] over value [S, D] with an attention_mask input [T, S] (or {@code maskShape}). */
    private static Model crossModel(boolean causal, int... maskShape) {
        SymbolicTensor q = Input.named("query", T, D), v = Input.named("value", S, D);
        SymbolicTensor m = Input.named("mask", maskShape.length == 0 ? new int[] {T, S} : maskShape);
        MultiHeadAttention mha = new MultiHeadAttention(HEADS, 3).name("attention");
        Model model = new Model(List.of(q, v, m), List.of(mha.apply(q, v, null, m, causal)));
        model.seed(7);
        return model;
    }

    @Test
    void aMaskedFunctionalCallEqualsTheEagerMaskedCall() {
        for (int[] maskShape : new int[][] {{T, S}, {HEADS, T, S}, {1, S}}) {
            for (boolean causal : new boolean[] {false, true}) {
                Model model = crossModel(causal, maskShape);
                MultiHeadAttention mha = (MultiHeadAttention) model.layer("attention");
                int[] batchMask = new int[maskShape.length + 1];
                batchMask[0] = B;
                System.arraycopy(maskShape, 0, batchMask, 1, maskShape.length);
                Tensor q = random(1, B, T, D), v = random(2, B, S, D), m = mask(3, batchMask);
                try (var _ = NoGrad.scope()) {
                    float[] functional = model.call(List.of(q, v, m), false).getFirst().toFloatArray();
                    assertArrayEquals(mha.call(q, v, null, m, causal, false).toFloatArray(), functional, "mask " + m.shape() + " causal " + causal);
                    assertFalse(java.util.Arrays.equals(mha.call(q, v, null, null, causal, false).toFloatArray(), functional), "the mask changes the output");
                }
            }
        }
    }

    @Test
    void theMaskIsAnInputOfTheNodeAndOfTheModel() {
        Model model = crossModel(false);
        SymbolicTensor out = model.outputs().getFirst();
        SymbolicTensor mask = model.inputs().get(2);
        assertEquals(List.of(model.inputs().get(0), model.inputs().get(1)), out.inputs());
        assertEquals(Map.of("attention_mask", mask), out.keywordTensors());
        assertEquals(List.of(model.inputs().get(0), model.inputs().get(1), mask), out.dependencies());
        String summary = model.summary();
        assertTrue(summary.contains("attention_mask=mask"), summary);

        // a mask that is no model input is refused, naming it
        SymbolicTensor q = Input.named("q", T, D);
        SymbolicTensor y = new MultiHeadAttention(HEADS, 3).apply(q, q, null, Input.named("stray_mask", T, T), false);
        var e = assertThrows(IllegalArgumentException.class, () -> new Model(q, y));
        assertTrue(e.getMessage().contains("stray_mask") && e.getMessage().contains("not among the model's inputs"), e.getMessage());
    }

    @Test
    void oneMaskServesTwoLayersAndAComputedMaskWorks() {
        // the mask input is read by two calls: Model.call must keep it until the second (lastUses over the keyword tensors)
        SymbolicTensor x = Input.named("x", T, D), m = Input.named("mask", T, T);
        MultiHeadAttention first = new MultiHeadAttention(HEADS, 3).name("first"), second = new MultiHeadAttention(HEADS, 3).name("second");
        SymbolicTensor h = first.apply(x, x, null, m, false);
        Model model = new Model(List.of(x, m), List.of(second.apply(h, h, null, m, false)));
        model.seed(3);
        Tensor xs = random(4, B, T, D), ms = mask(5, B, T, T);
        try (var _ = NoGrad.scope()) {
            Tensor expected = second.call(first.call(xs, xs, null, ms, false, false), first.call(xs, xs, null, ms, false, false), null, ms, false, false);
            assertArrayEquals(expected.toFloatArray(), predict(model, List.of(xs, ms)).toFloatArray());
        }
    }

    /** One input; the mask is computed from it by a layer ({@code [T, T]} sigmoid scores, kept above 0.5). */
    private static Model computedMaskModel() {
        SymbolicTensor x = Input.named("x", T, D);
        SymbolicTensor mask = new Dense(T, Activation.SIGMOID).name("mask_maker").apply(x);
        SymbolicTensor h = new MultiHeadAttention(HEADS, 3).name("attention").apply(x, x, null, mask, false);
        Model model = new Model(x, new Dense(2).name("head").apply(h));
        model.seed(13);
        return model;
    }

    @Test
    void aMaskComputedByALayerRunsSavesAndQuantizesAndTakesNoGradient(@TempDir Path dir) throws Exception {
        Model model = computedMaskModel();
        Tensor x = random(9, B, T, D);
        MultiHeadAttention mha = (MultiHeadAttention) model.layer("attention");
        Tensor eager;
        try (var _ = NoGrad.scope()) {
            Tensor mask = model.layer("mask_maker").call(x, false);
            eager = model.layer("head").call(mha.call(x, x, null, mask, false, false), false);
            assertArrayEquals(eager.toFloatArray(), model.predict(x).toFloatArray());
        }
        // the walkers that run a graph their own way pass the mask too (PostTrainingQuantization's calibration)
        Model int8 = dev.myelin.compress.PostTrainingQuantization.quantize(model, x, dev.myelin.compress.MinMaxObserver::new);
        assertEquals(Map.of("attention_mask", int8.layer("mask_maker").output()), int8.layer("attention").output().keywordTensors());
        float[] q = int8.predict(x).toFloatArray(), f = eager.toFloatArray();
        for (int i = 0; i < f.length; i++) assertEquals(f[i], q[i], 0.1, "int8 output " + i);

        Path file = dir.resolve("computed.myelin");
        model.save(file);
        assertArrayEquals(eager.toFloatArray(), Model.load(file).predict(x).toFloatArray());

        // no gradient flows through the mask into the layer that computed it
        Tensor loss = model.call(x, true).sum();
        for (var p : model.trainableWeights()) p.value().zeroGrad();
        loss.backward();
        for (var p : model.layer("mask_maker").weights()) {
            assertTrue(p.value().grad() == null || p.value().grad().abs().sum().item() == 0, p.name() + " got a gradient through the mask");
        }
        assertTrue(mha.weights().getFirst().value().grad().abs().sum().item() > 0, "the attention's own weights do get one");
    }

    @Test
    void maskedOutKeysDoNotChangeTheOutput() {
        Model model = crossModel(false);
        Tensor q = random(1, 2, T, D), v = random(2, 2, S, D);
        float[] padding = new float[2 * T * S]; // sample 0 sees keys 0..2, sample 1 keys 0..3: a padding mask
        for (int b = 0; b < 2; b++) for (int t = 0; t < T; t++) for (int j = 0; j < S; j++) padding[(b * T + t) * S + j] = j < 3 + b ? 1 : 0;
        Tensor m = Tensor.of(padding, 2, T, S);
        float[] changed = v.toFloatArray();
        for (int c = 0; c < D; c++) {
            changed[(0 * S + 3) * D + c] += 5; // padded positions of sample 0
            changed[(0 * S + 4) * D + c] -= 3;
            changed[(1 * S + 4) * D + c] += 7; // and of sample 1
        }
        float[] a = predict(model, List.of(q, v, m)).toFloatArray();
        float[] b = predict(model, List.of(q, Tensor.of(changed, 2, S, D), m)).toFloatArray();
        assertArrayEquals(a, b, "padded keys are never attended to");
        changed[(1 * S + 3) * D] += 1; // a kept position of sample 1
        assertFalse(java.util.Arrays.equals(a, predict(model, List.of(q, Tensor.of(changed, 2, S, D), m)).toFloatArray()));
    }

    @Test
    void gradientsThroughAFunctionalModelWithAMaskInput() {
        SymbolicTensor q = Input.named("query", T, D), v = Input.named("value", S, D), m = Input.named("mask", T, S);
        MultiHeadAttention mha = new MultiHeadAttention(HEADS, 3);
        mha.dtype(DType.FLOAT64);
        Dense head = new Dense(2, Activation.TANH);
        head.dtype(DType.FLOAT64);
        Model model = new Model(List.of(q, v, m), List.of(head.apply(mha.apply(q, v, null, m, true))));
        model.seed(11);
        Tensor mask = mask(6, 2, T, S).to(DType.FLOAT64);
        // the mask is a checked input too: its analytic gradient is zero (it is detached) and so is the numeric one
        GradCheck.check(in -> model.call(List.of(in[0], in[1], in[2]), true).getFirst(),
                random(7, 2, T, D).to(DType.FLOAT64), random(8, 2, S, D).to(DType.FLOAT64), mask);
        Tensor leaf = mask.requiresGrad(true);
        model.call(List.of(random(7, 2, T, D).to(DType.FLOAT64), random(8, 2, S, D).to(DType.FLOAT64), leaf), true).getFirst().sum().backward();
        assertNull(leaf.grad(), "no gradient flows into an attention mask");
    }

    @Test
    void aTinyMaskedModelTrains() {
        // the target is the mean of the first two value rows: learnable only through a mask that hides the others
        SymbolicTensor q = Input.named("query", 1, D), v = Input.named("value", S, D), m = Input.named("mask", 1, S);
        SymbolicTensor h = new MultiHeadAttention(HEADS, 4).apply(q, v, null, m, false);
        Model model = new Model(List.of(q, v, m), List.of(new Dense(1).apply(new GlobalAveragePooling1D().apply(h))));
        model.seed(5);
        model.compile(new Adam(0.01), Loss.MSE);
        int n = 64;
        Tensor qs = random(21, n, 1, D), vs = random(22, n, S, D);
        float[] keep = new float[n * S];
        float[] y = new float[n];
        float[] vv = vs.toFloatArray();
        for (int i = 0; i < n; i++) {
            keep[i * S] = keep[i * S + 1] = 1;
            y[i] = (vv[(i * S) * D] + vv[(i * S + 1) * D]) / 2;
        }
        History history = model.fit(List.of(qs, vs, Tensor.of(keep, n, 1, S)), List.of(Tensor.of(y, n, 1)),
                FitOptions.epochs(30).batchSize(16).seed(1).verbose(0));
        List<Double> loss = history.get("loss");
        assertTrue(loss.getLast() < 0.3 * loss.getFirst(), "loss " + loss.getFirst() + " -> " + loss.getLast());
    }

    @Test
    void theMaskKeywordIsSavedAsKerasWritesItAndLoadsBack(@TempDir Path dir) throws Exception {
        Model model = crossModel(true);
        String json = model.toJson().replaceAll("\\s", "");
        assertTrue(json.contains("\"kwargs\":{\"attention_mask\":{\"class_name\":\"__keras_tensor__\",\"config\":{\"shape\":[null," + T + "," + S
                + "],\"dtype\":\"float32\",\"keras_history\":[\"mask\",0,0]}},\"use_causal_mask\":true}"), json);
        // positional tensors, as Keras writes mha(query, value, ...): not one list as for Add()([a, b])
        assertTrue(json.contains("\"args\":[{\"class_name\":\"__keras_tensor__\",\"config\":{\"shape\":[null," + T + "," + D
                + "],\"dtype\":\"float32\",\"keras_history\":[\"query\",0,0]}},{"), json);
        Tensor q = random(1, B, T, D), v = random(2, B, S, D), m = mask(3, B, T, S);
        Path file = dir.resolve("masked.myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertArrayEquals(predict(model, List.of(q, v, m)).toFloatArray(), predict(loaded, List.of(q, v, m)).toFloatArray());
        assertEquals(3, loaded.inputs().size());
        assertEquals(json, loaded.toJson().replaceAll("\\s", ""), "the loaded model writes the same config");
    }

    @Test
    void aMaskOfTheWrongShapeIsRefusedWhenTheGraphIsBuilt() {
        SymbolicTensor q = Input.named("query", T, D), v = Input.named("value", S, D);
        MultiHeadAttention mha = new MultiHeadAttention(HEADS, 3).name("attn");
        for (int[] wrong : new int[][] {{T, S + 1}, {T + 1, S}, {S}, {3, T, S}, {1, 1, T, S}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> mha.apply(q, v, null, Input.of(wrong), false));
            assertTrue(e.getMessage().contains("'attn'") && e.getMessage().contains("attention_mask")
                    && e.getMessage().contains("[batch, " + T + ", " + S + "]"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> mha.apply(List.of(q, v), Map.of("attention_mask", 1.0)));
        assertTrue(e.getMessage().contains("'attn'") && e.getMessage().contains("attention_mask"), e.getMessage());
    }

    @Test
    void aMaskOfAnotherBatchIsRefusedWhenTheModelRuns() {
        Model model = crossModel(false);
        Tensor q = random(1, B, T, D), v = random(2, B, S, D);
        var e = assertThrows(IllegalArgumentException.class, () -> predict(model, List.of(q, v, mask(3, B + 1, T, S))));
        assertTrue(e.getMessage().contains("'attention'") && e.getMessage().contains("attention_mask")
                && e.getMessage().contains("[" + B + " or 1, " + T + ", " + S + "]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> predict(model, List.of(q, v, mask(3, B, T, S + 1))));
        assertTrue(e.getMessage().contains("expected shape [batch, " + T + ", " + S + "]"), e.getMessage());
    }

    @Test
    void malformedMaskKeywordsInAConfigAreRefusedNamingTheLayerAndKeyword() {
        String json = crossModel(false).toJson().replaceAll("\\s", "");
        String missing = json.replace("\"keras_history\":[\"mask\",0,0]", "\"keras_history\":[\"nowhere\",0,0]");
        assertFalse(missing.equals(json), "the mask's reference is in the config");
        var e = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(missing));
        assertTrue(e.getMessage().contains("'attention'") && e.getMessage().contains("attention_mask") && e.getMessage().contains("nowhere"), e.getMessage());

        // a mask input of the wrong shape: refused when the call is applied, naming the call, the keyword and the shape
        String wrongShape = json.replace("\"batch_shape\":[null," + T + "," + S + "]", "\"batch_shape\":[null," + T + "," + (S + 2) + "]");
        assertFalse(wrongShape.equals(json), "the mask input's shape is in the config");
        e = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(wrongShape));
        assertTrue(e.getMessage().contains("call 0 of layer 'attention'") && e.getMessage().contains("attention_mask")
                && e.getMessage().contains("[batch, " + T + ", " + S + "]"), e.getMessage());

        // a tensor keyword the layer does not take
        String unknown = json.replace("\"attention_mask\":", "\"query_mask\":");
        e = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(unknown));
        assertTrue(e.getMessage().contains("'attention'") && e.getMessage().contains("query_mask"), e.getMessage());
    }
}
