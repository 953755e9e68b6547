package dev.myelin.keras;

import dev.myelin.config.Registries;
import dev.myelin.models.Model;
import dev.myelin.models.ModelLayer;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.TimeDistributed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a Keras 3 {@code model.weights.h5} keeps each layer's variables: the one mapping that both
 * {@link KerasV3File} (import) and {@link KerasExport} (export) use.
 *
 * <p>Keras 3 stores a layer's variables under {@code layers/<key>/vars/<i>}, where the key is the snake_case
 * class name plus a counter per model ({@code conv2d}, {@code conv2d_1}, {@code dense}), not the layer's
 * name ({@code keras/src/saving/saving_lib.py}, {@code _save_container_state}); a nested model's layers sit
 * under its own key's {@code layers/}. Keras's saving walks a layer's attributes: a recurrent layer's
 * variables belong to its {@code cell} ({@code layers/lstm/cell/vars}), Bidirectional's to its
 * {@code forward_layer} and {@code backward_layer} cells, TimeDistributed's to its {@code layer},
 * MultiHeadAttention's to its {@code query_dense}, {@code key_dense}, {@code value_dense} and {@code output_dense}.
 */
final class KerasV3Layout {
    private KerasV3Layout() {}

    /** One HDF5 group of a layer's variables: its path and the layer's weights it holds, as datasets 0, 1, ... */
    record VarGroup(String path, List<Parameter> weights) {}

    /** A layer (nested models' layers included) and the groups of its variables, in the layer's weight order. */
    record LayerVars(Layer layer, List<VarGroup> groups) {}

    /** Every layer of {@code model} that is not itself a model, in Keras's order, with its variables' groups. */
    static List<LayerVars> layers(Model model) {
        List<LayerVars> out = new ArrayList<>();
        walk(model, "layers", out);
        return out;
    }

    private static void walk(Model model, String path, List<LayerVars> out) {
        Map<String, Integer> used = new HashMap<>();
        for (Layer layer : model.layers()) {
            String key = layer instanceof ModelLayer nested
                    ? (nested.model() instanceof Sequential ? "sequential" : "functional")
                    : snakeCase(className(layer));
            Integer n = used.merge(key, 0, (old, zero) -> old + 1);
            if (n > 0) key = key + "_" + n;
            String layerPath = path + "/" + key;
            if (layer instanceof ModelLayer nested) {
                walk(nested.model(), layerPath + "/layers", out);
            } else {
                out.add(new LayerVars(layer, groups(layer, layerPath)));
            }
        }
    }

    private static List<VarGroup> groups(Layer layer, String layerPath) {
        List<Parameter> weights = layer.weights();
        if (layer instanceof RecurrentLayer<?>) return List.of(new VarGroup(layerPath + "/cell/vars", weights));
        if (layer instanceof Bidirectional b) {
            int forward = b.forwardLayer().weights().size();
            return List.of(new VarGroup(layerPath + "/forward_layer/cell/vars", weights.subList(0, forward)),
                    new VarGroup(layerPath + "/backward_layer/cell/vars", weights.subList(forward, weights.size())));
        }
        if (layer instanceof TimeDistributed) return List.of(new VarGroup(layerPath + "/layer/vars", weights));
        if (layer instanceof MultiHeadAttention) return attentionGroups(weights, layerPath);
        return List.of(new VarGroup(layerPath + "/vars", weights));
    }

    /**
     * MultiHeadAttention's variables belong to its four {@code EinsumDense} sublayers, each holding its kernel
     * and (with {@code use_bias}) its bias: {@code query_dense/vars}, {@code key_dense/vars},
     * {@code value_dense/vars}, {@code output_dense/vars}, as Keras 3 saves them.
     */
    private static List<VarGroup> attentionGroups(List<Parameter> weights, String layerPath) {
        List<VarGroup> out = new ArrayList<>();
        for (String[] part : new String[][] {{"query/", "query_dense"}, {"key/", "key_dense"}, {"value/", "value_dense"},
                {"attention_output/", "output_dense"}}) {
            List<Parameter> own = weights.stream().filter(p -> p.shortName().startsWith(part[0])).toList();
            out.add(new VarGroup(layerPath + "/" + part[1] + "/vars", own));
        }
        return out;
    }

    private static String className(Layer layer) {
        return String.valueOf(Registries.LAYERS.toJson(layer).get("class_name"));
    }

    /** Keras's {@code naming.to_snake_case}: {@code Conv2D} → {@code conv2d}, {@code LeakyReLU} → {@code leaky_re_lu}. */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
