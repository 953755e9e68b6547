package dev.myelin.config;

import dev.myelin.io.Json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.backend.DType;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.init.Constant;
import dev.myelin.nn.init.HeNormal;
import dev.myelin.nn.init.VarianceScaling;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GatedFusion;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.GlobalMaxPooling1D;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.SinePositionEncoding;
import dev.myelin.nn.attention.TransformerDecoder;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.attention.TransformerSettings;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.layers.UpSampling2D;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.nn.recurrent.TimeDistributed;
import dev.myelin.nn.regularizers.L1L2;
import dev.myelin.nn.regularizers.L2;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import dev.myelin.testing.LayerTestHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every registered layer survives layer → config → JSON → config → layer, and configs are read strictly. */
class LayerRegistryTest {
    /** One harness case per registered class, with settings away from the defaults so that each one is serialized. */
    private static Map<String, LayerTestHarness> cases() {
        Map<String, LayerTestHarness> c = new LinkedHashMap<>();
        c.put("Dense", LayerTestHarness.of(() -> new Dense(3, Activation.GELU).kernelInitializer(new HeNormal())
                .biasInitializer(new Constant(0.1)).kernelRegularizer(new L2(0.02)).biasRegularizer(new L1L2(0.1, 0.2))
                .name("my_dense").trainable(false)).inputShape(2, 4));
        c.put("Conv1D", LayerTestHarness.of(() -> new Conv1D(2, 3, Activation.HARD_SIGMOID).padding(Conv1D.Padding1D.CAUSAL).dilation(2)
                .useBias(false)).inputShape(6, 2));
        c.put("Conv2D", LayerTestHarness.of(() -> new Conv2D(2, 3, 2, Activation.RELU).padding(Padding.SAME).dilation(2, 1).useBias(false))
                .inputShape(5, 4, 2));
        c.put("Conv2DTranspose", LayerTestHarness.of(() -> new Conv2DTranspose(2, 3).strides(2, 1).padding(Padding.SAME)
                .kernelInitializer(new VarianceScaling(2.0, VarianceScaling.Mode.FAN_AVG, VarianceScaling.Distribution.UNIFORM)))
                .inputShape(3, 3, 2));
        c.put("MaxPooling2D", LayerTestHarness.of(() -> new MaxPooling2D(3, 2).strides(1, 2).padding(Padding.SAME)).inputShape(4, 5, 2));
        c.put("AveragePooling2D", LayerTestHarness.of(() -> new AveragePooling2D(2).strides(1)).inputShape(4, 5, 2));
        c.put("GlobalAveragePooling2D", LayerTestHarness.of(() -> new GlobalAveragePooling2D().keepDims(true)).inputShape(3, 3, 2));
        c.put("GlobalMaxPooling2D", LayerTestHarness.of(GlobalMaxPooling2D::new).inputShape(3, 3, 2));
        c.put("Flatten", LayerTestHarness.of(Flatten::new).inputShape(2, 3, 2));
        c.put("Reshape", LayerTestHarness.of(() -> new Reshape(-1, 2)).inputShape(3, 2));
        c.put("Dropout", LayerTestHarness.of(() -> new Dropout(0.3).seed(7)).inputShape(4));
        c.put("BatchNormalization", LayerTestHarness.of(() -> new BatchNormalization().axis(1).momentum(0.9).epsilon(1e-2).center(false)
                .gammaRegularizer(new L2())).inputShape(3, 2));
        c.put("Activation", LayerTestHarness.of(() -> new ActivationLayer(Activation.SOFTMAX)).inputShape(4));
        c.put("LeakyReLU", LayerTestHarness.of(() -> new LeakyReLU(0.1)).inputShape(4));
        c.put("UpSampling2D", LayerTestHarness.of(() -> new UpSampling2D(2, 3)).inputShape(2, 2, 1));
        c.put("QuantizedDense", LayerTestHarness.of(() -> new dev.myelin.compress.quant.QuantizedDense(3, Activation.RELU, false,
                new dev.myelin.compress.quant.ActivationQuantization(0.05, -7)).name("q_dense")).inputShape(2, 4));
        c.put("QuantizedConv2D", LayerTestHarness.of(() -> new dev.myelin.compress.quant.QuantizedConv2D(2, 3, 2,
                dev.myelin.tensor.ConvOptions.defaults().strides(2, 1).padding(Padding.SAME), Activation.TANH, true,
                new dev.myelin.compress.quant.ActivationQuantization(0.125, 3))).inputShape(5, 4, 2));
        c.put("Bf16Dense", LayerTestHarness.of(() -> new dev.myelin.compress.bf16.Bf16Dense(3, Activation.RELU, false).name("h_dense")).inputShape(2, 4));
        c.put("Bf16Conv2D", LayerTestHarness.of(() -> new dev.myelin.compress.bf16.Bf16Conv2D(2, 3, 2,
                dev.myelin.tensor.ConvOptions.defaults().strides(2, 1).padding(Padding.SAME), Activation.TANH, true)).inputShape(5, 4, 2));
        c.put("SimpleRNN", LayerTestHarness.of(() -> new SimpleRNN(3).returnSequences(true).goBackwards(true).dtype(DType.FLOAT32))
                .inputShape(4, 2));
        c.put("LSTM", LayerTestHarness.of(() -> new LSTM(3).unitForgetBias(false).dropout(0.2).recurrentDropout(0.1).seed(3)
                .fused(false).returnState(true)).inputShape(4, 2));
        c.put("GRU", LayerTestHarness.of(() -> new GRU(2).useBias(false).fused(true).recurrentActivation(Activation.LEGACY_HARD_SIGMOID))
                .inputShape(3, 2));
        c.put("Bidirectional", LayerTestHarness.of(() -> new Bidirectional(new LSTM(2).returnSequences(true).name("enc"),
                Bidirectional.Merge.SUM)).inputShape(3, 2));
        c.put("TimeDistributed", LayerTestHarness.of(() -> new TimeDistributed(new Dense(3, Activation.TANH))).inputShape(4, 2));
        c.put("Embedding", LayerTestHarness.of(() -> new Embedding(6, 4).maskZero(true)).inputShape(5).tokenIds(6));
        c.put("Masking", LayerTestHarness.of(() -> new Masking(0.5)).inputShape(3, 2));
        c.put("LayerNormalization", LayerTestHarness.of(() -> new LayerNormalization().axis(1).epsilon(1e-2).center(false)
                .gammaRegularizer(new L2())).inputShape(3, 2));
        c.put("GlobalAveragePooling1D", LayerTestHarness.of(() -> new GlobalAveragePooling1D().keepDims(true)).inputShape(3, 2));
        c.put("GlobalMaxPooling1D", LayerTestHarness.of(GlobalMaxPooling1D::new).inputShape(3, 2));
        c.put("MultiHeadAttention", LayerTestHarness.of(() -> new MultiHeadAttention(2, 3).valueDim(2).outputShape(5).dropout(0.1).seed(4)
                .kernelInitializer(new HeNormal()).biasRegularizer(new L2())).inputShape(3, 4));
        c.put("TransformerEncoder", LayerTestHarness.of(() -> new TransformerEncoder(TransformerSettings.defaults(6, 2).withDropout(0.1)
                .withActivation(Activation.GELU_APPROXIMATE).withLayerNormEpsilon(1e-3).withNormalizeFirst(true))).inputShape(3, 4));
        c.put("TransformerDecoder", LayerTestHarness.of(() -> new TransformerDecoder(TransformerSettings.defaults(5, 2)
                .withInitializers(new HeNormal(), new Constant(0.1)))).inputShape(3, 4));
        c.put("GatedFusion", LayerTestHarness.of(() -> new GatedFusion(3).biasInitializer(new Constant(0.1)).kernelInitializer(new HeNormal()))
                .inputShape(2, 4));
        c.put("PositionEmbedding", LayerTestHarness.of(() -> new PositionEmbedding(5).initializer(new HeNormal())).inputShape(3, 2));
        c.put("SinePositionEncoding", LayerTestHarness.of(() -> new SinePositionEncoding().maxWavelength(100)).inputShape(3, 4));
        return c;
    }

