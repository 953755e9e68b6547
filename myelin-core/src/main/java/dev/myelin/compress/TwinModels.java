package dev.myelin.compress;

import dev.myelin.autograd.NoGrad;
import dev.myelin.config.Registries;
import dev.myelin.io.Json;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A converted model: a model's config with some of its layers replaced by twins (an int8 or bf16 layer for a
 * Dense, say), rebuilt, the other layers' weights copied and each twin's weights set from its original.
 * The one rewrite behind {@link PostTrainingQuantization#convert} and {@link Bf16Inference#convert}.
 */
final class TwinModels {
    private TwinModels() {}

    /**
     * A new model: {@code model} with each of its layers for which {@code twinOf} returns a layer (unbuilt,
     * same name) replaced by it; after building, {@code setWeights.accept(twin, original)} fills each twin.
     * {@code model} is not changed. Layers inside a nested model stay as they are.
     */
    static <T extends Layer> Model rewrite(Model model, Function<Layer, T> twinOf, BiConsumer<T, Layer> setWeights) {
        model.build();
        Map<String, T> twins = new LinkedHashMap<>();
        Map<String, Object> classNames = new LinkedHashMap<>();
        for (Layer layer : model.layers()) {
            T twin = twinOf.apply(layer);
            if (twin == null) continue;
            twins.put(layer.name(), twin);
            classNames.put(layer.name(), Registries.layerToJson(layer).get("class_name"));
        }
        Object tree = replace(Json.parse(model.toJson()), twins, classNames);
        Model converted = Model.fromJson(Json.write(tree));
        converted.build();
        converted.classNames(model.classNames());
        Map<String, Parameter> source = new LinkedHashMap<>();
        for (Parameter p : model.weights()) source.put(p.name(), p);
        try (var g = NoGrad.scope()) {
            for (Layer layer : converted.layers()) {
                if (twins.containsKey(layer.name())) {
                    @SuppressWarnings("unchecked") T twin = (T) layer;
                    setWeights.accept(twin, model.layer(layer.name()));
                    continue;
                }
                for (Parameter p : layer.weights()) {
                    Parameter from = source.get(p.name());
                    if (from == null) throw new IllegalStateException("no weight '" + p.name() + "' in model '" + model.name() + "' to copy");
                    p.value().assign(from.value());
                }
            }
        }
        return converted;
    }

    /** A copy of a config tree (parsed JSON, immutable) with the twinned layers' entries replaced. */
    private static Object replace(Object node, Map<String, ? extends Layer> twins, Map<String, Object> classNames) {
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) out.add(replace(o, twins, classNames));
            return out;
        }
        if (!(node instanceof Map<?, ?> map)) return node;
        Map<String, Object> out = new LinkedHashMap<>();
        if (map.get("class_name") instanceof String cls && map.get("config") instanceof Map<?, ?> c && c.get("name") instanceof String name
                && twins.containsKey(name) && cls.equals(classNames.get(name))) {
            Map<String, Object> twin = Registries.layerToJson(twins.get(name));
            map.forEach((k, v) -> out.put((String) k, v));
            out.put("class_name", twin.get("class_name"));
            out.put("config", twin.get("config"));
            return out;
        }
        map.forEach((k, v) -> out.put((String) k, replace(v, twins, classNames)));
        return out;
    }
}
