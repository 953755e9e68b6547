package dev.myelin.keras;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates a legacy Keras 1/2 {@code model_config} (and {@code training_config}) into the Keras 3
 * {@code config.json} form that Myelin's model reader takes. Only names and layouts change; values are kept.
 *
 * <ul>
 *   <li>{@code Sequential} whose config is a bare layer list (Keras &lt; 2.2) or {@code {name, layers}}; the
 *       first layer's {@code batch_input_shape} becomes an {@code InputLayer} with {@code batch_shape};
 *   <li>functional {@code Model}: inbound nodes {@code [[[name, node, tensor, {}], ...]]} become
 *       {@code {"args": [tensor or [tensors]], "kwargs": {}}} with {@code keras_history};
 *   <li>Keras 1 argument names ({@code output_dim}, {@code init}, {@code inner_init},
 *       {@code inner_activation}, {@code W_regularizer}, ...), {@code LeakyReLU}'s {@code alpha};
 *   <li>Keras 2 {@code VarianceScaling} {@code distribution: "normal"} (truncated in Keras 2) becomes
 *       {@code "truncated_normal"};
 *   <li>{@code "hard_sigmoid"} (as {@code activation} or {@code recurrent_activation}) becomes
 *       {@code "legacy_hard_sigmoid"}, {@code clip(0.2·x + 0.5, 0, 1)}, unless Keras 3 wrote the file;
 *   <li>a GRU without {@code reset_after} (Keras 1, early Keras 2) gets {@code reset_after: false}, the
 *       cell that applies the reset gate before the recurrent product; Keras 1's {@code consume_less} and
 *       Keras 2's {@code implementation} (compute layouts) are dropped;
 *   <li>{@code training_config}'s optimizer ({@code lr} becomes {@code learning_rate}), loss and metrics
 *       become {@code compile_config}.
 * </ul>
 */
final class LegacyConfig {
    private LegacyConfig() {}

    private static final Map<String, String> KERAS1_NAMES = Map.ofEntries(
            Map.entry("output_dim", "units"), Map.entry("init", "kernel_initializer"),
            Map.entry("inner_init", "recurrent_initializer"), Map.entry("inner_activation", "recurrent_activation"),
            Map.entry("bias", "use_bias"), Map.entry("W_regularizer", "kernel_regularizer"),
            Map.entry("U_regularizer", "recurrent_regularizer"), Map.entry("b_regularizer", "bias_regularizer"),
            Map.entry("W_constraint", "kernel_constraint"), Map.entry("U_constraint", "recurrent_constraint"),
            Map.entry("b_constraint", "bias_constraint"), Map.entry("dropout_W", "dropout"), Map.entry("dropout_U", "recurrent_dropout"));
    /**
     * Dropped arguments: input shapes (an InputLayer carries them), and the compute layouts of recurrent
     * layers, Keras 1's {@code consume_less} and Keras 2's {@code implementation}, which change how Keras
     * ran the steps, not the result (the weight layout they imply is read from the weights).
     */
    private static final List<String> DROPPED = List.of("batch_input_shape", "input_dtype", "input_dim", "input_length", "consume_less",
            "implementation");
    /** Myelin's name of the hard sigmoid of Keras 1/2 ({@code dev.myelin.nn.Activation.LEGACY_HARD_SIGMOID}). */
    static final String LEGACY_HARD_SIGMOID = "legacy_hard_sigmoid";

    /** The Keras 3 model tree for a legacy {@code model_config} tree saved by Keras 1/2 or tf.keras 2.x. */
    static Map<String, Object> model(Object modelConfig, Object trainingConfig) {
        return model(modelConfig, trainingConfig, false);
    }

    /**
     * The Keras 3 model tree for a legacy {@code model_config} tree; {@code trainingConfig} (nullable)
     * becomes {@code compile_config}. {@code savedByKeras3}: the file's {@code keras_version} is 3.x (Keras 3
     * still writes this format), whose {@code "hard_sigmoid"} is Keras 3's; before Keras 3 the name meant
     * {@code clip(0.2·x + 0.5, 0, 1)}, Myelin's {@code "legacy_hard_sigmoid"}.
     */
    static Map<String, Object> model(Object modelConfig, Object trainingConfig, boolean savedByKeras3) {
        Map<String, Object> tree = translate(modelConfig, trainingConfig);
        if (!savedByKeras3) renameLegacyHardSigmoid(tree);
        return tree;
    }

