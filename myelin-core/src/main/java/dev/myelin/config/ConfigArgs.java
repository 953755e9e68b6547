package dev.myelin.config;

import dev.myelin.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of one config ({@code "config": {...}}), read strictly: each getter checks the JSON type
 * and names the owner, the argument and what was expected in its error; {@link #finish()} refuses the
 * arguments nobody asked for, listing the known ones.
 *
 * <p>Example: {@code int units = args.requiredInt("units")} on {@code {"units": "ten"}} of a Dense
 * fails with {@code layer 'Dense': argument 'units' expected an integer, got "ten"}.
 */
public final class ConfigArgs {
    private final String owner;
    private final Map<String, Object> values;
    private final Set<String> known = new LinkedHashSet<>();

    /** @param owner names the config in errors, such as {@code "layer 'Dense'"} */
    public ConfigArgs(String owner, Map<String, Object> values) {
        this.owner = Objects.requireNonNull(owner);
        this.values = Objects.requireNonNull(values);
    }

    /** Wraps {@code config}, which must be a JSON object (or null for no arguments). */
    @SuppressWarnings("unchecked")
    public static ConfigArgs of(String owner, Object config) {
        if (config == null) return new ConfigArgs(owner, Map.of());
        if (!(config instanceof Map<?, ?> m)) throw new IllegalArgumentException(owner + ": \"config\" must be a JSON object, got " + describe(config));
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) throw new IllegalArgumentException(owner + ": config keys must be strings, got " + k);
        }
        return new ConfigArgs(owner, (Map<String, Object>) m);
    }

    /** Names the config in errors, such as {@code "layer 'Dense'"}. */
    public String owner() {
        return owner;
    }

    /** All arguments as given. */
    Map<String, Object> values() {
        return values;
    }

    public boolean has(String key) {
        known.add(key);
        return values.containsKey(key);
    }

    /** The raw JSON value of {@code key}, or null when absent. */
    public Object raw(String key) {
        known.add(key);
        return values.get(key);
    }

    public int requiredInt(String key) {
        return toInt(key, required(key));
    }

    public int optionalInt(String key, int fallback) {
        Object v = raw(key);
        return v == null ? fallback : toInt(key, v);
    }

    public long requiredLong(String key) {
        return toLong(key, required(key));
    }

    public long optionalLong(String key, long fallback) {
        Object v = raw(key);
        return v == null ? fallback : toLong(key, v);
    }

    /** A nullable integer, such as Keras's {@code seed}. */
    public Long nullableLong(String key) {
        Object v = raw(key);
        return v == null ? null : toLong(key, v);
    }

    public double requiredDouble(String key) {
        return toDouble(key, required(key));
    }

    public double optionalDouble(String key, double fallback) {
        Object v = raw(key);
        return v == null ? fallback : toDouble(key, v);
    }

    /** A nullable number, such as CosineDecay's {@code warmup_target}. */
    public Double nullableDouble(String key) {
        Object v = raw(key);
        return v == null ? null : toDouble(key, v);
    }

    public boolean optionalBoolean(String key, boolean fallback) {
        Object v = raw(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw typeError(key, "true or false", v);
    }

    public String requiredString(String key) {
        Object v = required(key);
        if (v instanceof String s) return s;
        throw typeError(key, "a string", v);
    }

    public String optionalString(String key, String fallback) {
        Object v = raw(key);
        if (v == null) return fallback;
        if (v instanceof String s) return s;
        throw typeError(key, "a string", v);
    }

    /** One of {@code choices} (compared ignoring case), returned in lower case. */
    public String choice(String key, String fallback, String... choices) {
        String v = optionalString(key, fallback);
        for (String c : choices) if (c.equalsIgnoreCase(v)) return c;
        throw error("argument '" + key + "' expected one of " + List.of(choices) + ", got \"" + v + "\"");
    }

    /** Keras's "an int or a tuple of 2 ints" ({@code kernel_size}, {@code strides}): {@code {h, w}}. */
    public int[] intOrPair(String key, int[] fallback) {
        Object v = raw(key);
        if (v == null) {
            if (fallback == null) throw error("missing required argument '" + key + "'");
            return fallback.clone();
        }
        if (v instanceof List<?> list) {
            if (list.size() != 2) throw typeError(key, "an integer or a pair [h, w]", v);
            return new int[] {toInt(key, list.get(0)), toInt(key, list.get(1))};
        }
        int n = toInt(key, v);
        return new int[] {n, n};
    }

    /** Keras's "an int or a tuple of 1 int" of 1-D layers ({@code kernel_size}, {@code strides} of Conv1D). */
    public int intOrSingle(String key, Integer fallback) {
        Object v = raw(key);
        if (v == null) {
            if (fallback == null) throw error("missing required argument '" + key + "'");
            return fallback;
        }
        if (v instanceof List<?> list) {
            if (list.size() != 1) throw typeError(key, "an integer or a list of one integer", v);
            return toInt(key, list.get(0));
        }
        return toInt(key, v);
    }

    /** A list of integers, such as Reshape's {@code target_shape}. */
    public int[] requiredIntList(String key) {
        Object v = required(key);
        if (!(v instanceof List<?> list)) throw typeError(key, "a list of integers", v);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = toInt(key, list.get(i));
        return out;
    }

    /** A list of numbers. */
    public List<Double> requiredDoubleList(String key) {
        Object v = required(key);
        if (!(v instanceof List<?> list)) throw typeError(key, "a list of numbers", v);
        List<Double> out = new ArrayList<>();
        for (Object o : list) out.add(toDouble(key, o));
        return out;
    }

    /** A list of integers as longs. */
    public List<Long> requiredLongList(String key) {
        Object v = required(key);
        if (!(v instanceof List<?> list)) throw typeError(key, "a list of integers", v);
        List<Long> out = new ArrayList<>();
        for (Object o : list) out.add(toLong(key, o));
        return out;
    }

    /** A nested object of the {@code registry}'s family ({@code kernel_initializer}), or {@code fallback} when absent or null. */
    public <T> T object(String key, Registry<T> registry, T fallback) {
        Object v = raw(key);
        if (v == null) return fallback;
        try {
            return registry.fromJson(v);
        } catch (IllegalArgumentException e) {
            throw error("argument '" + key + "': " + e.getMessage());
        }
    }

    /**
     * An argument Keras has and Myelin supports only at its default (such as {@code data_format}
     * {@code "channels_last"} or a {@code null} constraint): accepted when absent or equal to {@code value}.
     */
    public void onlyDefault(String key, Object value) {
        Object v = raw(key);
        if (v == null || v.equals(value)) return;
        throw error("argument '" + key + "' is supported only as " + (value == null ? "null" : Json.write(value)) + ", got " + describe(v));
    }

    /** Refuses any argument not asked for, naming it and the known ones. */
    public void finish() {
        for (String key : values.keySet()) {
            if (!known.contains(key)) throw error("unknown argument '" + key + "'; expected one of " + new TreeSet<>(known));
        }
    }

    /** An error naming the owner. */
    public IllegalArgumentException error(String message) {
        return new IllegalArgumentException(owner + ": " + message);
    }

    private Object required(String key) {
        Object v = raw(key);
        if (v == null) throw error("missing required argument '" + key + "'");
        return v;
    }

    private int toInt(String key, Object v) {
        long l = toLong(key, v);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw typeError(key, "an integer in the int range", v);
        return (int) l;
    }

    private long toLong(String key, Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Integer i) return i;
        throw typeError(key, "an integer", v);
    }

    private double toDouble(String key, Object v) {
        if (v instanceof Number n) return n.doubleValue();
        throw typeError(key, "a number", v);
    }

    private IllegalArgumentException typeError(String key, String expected, Object got) {
        return error("argument '" + key + "' expected " + expected + ", got " + describe(got));
    }

    public static String describe(Object v) {
        if (v instanceof String s) return "\"" + s + "\"";
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof List<?> l) return "a list of " + l.size();
        return String.valueOf(v);
    }
}
