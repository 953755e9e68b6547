package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.FileFormatException;
import dev.myelin.io.ZipArchive;
import dev.myelin.models.Model;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keras 3 {@code .keras} file of {@code MultiHeadAttention()(query, value, attention_mask=mask)}: the
 * {@code config.json} written by hand in Keras 3.6's form (a node's {@code args} hold the positional tensors,
 * its {@code kwargs} the mask as a {@code __keras_tensor__}; the weights under {@code query_dense/vars},
 * {@code key_dense/vars}, {@code value_dense/vars}, {@code output_dense/vars}), imported and run against the
 * eager masked call.
 */
class KerasImportAttentionMaskTest {
    private static final int B = 2, T = 4, S = 5, D = 6;

    @TempDir Path dir;

    private static final String QUERY = "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, %d, %d], \"dtype\": \"float32\", \"keras_history\": [\"query\", 0, 0]}}".formatted(T, D);
    private static final String VALUE = "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, %d, %d], \"dtype\": \"float32\", \"keras_history\": [\"value\", 0, 0]}}".formatted(S, D);

    /** Keras 3.6's {@code config.json} for {@code mha(query, value, attention_mask=mask)}. */
    private static String config(String kwargs) {
        return config("[" + QUERY + ", " + VALUE + "]", kwargs);
    }

    /** Keras 3.6's {@code config.json} for the model, the call's {@code args} and {@code kwargs} as given. */
    private static String config(String args, String kwargs) {
        String policy = "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}";
        return """
                {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "trainable": true,
                 "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, %1$d, %3$d], "dtype": "float32", "sparse": false, "name": "query"}, "registered_name": null, "name": "query", "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, %2$d, %3$d], "dtype": "float32", "sparse": false, "name": "value"}, "registered_name": null, "name": "value", "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, %1$d, %2$d], "dtype": "float32", "sparse": false, "name": "mask"}, "registered_name": null, "name": "mask", "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "multi_head_attention", "trainable": true, "dtype": %4$s,
                    "num_heads": 2, "key_dim": 3, "value_dim": 3, "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1],
                    "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                    "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                    "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "seed": null},
                   "registered_name": null,
                   "build_config": {"shapes_dict": {"query_shape": [null, %1$d, %3$d], "value_shape": [null, %2$d, %3$d], "key_shape": null}},
                   "name": "multi_head_attention",
                   "inbound_nodes": [{"args": %6$s, "kwargs": %5$s}]}],
                 "input_layers": [["query", 0, 0], ["value", 0, 0], ["mask", 0, 0]],
                 "output_layers": [["multi_head_attention", 0, 0]]},
                 "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": null}
                """.formatted(T, S, D, policy, kwargs, args);
    }

    private static final String MASK_KWARGS = """
            {"attention_mask": {"class_name": "__keras_tensor__", "config": {"shape": [null, %d, %d], "dtype": "float32", "keras_history": ["mask", 0, 0]}},
             "use_causal_mask": false}""".formatted(T, S);

    /** A Myelin model of the same layers, whose weights the file carries. */
    private static Model weightsSource() {
        SymbolicTensor q = Input.named("query", T, D), v = Input.named("value", S, D), m = Input.named("mask", T, S);
        MultiHeadAttention mha = new MultiHeadAttention(2, 3).name("multi_head_attention");
        Model model = new Model(List.of(q, v, m), List.of(mha.apply(q, v, null, m, false)));
        model.seed(17);
        return model;
    }

