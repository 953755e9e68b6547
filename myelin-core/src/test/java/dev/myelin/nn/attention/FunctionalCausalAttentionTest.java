package dev.myelin.nn.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Add;
import dev.myelin.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keras's {@code mha(x, x, use_causal_mask=True)} in a functional model: the eager call's result, saved as the call's keyword, refused when malformed. */
class FunctionalCausalAttentionTest {
    private static Tensor random(int... shape) {
        SplittableRandom r = new SplittableRandom(11);
        int n = 1;
        for (int d : shape) n *= d;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(x, shape);
    }

    private static Model causalModel() {
        SymbolicTensor in = Input.of(6, 8);
        MultiHeadAttention mha = new MultiHeadAttention(2, 4).name("self");
        return new Model(in, mha.apply(in, in, null, true));
    }

    @Test
    void aCausalFunctionalCallEqualsTheEagerCausalCall() {
        Model model = causalModel();
        Tensor x = random(3, 6, 8);
        MultiHeadAttention mha = (MultiHeadAttention) model.layer("self");
        try (var _ = NoGrad.scope()) {
            float[] functional = model.predict(x).toFloatArray();
            assertArrayEquals(mha.call(x, x, null, null, true, false).toFloatArray(), functional);
            assertFalse(java.util.Arrays.equals(mha.call(x, x, null, null, false, false).toFloatArray(), functional), "the mask changes the output");
        }
    }

    @Test
    void laterPositionsDoNotChangeEarlierOutputs() {
        Model model = causalModel();
        Tensor x = random(1, 6, 8);
        float[] changed = x.toFloatArray();
        for (int c = 0; c < 8; c++) changed[5 * 8 + c] += 2; // the last position only
        float[] a = model.predict(x).toFloatArray(), b = model.predict(Tensor.of(changed, 1, 6, 8)).toFloatArray();
        for (int i = 0; i < 5 * 8; i++) assertEquals(a[i], b[i], 0f, "position " + i / 8);
        assertTrue(a[5 * 8] != b[5 * 8], "the last position sees itself");
    }

    @Test
    void theOptionIsSavedAsKerasWritesItAndLoadsBack(@TempDir Path dir) throws Exception {
        Model model = causalModel();
        String json = model.toJson();
        assertTrue(json.contains("\"use_causal_mask\": true") || json.contains("\"use_causal_mask\":true"), json);
        Tensor x = random(2, 6, 8);
        Path file = dir.resolve("causal.myelin");
        model.save(file);
        Model loaded = Model.load(file);
        assertArrayEquals(model.predict(x).toFloatArray(), loaded.predict(x).toFloatArray());
        Model fromJson = Model.fromJson(json);
        fromJson.build();
        fromJson.setWeightValues(model.weightValues());
        assertArrayEquals(model.predict(x).toFloatArray(), fromJson.predict(x).toFloatArray());
    }

    @Test
    void malformedOptionsAreRefusedNamingTheLayer() {
        SymbolicTensor in = Input.of(6, 8);
        MultiHeadAttention mha = new MultiHeadAttention(2, 4).name("self");
        var e = assertThrows(IllegalArgumentException.class, () -> mha.apply(List.of(in, in), Map.of("use_causal_mask", "yes")));
        assertTrue(e.getMessage().contains("'self'") && e.getMessage().contains("use_causal_mask"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.apply(List.of(in, in), Map.of("attention_mask", true)));
        assertTrue(e.getMessage().contains("attention_mask"), e.getMessage());
        Add add = new Add();
        e = assertThrows(IllegalArgumentException.class, () -> add.apply(List.of(in, in), Map.of("use_causal_mask", true)));
        assertTrue(e.getMessage().contains("takes no keyword argument"), e.getMessage());

        String json = causalModel().toJson().replace("\"use_causal_mask\": true", "\"use_causal_mask\": 1");
        e = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(json));
        assertTrue(e.getMessage().contains("use_causal_mask") && e.getMessage().contains("'self'"), e.getMessage());
    }
}