    /** Every {@code activation} / {@code recurrent_activation} named {@code "hard_sigmoid"}, nested layers included. */
    @SuppressWarnings("unchecked")
    private static void renameLegacyHardSigmoid(Object node) {
        if (node instanceof Map<?, ?> m) {
            for (var e : ((Map<String, Object>) m).entrySet()) {
                boolean activationKey = e.getKey().equals("activation") || e.getKey().equals("recurrent_activation");
                if (activationKey && "hard_sigmoid".equals(e.getValue())) {
                    e.setValue(LEGACY_HARD_SIGMOID);
                } else {
                    renameLegacyHardSigmoid(e.getValue());
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) renameLegacyHardSigmoid(o);
        }
    }

    private static Map<String, Object> translate(Object modelConfig, Object trainingConfig) {
        Map<String, Object> root = asMap(modelConfig, "model_config");
        String className = String.valueOf(root.get("class_name"));
        Object config = root.get("config");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("module", "keras");
        switch (className) {
            case "Sequential" -> {
                out.put("class_name", "Sequential");
                out.put("config", sequential(config));
            }
            case "Model", "Functional" -> {
                out.put("class_name", "Functional");
                out.put("config", functional(asMap(config, "model_config config")));
            }
            default -> out.put("class_name", className); // refused by the caller, naming it
        }
        out.put("registered_name", null);
        if (trainingConfig != null) out.put("compile_config", compile(asMap(trainingConfig, "training_config")));
        return out;
    }

    private static Map<String, Object> sequential(Object config) {
        String name = "sequential";
        List<?> layers;
        if (config instanceof List<?> list) {
            layers = list;
        } else {
            Map<String, Object> m = asMap(config, "Sequential config");
            if (m.get("name") instanceof String s) name = s;
            layers = asList(m.get("layers"), "Sequential layers");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> layer = asMap(layers.get(i), "Sequential layer " + i);
            Map<String, Object> cfg = asMap(layer.get("config"), "Sequential layer " + i + " config");
            if (i == 0 && cfg.get("batch_input_shape") != null && !"InputLayer".equals(layer.get("class_name"))) {
                Map<String, Object> input = new LinkedHashMap<>();
                input.put("batch_shape", anyBatch(cfg.get("batch_input_shape")));
                input.put("dtype", "float32");
                input.put("name", cfg.getOrDefault("name", "layer") + "_input");
                out.add(envelope("InputLayer", input));
            }
            out.add(layer(layer));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("layers", out);
        return m;
    }

    private static Map<String, Object> functional(Map<String, Object> config) {
        List<Object> layers = new ArrayList<>();
        for (Object entry : asList(config.get("layers"), "Model layers")) {
            Map<String, Object> raw = asMap(entry, "Model layer");
            Map<String, Object> layer = layer(raw);
            layer.put("name", raw.get("name"));
            List<Object> nodes = new ArrayList<>();
            for (Object node : asList(raw.getOrDefault("inbound_nodes", List.of()), "inbound_nodes of '" + raw.get("name") + "'")) {
                List<Object> tensors = new ArrayList<>();
                for (Object ref : asList(node, "inbound node of '" + raw.get("name") + "'")) {
                    List<?> r = asList(ref, "inbound tensor of '" + raw.get("name") + "'");
                    if (r.size() < 3) throw new IllegalArgumentException("layer '" + raw.get("name") + "': an inbound tensor must be [layer, node, tensor, ...], got " + r);
                    Map<String, Object> tc = new LinkedHashMap<>();
                    tc.put("dtype", "float32");
                    tc.put("keras_history", List.of(r.get(0), r.get(1), r.get(2)));
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("class_name", "__keras_tensor__");
                    t.put("config", tc);
                    tensors.add(t);
                }
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("args", tensors.size() == 1 ? List.of(tensors.get(0)) : List.of(tensors));
                call.put("kwargs", new LinkedHashMap<>());
                nodes.add(call);
            }
            layer.put("inbound_nodes", nodes);
            layers.add(layer);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.getOrDefault("name", "model"));
        m.put("layers", layers);
        m.put("input_layers", config.get("input_layers"));
        m.put("output_layers", config.get("output_layers"));
        return m;
    }

    /** One layer's {@code {class_name, config}} in Keras 3 names. */
    static Map<String, Object> layer(Map<String, Object> layer) {
        String className = String.valueOf(layer.get("class_name"));
        Map<String, Object> cfg = new LinkedHashMap<>(asMap(layer.get("config"), "layer '" + className + "' config"));
        if (className.equals("InputLayer")) {
            if (cfg.containsKey("batch_input_shape")) cfg.put("batch_shape", anyBatch(cfg.remove("batch_input_shape")));
            cfg.remove("input_dtype");
            return envelope(className, cfg);
        }
        for (String key : DROPPED) cfg.remove(key);
        for (var e : KERAS1_NAMES.entrySet()) {
            if (cfg.containsKey(e.getKey()) && !cfg.containsKey(e.getValue())) cfg.put(e.getValue(), cfg.remove(e.getKey()));
        }
        if (cfg.containsKey("forget_bias_init")) cfg.put("unit_forget_bias", "one".equals(cfg.remove("forget_bias_init")));
        if (className.equals("LeakyReLU") && cfg.containsKey("alpha")) cfg.put("negative_slope", cfg.remove("alpha"));
        // a GRU saved without reset_after is Keras 1's or early Keras 2's: the reset gate before the recurrent product
        if (className.equals("GRU") && !cfg.containsKey("reset_after")) cfg.put("reset_after", false);
        for (var e : cfg.entrySet()) {
            if (e.getKey().endsWith("_initializer") && e.getValue() instanceof Map<?, ?> init) e.setValue(initializer(init));
        }
        return envelope(className, cfg);
    }

    /** A batch shape with its batch size dropped: a Keras 2 model built for a fixed batch (stateful) predicts any. */
    private static Object anyBatch(Object batchShape) {
        if (!(batchShape instanceof List<?> dims) || dims.isEmpty()) return batchShape;
        List<Object> out = new ArrayList<>(dims);
        out.set(0, null);
        return out;
    }

    private static Object initializer(Map<?, ?> init) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : init.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        if ("VarianceScaling".equals(out.get("class_name")) && out.get("config") instanceof Map<?, ?> c && "normal".equals(c.get("distribution"))) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            for (var e : c.entrySet()) cfg.put(String.valueOf(e.getKey()), e.getValue());
            cfg.put("distribution", "truncated_normal");
            out.put("config", cfg);
        }
        return out;
    }