    private Path keras(String config, Model weights) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("metadata.json", "{\"keras_version\": \"3.6.0\", \"date_saved\": \"2026-12-07@00:00:00\"}".getBytes(StandardCharsets.UTF_8));
        entries.put("config.json", config.getBytes(StandardCharsets.UTF_8));
        entries.put("model.weights.h5", KerasExport.weights(weights));
        Path file = dir.resolve("masked_attention.keras");
        ZipArchive.write(file, entries);
        return file;
    }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(x, shape);
    }

    @Test
    void aKerasModelWithAnAttentionMaskKeywordImportsAndPredictsAsTheEagerMaskedCall() throws Exception {
        Model source = weightsSource();
        Model imported = KerasImport.load(keras(config(MASK_KWARGS), source));
        assertEquals(3, imported.inputs().size());
        assertEquals("mask", imported.outputs().getFirst().keywordTensors().get("attention_mask").inputName());

        float[] keep = new float[B * T * S];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < keep.length; i++) keep[i] = i % S == 0 || r.nextDouble() < 0.5 ? 1 : 0;
        Tensor q = random(1, B, T, D), v = random(2, B, S, D), m = Tensor.of(keep, B, T, S);
        MultiHeadAttention original = (MultiHeadAttention) source.layer("multi_head_attention");
        float[] eager = original.call(q, v, null, m, false, false).toFloatArray();
        assertArrayEquals(eager, imported.call(List.of(q, v, m), false).getFirst().toFloatArray(), "the imported model applies the mask");
        assertFalse(java.util.Arrays.equals(eager, original.call(q, v, null, null, false, false).toFloatArray()), "the mask matters");
    }

    @Test
    void queryAndValueGivenByNameAsKerasRecordsMhaQueryEqualsQValueEqualsV() throws Exception {
        // Keras records mha(query=q, value=v, attention_mask=m) with empty args and every tensor in kwargs
        String byName = MASK_KWARGS.replaceFirst("\\{", "{\"query\": " + QUERY + ", \"value\": " + VALUE + ", ");
        Model source = weightsSource();
        Model imported = KerasImport.load(keras(config("[]", byName), source));
        Tensor q = random(1, B, T, D), v = random(2, B, S, D), m = random(3, B, T, S).gt(0);
        float[] want = source.call(List.of(q, v, m), false).getFirst().toFloatArray();
        assertArrayEquals(want, imported.call(List.of(q, v, m), false).getFirst().toFloatArray());
        assertEquals(2, imported.outputs().getFirst().inputs().size(), "query and value are the call's inputs");

        // the value by name after the query by position reads too; the query twice is refused, naming it
        String valueByName = MASK_KWARGS.replaceFirst("\\{", "{\"value\": " + VALUE + ", ");
        Model mixed = KerasImport.load(keras(config("[" + QUERY + "]", valueByName), source));
        assertArrayEquals(want, mixed.call(List.of(q, v, m), false).getFirst().toFloatArray());
        String twice = MASK_KWARGS.replaceFirst("\\{", "{\"query\": " + QUERY + ", ");
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(keras(config(twice), source)));
        assertTrue(e.getMessage().contains("'query' is given both by position and by name"), e.getMessage());
    }

    @Test
    void anExportedMaskedModelImportsBackAndPredictsTheSame() throws Exception {
        Model source = weightsSource();
        Path file = dir.resolve("exported.keras");
        KerasExport.save(source, file);
        Model back = KerasImport.load(file);
        Tensor q = random(4, B, T, D), v = random(5, B, S, D), m = random(6, B, T, S).gt(0); // 0/1
        assertArrayEquals(source.call(List.of(q, v, m), false).getFirst().toFloatArray(), back.call(List.of(q, v, m), false).getFirst().toFloatArray());
    }

    /** {@code config} with the mask's InputLayer, and the call's reference to it, of dtype bool ({@code keras.Input(shape, dtype="bool")}). */
    private static String boolMask(String config) {
        String input = "\"dtype\": \"float32\", \"sparse\": false, \"name\": \"mask\"";
        assertTrue(config.contains(input));
        return config.replace(input, input.replace("float32", "bool"))
                .replace("\"dtype\": \"float32\", \"keras_history\": [\"mask\"", "\"dtype\": \"bool\", \"keras_history\": [\"mask\"");
    }

    @Test
    void aBoolMaskInputImportsAsA01FloatInputFullyMaskedRowsIncluded() throws Exception {
        for (boolean causal : new boolean[] {false, true}) {
            String kwargs = causal ? MASK_KWARGS.replace("\"use_causal_mask\": false", "\"use_causal_mask\": true") : MASK_KWARGS;
            String config = boolMask(config(kwargs));
            assertTrue(config.contains("\"dtype\": \"bool\", \"keras_history\": [\"mask\""));
            Model source = weightsSource();
            Model imported = KerasImport.load(keras(config, source));
            assertEquals("mask", imported.outputs().getFirst().keywordTensors().get("attention_mask").inputName());

            float[] keep = new float[B * T * S]; // example 0 fully padded; example 1's first query sees nothing
            SplittableRandom r = new SplittableRandom(5);
            for (int i = T * S; i < keep.length; i++) keep[i] = r.nextDouble() < 0.6 ? 1 : 0;
            java.util.Arrays.fill(keep, T * S, T * S + S, 0f);
            Tensor q = random(7, B, T, D), v = random(8, B, S, D), m = Tensor.of(keep, B, T, S);
            MultiHeadAttention original = (MultiHeadAttention) source.layer("multi_head_attention");
            float[] eager = original.call(q, v, null, m, causal, false).toFloatArray();
            assertArrayEquals(eager, imported.call(List.of(q, v, m), false).getFirst().toFloatArray(), "causal " + causal);
            assertFalse(java.util.Arrays.equals(eager, original.call(q, v, null, null, causal, false).toFloatArray()), "the mask matters");
        }
    }

    @Test
    void aBoolInputReadAsALayersInputIsRefusedNamingTheInputAndTheLayer() throws Exception {
        // mha(query, mask, attention_mask=mask): the bool mask as the value
        String maskAsValue = boolMask(config("[" + QUERY + ", " + VALUE.replace("[\"value\", 0, 0]", "[\"mask\", 0, 0]") + "]", MASK_KWARGS));
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(keras(maskAsValue, weightsSource())));
        assertTrue(e.getMessage().contains("InputLayer 'mask' has dtype bool") && e.getMessage().contains("'multi_head_attention'")
                && e.getMessage().contains("attention_mask"), e.getMessage());

        String sequential = """
                {"module": "keras", "class_name": "Sequential", "config": {"name": "seq", "trainable": true, "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "bool", "sparse": false, "name": "flags"}, "registered_name": null},
                  {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 2}, "registered_name": null}]},
                 "registered_name": null, "build_config": {"input_shape": [null, 4]}, "compile_config": null}""";
        var s = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(sequential));
        assertTrue(s.getMessage().contains("'seq'") && s.getMessage().contains("InputLayer 'flags' has dtype bool"), s.getMessage());
    }

    @Test
    void theWeightsSitWhereKeras3SavesMultiHeadAttentionsSublayers() {
        List<String> paths = KerasV3Layout.layers(weightsSource()).getFirst().groups().stream().map(KerasV3Layout.VarGroup::path).toList();
        assertEquals(List.of("layers/multi_head_attention/query_dense/vars", "layers/multi_head_attention/key_dense/vars",
                "layers/multi_head_attention/value_dense/vars", "layers/multi_head_attention/output_dense/vars"), paths);
    }

    @Test
    void aMaskKeywordNamingAMissingTensorIsRefusedNamingTheLayerAndKeyword() throws Exception {
        String missing = config(MASK_KWARGS.replace("[\"mask\", 0, 0]", "[\"padding\", 0, 0]"));
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(keras(missing, weightsSource())));
        assertTrue(e.getMessage().contains("'multi_head_attention'") && e.getMessage().contains("attention_mask")
                && e.getMessage().contains("padding"), e.getMessage());
    }

    @Test
    void aMaskOfTheWrongShapeIsRefusedNamingTheLayerKeywordAndShape() throws Exception {
        String wrong = config(MASK_KWARGS).replace("\"batch_shape\": [null, " + T + ", " + S + "]", "\"batch_shape\": [null, " + S + ", " + S + "]");
        var e = assertThrows(FileFormatException.class, () -> KerasImport.load(keras(wrong, weightsSource())));
        assertTrue(e.getMessage().contains("'multi_head_attention'") && e.getMessage().contains("attention_mask")
                && e.getMessage().contains("[batch, " + T + ", " + S + "]"), e.getMessage());
    }
}