    /** Merge layers take several inputs, which the harness does not drive. */
    private static final Map<String, Supplier<MergeLayer>> MERGE_CASES = Map.of(
            "Add", Add::new,
            "Concatenate", () -> new Concatenate(1));

    @Test
    void everyRegisteredLayerHasARoundTripCase() {
        TreeSet<String> covered = new TreeSet<>(cases().keySet());
        covered.addAll(MERGE_CASES.keySet());
        assertEquals(Registries.LAYERS.classNames(), covered,
                "each class in Registries.LAYERS needs a case here (and each case a registered class)");
    }

    /** Reads the sources (no class loading by name): each concrete layer of nn.layers and nn.recurrent must be registered. */
    @Test
    void everyLayerClassIsRegistered() throws IOException {
        Set<String> registered = new TreeSet<>();
        for (String name : Registries.LAYERS.classNames()) registered.add(Registries.LAYERS.typeOf(name).getSimpleName());
        Pattern layerClass = Pattern.compile(
                "public final class (\\w+) extends (Layer|MergeLayer|Pooling2D|GlobalPooling2D|KernelLayer<\\w+>|RecurrentLayer<\\w+>) ");
        TreeSet<String> found = new TreeSet<>();
        for (String dir : List.of("src/main/java/dev/myelin/nn/layers", "src/main/java/dev/myelin/nn/recurrent", "src/main/java/dev/myelin/nn/attention")) {
            try (var files = Files.list(Path.of(dir))) {
                for (var f : files.toList()) {
                    var m = layerClass.matcher(Files.readString(f));
                    if (m.find()) found.add(m.group(1));
                }
            }
        }
        assertTrue(found.size() >= 23, "layer sources found: " + found);
        found.removeAll(registered);
        assertEquals(new TreeSet<>(), found, "layers without a registry entry (add config(), fromConfig and a line in LayerCodecs)");
    }

