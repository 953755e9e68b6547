package dev.myelin.config;

import dev.myelin.backend.DType;
import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Padding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Helpers shared by the codecs: ordered argument maps, and the arguments several classes share. */
final class KerasArgs {
    private KerasArgs() {}

    /** An ordered map from alternating keys and values (values may be null, as JSON's). */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** {@code base} followed by {@code more}. */
    static Map<String, Object> with(Map<String, Object> base, Object... more) {
        base.putAll(map(more));
        return base;
    }

    // ---- the base layer arguments: name, trainable, dtype ----

    static Map<String, Object> layer(LayerSettings s) {
        return map("name", s.name(), "trainable", s.trainable(), "dtype", s.dtype().toString());
    }

    static LayerSettings layer(ConfigArgs a) {
        return new LayerSettings(a.optionalString("name", null), a.optionalBoolean("trainable", true), dtype(a));
    }

    /** {@code "float32"}, or Keras 3's policy {@code {"class_name": "DTypePolicy", "config": {"name": "float32"}}}. */
    private static DType dtype(ConfigArgs a) {
        Object v = a.raw("dtype");
        String name;
        if (v == null) return DType.FLOAT32;
        if (v instanceof String s) {
            name = s;
        } else if (v instanceof Map<?, ?> policy && policy.get("config") instanceof Map<?, ?> c && c.get("name") instanceof String s) {
            name = s;
        } else {
            throw a.error("argument 'dtype' expected \"float32\", \"float64\" or a DTypePolicy, got " + ConfigArgs.describe(v));
        }
        return switch (name) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            default -> throw a.error("argument 'dtype' expected \"float32\" or \"float64\", got \"" + name + "\"");
        };
    }

    // ---- values several layers share ----

    static Activation activation(ConfigArgs a, String key, Activation fallback) {
        String name = a.optionalString(key, fallback.kerasName());
        try {
            return Activation.of(name);
        } catch (IllegalArgumentException e) {
            throw a.error("argument '" + key + "': " + e.getMessage());
        }
    }

    static Padding padding(ConfigArgs a) {
        return a.choice("padding", "valid", "valid", "same").equals("same") ? Padding.SAME : Padding.VALID;
    }

    static String padding(Padding p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    static List<Integer> pair(int h, int w) {
        return List.of(h, w);
    }

    /** Keras's image arguments Myelin has only one value of: channels-last data. */
    static void channelsLast(ConfigArgs a) {
        a.onlyDefault("data_format", "channels_last");
    }

    /** Keras arguments that Myelin supports only when absent or null (constraints, activity regularizers, ...). */
    static void onlyNull(ConfigArgs a, String... keys) {
        for (String k : keys) a.onlyDefault(k, null);
    }
}
