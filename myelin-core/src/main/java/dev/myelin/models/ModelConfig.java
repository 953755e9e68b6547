package dev.myelin.models;

import dev.myelin.config.ConfigArgs;
import dev.myelin.config.Registries;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's architecture as Keras 3 writes it in a {@code .keras} file's {@code config.json}: a
 * {@code Sequential} as its list of layers, any other model as a {@code Functional} graph (the layers, each
 * with the {@code inbound_nodes} of its calls, and the {@code input_layers}/{@code output_layers}), with the
 * training setup as {@code compile_config}. Layers are read through {@link Registries#LAYERS}: only
 * registered classes, never a class named by the file.
 *
 * <p>Functional form (one Dense on one input):
 * <pre>{@code
 * {"module": "keras", "class_name": "Functional", "registered_name": "Functional",
 *  "config": {"name": "model", "trainable": true,
 *    "layers": [
 *      {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32",
 *       "sparse": false, "name": "input"}, "registered_name": null, "name": "input", "inbound_nodes": []},
 *      {"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": null,
 *       "build_config": {"input_shape": [null, 4]}, "name": "dense",
 *       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4],
 *         "dtype": "float32", "keras_history": ["input", 0, 0]}}], "kwargs": {}}]}],
 *    "input_layers": [["input", 0, 0]], "output_layers": [["dense", 0, 0]]},
 *  "compile_config": {...}}
 * }</pre>
 * A node index counts a layer's calls within the model (a shared layer has several), as Keras reindexes
 * them on saving. A merge layer's tensors are one list ({@code "args": [[a, b]]}, {@code Add()([a, b])}) or
 * positional ({@code "args": [query, value]}, {@code MultiHeadAttention()(query, value)}:
 * {@link MergeLayer#takesInputList()}); either form reads back. A call's keyword arguments are its
 * {@code kwargs}, a tensor among them written as a tensor argument is ({@code "attention_mask": {"class_name":
 * "__keras_tensor__", "config": {"shape": ..., "dtype": ..., "keras_history": ["mask", 0, 0]}}}), read like an
 * input of the call.
 *
 * <p>Inputs are float. An {@code InputLayer} of dtype {@code "bool"} ({@code keras.Input(shape, dtype="bool")}, a
 * boolean attention mask) reads as a float input fed 1 for true and 0 for false (Myelin has no bool tensors;
 * MultiHeadAttention's masks attend above 0.5), and only as a MultiHeadAttention call's {@code attention_mask}:
 * a layer reading it as an input is refused, naming both. Other dtypes (such as int32 token ids) read as floats.
 */
final class ModelConfig {
    private static final String TENSOR = "__keras_tensor__";

    private ModelConfig() {}

    // =====================================================================================
    // Writing
    // =====================================================================================

    /** The model's {@code config.json} tree, with {@code compile_config} when it is compiled. */
    static Map<String, Object> toJson(Model model) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("module", "keras");
        if (model instanceof Sequential seq) {
            out.put("class_name", "Sequential");
            out.put("config", sequentialConfig(seq));
            out.put("registered_name", null);
            out.put("build_config", map("input_shape", seq.inputs().isEmpty() ? null : batchShape(seq.inputs().get(0).shape())));
        } else {
            out.put("class_name", "Functional");
            out.put("config", functionalConfig(model));
            out.put("registered_name", "Functional");
            out.put("build_config", map("input_shape", null));
        }
        out.put("compile_config", compileConfig(model));
        return out;
    }

    private static Map<String, Object> sequentialConfig(Sequential seq) {
        List<Object> layers = new ArrayList<>();
        if (!seq.inputs().isEmpty()) layers.add(inputLayer(seq.inputs().get(0)));
        for (Layer l : seq.layers()) layers.add(layerJson(l));
        return map("name", seq.name(), "trainable", true, "dtype", "float32", "layers", layers);
    }

    private static Map<String, Object> functionalConfig(Model model) {
        Map<Layer, List<SymbolicTensor>> calls = callsByLayer(model);
        Set<String> names = new LinkedHashSet<>();
        List<Object> layers = new ArrayList<>();
        for (SymbolicTensor in : model.inputs()) {
            requireUnique(names, in.inputName(), model);
            Map<String, Object> entry = inputLayer(in);
            entry.put("name", in.inputName());
            entry.put("inbound_nodes", List.of());
            layers.add(entry);
        }
        for (var e : calls.entrySet()) {
            Layer layer = e.getKey();
            requireUnique(names, layer.name(), model);
            Map<String, Object> entry = layerJson(layer);
            entry.put("name", layer.name());
            List<Object> nodes = new ArrayList<>();
            for (SymbolicTensor call : e.getValue()) {
                List<Object> tensors = new ArrayList<>();
                for (SymbolicTensor arg : call.inputs()) tensors.add(tensorRef(arg, calls));
                Object args = layer instanceof MergeLayer merge && merge.takesInputList() ? List.of(tensors) : tensors;
                Map<String, Object> kwargs = new LinkedHashMap<>();
                if (layer instanceof ModelLayer nested && nested.fixedTraining() != null) kwargs.put("training", nested.fixedTraining());
                call.callOptions().forEach((keyword, value) -> // a tensor-valued keyword as Keras writes it: a __keras_tensor__
                        kwargs.put(keyword, value instanceof SymbolicTensor t ? tensorRef(t, calls) : value));
                nodes.add(map("args", args, "kwargs", kwargs));
            }
            entry.put("inbound_nodes", nodes);
            layers.add(entry);
        }
        List<Object> ins = new ArrayList<>();
        for (SymbolicTensor in : model.inputs()) ins.add(history(in, calls));
        List<Object> outs = new ArrayList<>();
        for (SymbolicTensor out : model.outputs()) outs.add(history(out, calls));
        return map("name", model.name(), "trainable", true, "layers", layers, "input_layers", ins, "output_layers", outs);
    }

    /** A layer's entry; a nested model's is its own model config (without compile settings), as Keras writes it. */
    private static Map<String, Object> layerJson(Layer layer) {
        if (!(layer instanceof ModelLayer nested)) return Registries.layerToJson(layer);
        Map<String, Object> entry = toJson(nested.model());
        entry.remove("compile_config");
        if (!nested.model().isBuilt() && !nested.model().inputs().isEmpty()) nested.model().build();
        return entry;
    }

    /** Each layer's calls within the model, in call order (the node index is the position). */
    private static Map<Layer, List<SymbolicTensor>> callsByLayer(Model model) {
        Map<Layer, List<SymbolicTensor>> calls = new LinkedHashMap<>();
        for (SymbolicTensor t : model.steps()) calls.computeIfAbsent(t.layer(), k -> new ArrayList<>()).add(t);
        return calls;
    }

    private static void requireUnique(Set<String> names, String name, Model model) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("model '" + model.name() + "' has two layers or inputs named '" + name
                    + "'; names identify layers in a saved model, so rename one (layer.name(\"...\")) before saving");
        }
    }

    private static Map<String, Object> tensorRef(SymbolicTensor t, Map<Layer, List<SymbolicTensor>> calls) {
        return map("class_name", TENSOR, "config", map("shape", batchShape(t.shape()), "dtype", "float32", "keras_history", history(t, calls)));
    }

    /** Keras's {@code keras_history}: {@code [layer name, node index, tensor index]}. */
    private static List<Object> history(SymbolicTensor t, Map<Layer, List<SymbolicTensor>> calls) {
        if (t.isInput()) return List.of(t.inputName(), 0L, 0L);
        return List.of(t.layer().name(), (long) calls.get(t.layer()).indexOf(t), 0L);
    }

    private static Map<String, Object> inputLayer(SymbolicTensor in) {
        Map<String, Object> config = map("batch_shape", batchShape(in.shape()), "dtype", "float32", "sparse", false, "name", in.inputName());
        return map("module", "keras.layers", "class_name", "InputLayer", "config", config, "registered_name", null);
    }

    private static List<Object> batchShape(Shape shape) {
        List<Object> dims = new ArrayList<>();
        dims.add(null);
        for (int d : shape.toArray()) dims.add((long) d);
        return dims;
    }

    /** Keras's {@code compile_config}, or null when the model is not compiled. */
    private static Map<String, Object> compileConfig(Model model) {
        if (model.optimizer() == null || model.loss() == null) return null;
        List<Object> metrics = new ArrayList<>();
        for (Metric m : model.metrics()) {
            if (!Registries.METRICS.isRegistered(m)) {
                throw new IllegalArgumentException("model '" + model.name() + "': metric '" + m.name() + "' (" + m.getClass().getSimpleName()
                        + ") cannot be saved: it is not one of " + Registries.METRICS.classNames());
            }
            metrics.add(Registries.METRICS.toJson(m));
        }
        return map("optimizer", Registries.OPTIMIZERS.toJson(model.optimizer()), "loss", Registries.LOSSES.toJson(model.loss()),
                "loss_weights", null, "metrics", metrics, "weighted_metrics", null, "run_eagerly", false,
                "steps_per_execution", 1L, "jit_compile", false);
    }

    // =====================================================================================
    // Reading
    // =====================================================================================

    /**
     * The model a {@code config.json} tree describes, new: built when its input shapes are known (weights
     * freshly initialized, to be overwritten by the caller), compiled when it has a {@code compile_config}.
     *
     * @throws IllegalArgumentException naming the layer, node or argument that is malformed or unsupported
     */
    static Model fromJson(Object tree) {
        ConfigArgs envelope = ConfigArgs.of("model", tree);
        String className = envelope.requiredString("class_name");
        envelope.optionalString("module", null);
        envelope.raw("registered_name");
        envelope.raw("build_config"); // the input shape is in the layers (InputLayer) as well
        Object compile = envelope.raw("compile_config");
        Object config = envelope.raw("config");
        envelope.finish();
        Model model = switch (className) {
            case "Sequential" -> sequential(ConfigArgs.of("Sequential model", config));
            case "Functional", "Model" -> functional(ConfigArgs.of("Functional model", config));
            default -> throw new IllegalArgumentException("model class \"" + className
                    + "\" is not supported: a model file holds a \"Sequential\" or \"Functional\" model (subclassed models carry code, which is never loaded from a file)");
        };
        if (compile instanceof Map<?, ?>) compile(model, ConfigArgs.of("compile_config", compile));
        else if (compile != null) throw new IllegalArgumentException("compile_config must be an object or null, got " + ConfigArgs.describe(compile));
        return model;
    }

    private static Sequential sequential(ConfigArgs a) {
        String name = a.optionalString("name", "sequential");
        a.optionalBoolean("trainable", true);
        a.raw("dtype");
        a.raw("build_input_shape"); // Keras 3 writes it beside the InputLayer entry, which carries the same shape
        List<?> layers = list(a, "layers");
        a.finish();
        Sequential seq = new Sequential();
        seq.rename(name);
        Shape inputShape = null;
        for (int i = 0; i < layers.size(); i++) {
            Object entry = layers.get(i);
            if (isInputLayer(entry)) {
                if (i != 0) throw new IllegalArgumentException("Sequential model '" + name + "': an InputLayer may only come first, found at position " + i);
                InputSpec input = inputLayer(entry);
                if (input.bool()) throw new IllegalArgumentException("Sequential model '" + name + "': " + boolInputRefusal(input.name(), "its first layer reads it"));
                inputShape = input.shape();
                continue;
            }
            Layer layer = layer(entry, "Sequential model '" + name + "' layer " + i);
            if (seq.layers().isEmpty() && inputShape == null) {
                inputShape = layer instanceof ModelLayer nested
                        ? (nested.model().inputs().isEmpty() ? null : nested.model().inputs().getFirst().shape())
                        : Registries.buildInputShape(entry);
            }
            seq.add(layer);
        }
        if (inputShape != null && !seq.layers().isEmpty()) seq.build(inputShape.toArray());
        return seq;
    }

    private static Model functional(ConfigArgs a) {
        String name = a.optionalString("name", "model");
        a.optionalBoolean("trainable", true);
        List<?> layers = list(a, "layers");
        Object inputLayers = a.raw("input_layers");
        Object outputLayers = a.raw("output_layers");
        a.finish();
        String owner = "Functional model '" + name + "'";

        Map<String, List<SymbolicTensor>> produced = new HashMap<>(); // layer name -> outputs by node index
        Map<SymbolicTensor, String> boolInputs = new java.util.IdentityHashMap<>(); // read as 0/1 float attention masks only
        List<PendingNode> pending = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof Map<?, ?> raw)) throw new IllegalArgumentException(owner + ": layer " + i + " must be an object");
            Map<String, Object> entry = new LinkedHashMap<>();
            for (var e : raw.entrySet()) entry.put((String) e.getKey(), e.getValue());
            Object layerName = entry.remove("name");
            Object nodes = entry.remove("inbound_nodes");
            if (!(layerName instanceof String ln)) throw new IllegalArgumentException(owner + ": layer " + i + " needs a string \"name\"");
            if (produced.containsKey(ln)) throw new IllegalArgumentException(owner + ": two layers are named '" + ln + "'");
            if (isInputLayer(entry)) {
                InputSpec input = inputLayer(entry);
                SymbolicTensor in = Input.named(ln, input.shape().toArray());
                if (input.bool()) boolInputs.put(in, ln);
                produced.put(ln, new ArrayList<>(List.of(in)));
                continue;
            }
            Layer layer = layer(entry, owner + " layer '" + ln + "'");
            if (!layer.name().equals(ln)) {
                throw new IllegalArgumentException(owner + ": layer entry '" + ln + "' holds a config named '" + layer.name() + "'");
            }
            produced.put(ln, new ArrayList<>());
            if (!(nodes instanceof List<?> nodeList)) throw new IllegalArgumentException(owner + ": layer '" + ln + "' needs a list \"inbound_nodes\"");
            for (int n = 0; n < nodeList.size(); n++) pending.add(new PendingNode(layer, n, nodeList.get(n)));
        }
        // A shared layer's later call may read layers listed after it: apply nodes as their inputs appear, as Keras does.
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                PendingNode node = it.next();
                Call call = node.resolve(produced, owner);
                if (call == null) continue;
                List<SymbolicTensor> outputs = produced.get(node.layer.name());
                if (outputs.size() != node.index) continue; // an earlier call of the same layer comes first
                for (SymbolicTensor arg : call.args()) {
                    if (boolInputs.containsKey(arg)) {
                        throw new IllegalArgumentException(owner + ": call " + node.index + " of layer '" + node.layer.name() + "': "
                                + boolInputRefusal(boolInputs.get(arg), "this call reads it as an input"));
                    }
                }
                outputs.add(node.layer instanceof MergeLayer merge ? applyMerge(merge, call, owner + ": call " + node.index + " of layer '" + merge.name() + "'")
                        : apply(node.layer, call.args(), owner));
                it.remove();
                progress = true;
            }
            if (!progress) {
                PendingNode first = pending.get(0);
                throw new IllegalArgumentException(owner + ": call " + first.index + " of layer '" + first.layer.name()
                        + "' reads a tensor no layer produces (or the calls form a cycle)");
            }
        }
        List<SymbolicTensor> ins = tensors(inputLayers, produced, owner, "input_layers");
        List<SymbolicTensor> outs = tensors(outputLayers, produced, owner, "output_layers");
        for (SymbolicTensor in : ins) {
            if (!in.isInput()) throw new IllegalArgumentException(owner + ": input_layers must name InputLayers, got '" + in.layer().name() + "'");
        }
        Model model = new Model(ins, outs);
        model.rename(name);
        return model;
    }

    /** Why a bool input cannot be read as {@code use} says. */
    private static String boolInputRefusal(String input, String use) {
        return "InputLayer '" + input + "' has dtype bool, which Myelin reads (as 0/1 floats) only as the attention_mask of a "
                + "MultiHeadAttention call; " + use;
    }

    private static SymbolicTensor apply(Layer layer, List<SymbolicTensor> args, String owner) {
        if (args.size() != 1) throw new IllegalArgumentException(owner + ": layer '" + layer.name() + "' takes one input, its node lists " + args.size());
        return layer.apply(args.get(0));
    }

    /** A merge layer's call, its shape errors (an attention mask of the wrong shape) prefixed with the call's place. */
    private static SymbolicTensor applyMerge(MergeLayer merge, Call call, String where) {
        try {
            return merge.apply(call.args(), call.options());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * A call's input tensors and keyword options (a merge layer's, such as MultiHeadAttention's
     * {@code use_causal_mask}, or its {@code attention_mask} tensor).
     */
    private record Call(List<SymbolicTensor> args, Map<String, Object> options) {}

    /** One recorded call of a layer, applied once the tensors it reads exist. */
    private record PendingNode(Layer layer, int index, Object node) {
        /** The call, or null while a tensor it reads is not produced yet. */
        Call resolve(Map<String, List<SymbolicTensor>> produced, String owner) {
            String where = owner + ": call " + index + " of layer '" + layer.name() + "'";
            if (!(node instanceof Map<?, ?> m)) throw new IllegalArgumentException(where + " must be an object with \"args\" and \"kwargs\"");
            ConfigArgs a = ConfigArgs.of(where, m);
            Object args = a.raw("args");
            Object kwargs = a.raw("kwargs");
            a.finish();
            Map<String, Object> options = new LinkedHashMap<>();
            Map<String, SymbolicTensor> namedInputs = new LinkedHashMap<>(); // mha(query=q, value=v): positional tensors given by name
            if (kwargs instanceof Map<?, ?> kw) {
                for (var e : kw.entrySet()) {
                    if (e.getValue() == null) continue;
                    if (e.getKey().equals("training") && layer instanceof ModelLayer nested && e.getValue() instanceof Boolean mode) {
                        nested.training(mode);
                        continue;
                    }
                    if (layer instanceof MergeLayer merge && e.getKey() instanceof String key) {
                        Object value = e.getValue();
                        if (isTensorRef(value)) { // a tensor-valued keyword (attention_mask): the call waits for that tensor
                            value = tensorRef(value, produced, where + ", keyword argument '" + key + "'");
                            if (value == null) return null;
                            if (merge.inputNames().contains(key)) {
                                namedInputs.put(key, (SymbolicTensor) value);
                                continue;
                            }
                        }
                        options.put(key, value);
                        try {
                            merge.checkCallOptions(Map.of(key, value));
                        } catch (IllegalArgumentException refused) {
                            throw new IllegalArgumentException(where + ": " + refused.getMessage(), refused);
                        }
                        continue;
                    }
                    throw new IllegalArgumentException(where + ": keyword argument '" + e.getKey() + "' is not supported");
                }
            } else if (kwargs != null) {
                throw new IllegalArgumentException(where + ": \"kwargs\" must be an object");
            }
            if (!(args instanceof List<?> list) || (list.isEmpty() && namedInputs.isEmpty())) {
                throw new IllegalArgumentException(where + ": \"args\" must be a non-empty list");
            }
            List<?> refs = list.size() == 1 && list.get(0) instanceof List<?> inner ? inner : list;
            List<SymbolicTensor> out = new ArrayList<>();
            for (Object ref : refs) {
                SymbolicTensor t = tensorRef(ref, produced, where);
                if (t == null) return null;
                out.add(t);
            }
            if (!namedInputs.isEmpty()) out = positional(out, namedInputs, ((MergeLayer) layer).inputNames(), where);
            return new Call(out, options);
        }
    }

    /**
     * The call's tensors in positional order, those Keras recorded by name ({@code mha(query=q, value=v)}:
     * {@code "kwargs": {"query": ..., "value": ...}}) placed after the positional ones at their parameter's
     * position ({@code names}, {@link MergeLayer#inputNames()}).
     */
    private static List<SymbolicTensor> positional(List<SymbolicTensor> given, Map<String, SymbolicTensor> named, List<String> names, String where) {
        List<SymbolicTensor> out = new ArrayList<>(given);
        for (int i = 0; i < names.size(); i++) {
            SymbolicTensor t = named.get(names.get(i));
            if (t == null) continue;
            if (i < given.size()) throw new IllegalArgumentException(where + ": '" + names.get(i) + "' is given both by position and by name");
            if (i != out.size()) {
                throw new IllegalArgumentException(where + ": keyword argument '" + names.get(i) + "' is given but '" + names.get(out.size()) + "' before it is not");
            }
            out.add(t);
        }
        return out;
    }

    /** Whether a node argument is a tensor reference, {@code {"class_name": "__keras_tensor__", ...}}. */
    private static boolean isTensorRef(Object value) {
        return value instanceof Map<?, ?> m && TENSOR.equals(m.get("class_name"));
    }

    private static SymbolicTensor tensorRef(Object ref, Map<String, List<SymbolicTensor>> produced, String where) {
        if (!(ref instanceof Map<?, ?> m) || !TENSOR.equals(m.get("class_name")) || !(m.get("config") instanceof Map<?, ?> c)) {
            throw new IllegalArgumentException(where + ": arguments must be {\"class_name\": \"" + TENSOR + "\", \"config\": {...}}, got " + ConfigArgs.describe(ref));
        }
        return lookup(c.get("keras_history"), produced, where, false);
    }

    /** The tensor {@code [layer, node, 0]} names; null when that call has not been applied yet (or, with {@code required}, an error). */
    private static SymbolicTensor lookup(Object history, Map<String, List<SymbolicTensor>> produced, String where, boolean required) {
        if (!(history instanceof List<?> h) || h.size() != 3 || !(h.get(0) instanceof String layer)
                || !(h.get(1) instanceof Long node) || !(h.get(2) instanceof Long tensor)) {
            throw new IllegalArgumentException(where + ": a tensor reference must be [layer name, node index, tensor index], got " + history);
        }
        List<SymbolicTensor> outputs = produced.get(layer);
        if (outputs == null) throw new IllegalArgumentException(where + ": refers to layer '" + layer + "', which the model does not have");
        if (tensor != 0) throw new IllegalArgumentException(where + ": refers to output " + tensor + " of layer '" + layer + "', which has one output");
        if (node < 0 || node >= Integer.MAX_VALUE) throw new IllegalArgumentException(where + ": node index " + node + " of layer '" + layer + "' is out of range");
        if (node >= outputs.size()) {
            if (required) throw new IllegalArgumentException(where + ": layer '" + layer + "' has no call " + node);
            return null;
        }
        return outputs.get(node.intValue());
    }

    private static List<SymbolicTensor> tensors(Object refs, Map<String, List<SymbolicTensor>> produced, String owner, String key) {
        String where = owner + ": " + key;
        if (!(refs instanceof List<?> list) || list.isEmpty()) throw new IllegalArgumentException(where + " must be a non-empty list");
        if (list.get(0) instanceof String) return List.of(lookup(list, produced, where, true)); // one tensor: [name, node, index]
        List<SymbolicTensor> out = new ArrayList<>();
        for (Object ref : list) out.add(lookup(ref, produced, where, true));
        return out;
    }

    private static boolean isInputLayer(Object entry) {
        return entry instanceof Map<?, ?> m && "InputLayer".equals(m.get("class_name"));
    }

    /** An {@code InputLayer} entry's name and shape (without the batch), as a placeholder input. */
    private static InputSpec inputLayer(Object entry) {
        ConfigArgs envelope = ConfigArgs.of("InputLayer", entry);
        envelope.requiredString("class_name");
        envelope.optionalString("module", null);
        envelope.raw("registered_name");
        Object config = envelope.raw("config");
        envelope.finish();
        ConfigArgs a = ConfigArgs.of("InputLayer", config);
        String name = a.optionalString("name", "input_layer");
        Object shape = a.has("batch_shape") ? a.raw("batch_shape") : a.raw("batch_input_shape");
        String dtype = a.optionalString("dtype", "float32");
        a.optionalBoolean("sparse", false);
        a.optionalBoolean("ragged", false);
        a.optionalBoolean("optional", false);
        a.finish();
        if (!(shape instanceof List<?> dims) || dims.size() < 2 || dims.get(0) != null) {
            throw new IllegalArgumentException("InputLayer '" + name + "': \"batch_shape\" must be [null, sizes...], got " + shape);
        }
        int[] d = new int[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            if (!(dims.get(i) instanceof Long l) || l <= 0 || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("InputLayer '" + name + "': \"batch_shape\" sizes after the batch must be positive integers, got " + dims);
            }
            d[i - 1] = l.intValue();
        }
        return new InputSpec(name, Shape.of(d), dtype.equals("bool"));
    }

    /** An {@code InputLayer} entry: the input's name, shape without the batch, and whether its dtype is bool. */
    private record InputSpec(String name, Shape shape, boolean bool) {}

    private static boolean isModel(Object entry) {
        return entry instanceof Map<?, ?> m && m.get("class_name") instanceof String c
                && (c.equals("Sequential") || c.equals("Functional") || c.equals("Model"));
    }

    private static Layer layer(Object entry, String where) {
        try {
            if (isModel(entry)) {
                Map<String, Object> copy = new LinkedHashMap<>();
                for (var e : ((Map<?, ?>) entry).entrySet()) copy.put((String) e.getKey(), e.getValue());
                if (copy.get("compile_config") != null) throw new IllegalArgumentException("a nested model has no compile_config");
                copy.remove("compile_config");
                return fromJson(copy).asLayer();
            }
            return Registries.layerFromJson(entry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static void compile(Model model, ConfigArgs a) {
        Optimizer optimizer = a.object("optimizer", Registries.OPTIMIZERS, null);
        Loss loss = a.object("loss", Registries.LOSSES, null);
        Object metrics = a.raw("metrics");
        a.onlyDefault("loss_weights", null);
        a.onlyDefault("weighted_metrics", null);
        a.raw("run_eagerly");
        a.raw("steps_per_execution");
        a.raw("jit_compile");
        a.raw("auto_scale_loss");
        a.finish();
        if (optimizer == null || loss == null) return; // Keras writes an empty compile_config for an uncompiled model
        List<Metric> ms = new ArrayList<>();
        if (metrics instanceof List<?> list) {
            for (Object m : list) {
                try {
                    ms.add(Registries.METRICS.fromJson(m));
                } catch (IllegalArgumentException e) {
                    throw a.error("metric: " + e.getMessage());
                }
            }
        } else if (metrics != null) {
            throw a.error("\"metrics\" must be a list, got " + ConfigArgs.describe(metrics));
        }
        model.compile(optimizer, loss, ms.toArray(Metric[]::new));
    }

    private static List<?> list(ConfigArgs a, String key) {
        Object v = a.raw(key);
        if (!(v instanceof List<?> l)) throw a.error("\"" + key + "\" must be a list, got " + ConfigArgs.describe(v));
        return l;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }
}