    @Test
    void everyLayerRoundTripsThroughJson() {
        cases().forEach((name, harness) -> harness.checkConfigRoundTrip());
    }

    @Test
    void everyLayerRoundTripsThroughAModelFile(@org.junit.jupiter.api.io.TempDir Path folder) throws IOException {
        for (var c : cases().entrySet()) c.getValue().checkSaveLoadRoundTrip(folder);
    }

    @Test
    void mergeLayersRoundTripThroughJson() {
        Tensor a = Tensor.uniform(new SplittableRandom(1), -1, 1, 2, 3);
        Tensor b = Tensor.uniform(new SplittableRandom(2), -1, 1, 2, 3);
        MERGE_CASES.forEach((name, make) -> {
            MergeLayer layer = make.get();
            Object json = Json.parse(Json.write(Registries.layerToJson(layer)));
            MergeLayer copy = assertInstanceOf(MergeLayer.class, Registries.layerFromJson(json));
            assertEquals(layer.config(), copy.config(), name);
            assertArrayEquals(layer.call(List.of(a, b), false).toDoubleArray(), copy.call(List.of(a, b), false).toDoubleArray(), name);
        });
    }

    @Test
    void writesKerasConfigShape() {
        Dense d = new Dense(10, Activation.SOFTMAX).name("dense");
        d.build(Shape.of(784), new SplittableRandom(1));
        Map<String, Object> json = Registries.layerToJson(d);
        assertEquals("keras.layers", json.get("module"));
        assertEquals("Dense", json.get("class_name"));
        assertEquals(Map.of("input_shape", Arrays.asList(null, 784)), json.get("build_config"));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) json.get("config");
        assertEquals(List.of("name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                "kernel_regularizer", "bias_regularizer"), List.copyOf(config.keySet()));
        assertEquals("dense", config.get("name"));
        assertEquals(true, config.get("trainable"));
        assertEquals("float32", config.get("dtype"));
        assertEquals(10, config.get("units"));
        assertEquals("softmax", config.get("activation"));
        Map<String, Object> init = new LinkedHashMap<>();
        init.put("module", "keras.initializers");
        init.put("class_name", "GlorotUniform");
        init.put("config", Collections.singletonMap("seed", null));
        assertEquals(init, config.get("kernel_initializer"));
    }

    @Test
    void readsKerasWrittenConfigs() {
        // as Keras 3 writes them: registered_name, a DTypePolicy, arguments at their defaults that Myelin lacks
        Object json = Json.parse("""
                {"module": "keras.layers", "class_name": "Conv2D", "registered_name": null,
                 "config": {"name": "conv2d_7", "trainable": true,
                   "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                   "filters": 8, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
                   "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": true,
                   "kernel_initializer": {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null}, "registered_name": null},
                   "bias_initializer": "zeros", "kernel_regularizer": null, "bias_regularizer": null,
                   "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                 "build_config": {"input_shape": [null, 28, 28, 1]}}
                """);
        Layer l = Registries.layerFromJson(json);
        Conv2D c = assertInstanceOf(Conv2D.class, l);
        assertFalse(c.isBuilt());
        assertEquals("conv2d_7", c.name());
        assertEquals(Activation.RELU, c.activation());
        assertEquals(new HeNormal(), c.kernelSettings().kernelInitializer());
        assertEquals(null, c.declaredInputShape(), "build_config is left to the caller");
        assertEquals(Shape.of(28, 28, 1), Registries.buildInputShape(json));
        assertEquals(Shape.of(26, 26, 8), c.outputShape(Shape.of(28, 28, 1)));
    }

    @Test
    void readsKerasConv1dAndRecurrentConfigs() {
        // Keras 2.3 (the interop fixture) and Keras 3 write 1-D sizes as lists of one; ints are accepted too
        Conv1D c = assertInstanceOf(Conv1D.class, Registries.layerFromJson(Json.parse("""
                {"class_name": "Conv1D", "config": {"name": "conv0", "trainable": true, "dtype": "float32", "filters": 4,
                 "kernel_size": [3], "strides": [1], "padding": "causal", "data_format": "channels_last", "dilation_rate": [2],
                 "groups": 1, "activation": "hard_sigmoid", "use_bias": true, "kernel_initializer": {"class_name": "VarianceScaling",
                 "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
                 "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
                 "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
                """)));
        assertEquals(3, c.kernelSize());
        assertEquals(2, c.dilation());
        assertEquals(Conv1D.Padding1D.CAUSAL, c.padding());
        assertEquals(Activation.HARD_SIGMOID, c.activation());
        assertEquals(Shape.of(10, 4), c.outputShape(Shape.of(10, 3)));
        // Keras 3's LSTM config carries RNN's zero_output_for_mask; tf.keras 2.x's time_major
        LSTM lstm = assertInstanceOf(LSTM.class, Registries.layerFromJson(Json.parse("""
                {"class_name": "LSTM", "config": {"name": "lstm", "units": 4, "return_sequences": false, "return_state": false,
                 "go_backwards": false, "stateful": false, "unroll": false, "zero_output_for_mask": false, "time_major": false,
                 "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": true, "unit_forget_bias": true,
                 "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null}}
                """)));
        assertEquals(Activation.HARD_SIGMOID, lstm.recurrentActivation());
        Conv1D s = assertInstanceOf(Conv1D.class, Registries.layerFromJson(Json.parse(
                "{\"type\": \"Conv1D\", \"filters\": 2, \"kernel_size\": 5, \"strides\": 2, \"padding\": \"same\"}")));
        assertEquals(Shape.of(5, 2), s.outputShape(Shape.of(9, 1)));
        assertRefused("{\"class_name\": \"Conv1D\", \"config\": {\"filters\": 2, \"kernel_size\": [3, 3]}}", "'kernel_size'", "list of one");
        assertRefused("{\"class_name\": \"Conv1D\", \"config\": {\"filters\": 2, \"kernel_size\": 3, \"padding\": \"full\"}}",
                "'padding'", "[valid, same, causal]");
        assertRefused("{\"class_name\": \"Conv1D\", \"config\": {\"filters\": 2, \"kernel_size\": 3, \"strides\": 2, \"dilation_rate\": 2}}",
                "strides", "dilation");
        assertRefused("{\"class_name\": \"Conv1D\", \"config\": {\"filters\": 2, \"kernel_size\": 3, \"data_format\": \"channels_first\"}}",
                "'data_format'");
        GRU resetBefore = assertInstanceOf(GRU.class, Registries.layerFromJson(Json.parse("{\"class_name\": \"GRU\", \"config\": {\"units\": 2, \"reset_after\": false}}")));
        assertFalse(resetBefore.resetAfter(), "Keras 2's reset_after=false GRU is read");
        assertEquals(false, Registries.LAYERS.toJson(resetBefore).get("config") instanceof java.util.Map<?, ?> m ? m.get("reset_after") : null, "and written back");
        assertTrue(assertInstanceOf(GRU.class, Registries.layerFromJson(Json.parse("{\"class_name\": \"GRU\", \"config\": {\"units\": 2}}"))).resetAfter());
        assertRefused("{\"class_name\": \"LSTM\", \"config\": {\"units\": 2, \"zero_output_for_mask\": true}}", "'zero_output_for_mask'", "false");
        assertRefused("{\"class_name\": \"LSTM\", \"config\": {\"units\": 2, \"recurrent_activation\": \"hard_swish\"}}",
                "'recurrent_activation'", "unknown activation 'hard_swish'");
    }

    @Test
    void refusesUnknownClassesArgumentsAndWrongTypes() {
        assertRefused("{\"class_name\": \"Dense2\", \"config\": {}}", "unknown layer type \"Dense2\"", "Conv2D", "LSTM");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"unit\": 3}}", "layer 'Dense'", "unknown argument 'unit'", "units");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": \"ten\"}}", "layer 'Dense'", "'units'", "expected an integer", "\"ten\"");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2.5}}", "'units'", "expected an integer");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {}}", "layer 'Dense'", "missing required argument 'units'");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"name\": \"head\", \"units\": -1.5}}", "layer 'head' (Dense)", "'units'");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"activation\": \"relu6\"}}", "'activation'", "unknown activation 'relu6'");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"use_bias\": 1}}", "'use_bias'", "true or false");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"kernel_constraint\": \"non_neg\"}}",
                "'kernel_constraint'", "supported only as null");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"kernel_initializer\": {\"class_name\": \"Magic\", \"config\": {}}}}",
                "layer 'Dense'", "'kernel_initializer'", "unknown initializer type \"Magic\"", "GlorotUniform");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"kernel_initializer\": {\"class_name\": \"HeNormal\", \"config\": {\"seed\": 1}}}}",
                "'seed'", "supported only as null");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"dtype\": \"int8\"}}", "'dtype'", "\"int8\"");
        assertRefused("{\"class_name\": \"Conv2D\", \"config\": {\"filters\": 2, \"kernel_size\": [3, 3, 3]}}", "'kernel_size'", "pair");
        assertRefused("{\"class_name\": \"Conv2D\", \"config\": {\"filters\": 2, \"kernel_size\": 3, \"data_format\": \"channels_first\"}}",
                "'data_format'", "\"channels_last\"");
        assertRefused("{\"class_name\": \"MaxPooling2D\", \"config\": {\"padding\": \"full\"}}", "'padding'", "[valid, same]", "\"full\"");
        assertRefused("{\"class_name\": \"LSTM\", \"config\": {\"units\": 2, \"activation\": \"relu\"}}", "layer 'LSTM'", "'activation'", "\"tanh\"");
        assertRefused("{\"class_name\": \"LSTM\", \"config\": {\"units\": 2, \"dropout\": 1.5}}", "layer 'LSTM'", "dropout");
        assertRefused("{\"type\": \"Bidirectional\", \"layer\": {\"type\": \"Dense\", \"units\": 4}}", "LSTM, GRU or SimpleRNN", "\"Dense\"");
        assertRefused("{\"class_name\": \"Dense\", \"config\": [1]}", "\"config\" must be a JSON object");
        assertRefused("{\"module\": \"torch.nn\", \"class_name\": \"Dense\", \"config\": {\"units\": 1}}", "Keras module");
        assertRefused("\"dense\"", "layer must be an object");
        assertRefused("{\"class_name\": \"Dense\", \"config\": {\"units\": 2}, \"build_config\": {\"input_shape\": [4]}}", "starting with null");
    }

    @Test
    void shortFormOfModelFiles() {
        Layer l = Registries.layerFromJson(Json.parse("{\"type\": \"Bidirectional\", \"layer\": {\"type\": \"GRU\", \"units\": 4}, \"merge_mode\": \"ave\"}"));
        Bidirectional b = assertInstanceOf(Bidirectional.class, l);
        assertInstanceOf(GRU.class, b.forwardLayer());
        assertTrue(b.backwardLayer().goBackwards());
        assertEquals(Bidirectional.Merge.AVE, b.config().merge());
    }

    private static void assertRefused(String json, String... parts) {
        var e = assertThrows(IllegalArgumentException.class, () -> Registries.layerFromJson(Json.parse(json)), json);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }
}