    private static Map<String, Object> compile(Map<String, Object> training) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (training.get("optimizer_config") instanceof Map<?, ?> opt) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("class_name", opt.get("class_name"));
            Map<String, Object> cfg = new LinkedHashMap<>();
            if (opt.get("config") instanceof Map<?, ?> c) for (var e : c.entrySet()) cfg.put(String.valueOf(e.getKey()), e.getValue());
            if (cfg.containsKey("lr")) cfg.put("learning_rate", cfg.remove("lr"));
            if (cfg.get("decay") instanceof Number d && d.doubleValue() == 0) cfg.remove("decay");
            o.put("config", cfg);
            out.put("optimizer", o);
        }
        out.put("loss", training.get("loss"));
        out.put("metrics", training.get("metrics"));
        return out;
    }

    private static Map<String, Object> envelope(String className, Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("module", "keras.layers");
        m.put("class_name", className);
        m.put("config", config);
        m.put("registered_name", null);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) throw new IllegalArgumentException(what + " must be a JSON object, got " + (o == null ? "null" : o.getClass().getSimpleName()));
        return new LinkedHashMap<>((Map<String, Object>) o);
    }

    private static List<?> asList(Object o, String what) {
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException(what + " must be a JSON list, got " + (o == null ? "null" : o.getClass().getSimpleName()));
        return l;
    }
}
