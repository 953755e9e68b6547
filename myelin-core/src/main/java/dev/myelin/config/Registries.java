package dev.myelin.config;

import dev.myelin.io.Json;
import dev.myelin.losses.Loss;
import dev.myelin.metrics.Metric;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Initializers;
import dev.myelin.nn.regularizers.Regularizers;
import dev.myelin.optim.LearningRateSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The registries of every family that configs name, keyed by Keras class name and written out by hand
 * (see {@link Registry}). To make a new layer usable from configs and model files, give it a config
 * record with {@code config()} and {@code fromConfig}, and add one {@code r.add(...)} line to
 * {@link LayerCodecs} (or {@link RecurrentCodecs}); the registry round-trip test then asks for a harness case.
 *
 * <p>Example:
 * <pre>{@code
 * String json = Json.write(Registries.layerToJson(new Dense(10, Activation.SOFTMAX)));
 * Layer copy = Registries.layerFromJson(Json.parse(json));
 * }</pre>
 */
public final class Registries {
    private Registries() {}

    /** Initializers ({@code keras.initializers}); bare names such as {@code "he_normal"} are accepted. */
    public static final Registry<Initializer> INITIALIZERS = new Registry<>("initializer", "keras.initializers", Initializers::of);
    /** Regularizers ({@code keras.regularizers}); bare names {@code "l1"}, {@code "l2"}, {@code "l1_l2"} are accepted. */
    public static final Registry<Regularizer> REGULARIZERS = new Registry<>("regularizer", "keras.regularizers", Regularizers::of);
    /** Learning-rate schedules ({@code keras.optimizers.schedules}). */
    public static final Registry<LearningRateSchedule> SCHEDULES = new Registry<>("learning rate schedule", "keras.optimizers.schedules", null);
    /** Optimizers ({@code keras.optimizers}); bare names such as {@code "adam"} are accepted. */
    public static final Registry<Optimizer> OPTIMIZERS = new Registry<>("optimizer", "keras.optimizers", Optimizer::of);
    /** Losses ({@code keras.losses}); bare names such as {@code "mse"} are accepted. */
    public static final Registry<Loss> LOSSES = new Registry<>("loss", "keras.losses", Loss::of);
    /**
     * Metrics ({@code keras.metrics}), their settings only; bare names such as {@code "accuracy"} are
     * accepted, and the shared constants ({@code Metric.ACCURACY}) serialize as their {@code fresh()} copies.
     */
    public static final Registry<Metric> METRICS = new Registry<>("metric", "keras.metrics", name -> Metric.of(name).fresh(), Metric::fresh);
    /** Layers ({@code keras.layers}). */
    public static final Registry<Layer> LAYERS = new Registry<>("layer", "keras.layers", null);

    static {
        InitializerCodecs.registerInitializers(INITIALIZERS);
        InitializerCodecs.registerRegularizers(REGULARIZERS);
        OptimizerCodecs.registerSchedules(SCHEDULES);
        OptimizerCodecs.registerOptimizers(OPTIMIZERS);
        LossCodecs.register(LOSSES);
        MetricCodecs.register(METRICS);
        LayerCodecs.register(LAYERS);
        RecurrentCodecs.register(LAYERS);
        AttentionCodecs.register(LAYERS);
        QuantizedCodecs.register(LAYERS);
    }

    /**
     * A layer serialized as Keras's {@code config.json} entries: {@code module}, {@code class_name},
     * {@code config} and, when the layer is built or declares an input shape,
     * {@code "build_config": {"input_shape": [null, ...]}} (the batch dimension is null), as Keras writes it.
     */
    public static Map<String, Object> layerToJson(Layer layer) {
        Map<String, Object> out = LAYERS.toJson(layer);
        Shape shape = layer.isBuilt() ? layer.builtInputShape() : layer.declaredInputShape();
        if (shape != null) {
            List<Object> dims = new ArrayList<>();
            dims.add(null);
            for (int d : shape.toArray()) dims.add(d);
            out.put("build_config", KerasArgs.map("input_shape", dims));
        }
        return out;
    }

    /**
     * The layer a serialized config describes (as {@link #layerToJson} writes it, or Keras), new and unbuilt.
     * Its {@code build_config} is not applied: read it with {@link #buildInputShape} and build the layer
     * (or declare it as a model's input shape) as the caller needs.
     */
    public static Layer layerFromJson(Object serialized) {
        Layer layer = LAYERS.fromJson(serialized);
        buildInputShape(serialized);
        return layer;
    }

    /**
     * The input shape (without the batch dimension) in a serialized layer's
     * {@code "build_config": {"input_shape": [null, ...]}}, or null when it has none. A layer built from several
     * inputs has Keras 3's {@code "build_config": {"shapes_dict": {"query_shape": [null, ...], "value_shape": ...}}}
     * instead (MultiHeadAttention): its first shape, the one Myelin builds such a layer for.
     */
    public static Shape buildInputShape(Object serialized) {
        if (!(serialized instanceof Map<?, ?> m) || m.get("build_config") == null) return null;
        ConfigArgs build = ConfigArgs.of("layer build_config", m.get("build_config"));
        if (build.has("shapes_dict")) {
            Object shapes = build.raw("shapes_dict");
            build.finish();
            if (!(shapes instanceof Map<?, ?> named) || named.isEmpty()) {
                throw build.error("\"shapes_dict\" must be an object of input shapes, got " + ConfigArgs.describe(shapes));
            }
            Shape first = null;
            for (var e : named.entrySet()) {
                if (e.getValue() == null) continue; // Keras writes "key_shape": null when the key is the value
                Shape s = buildInputShape(Map.of("build_config", Map.of("input_shape", e.getValue())));
                if (first == null) first = s;
            }
            return first;
        }
        Object shape = build.raw("input_shape");
        if (!(shape instanceof List<?> dims) || dims.isEmpty() || dims.get(0) != null) {
            throw build.error("\"input_shape\" must be a list starting with null (the batch), got " + ConfigArgs.describe(shape));
        }
        int[] d = new int[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            if (!(dims.get(i) instanceof Long l) || l <= 0 || l > Integer.MAX_VALUE) {
                throw build.error("\"input_shape\" sizes after the batch must be positive integers, got " + dims);
            }
            d[i - 1] = l.intValue();
        }
        build.finish();
        return Shape.of(d);
    }
}
