package dev.myelin.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The classes of one family (layers, initializers, optimizers, ...) that configs can name, written out
 * by hand in {@link Registries}: for each, its Keras class name, how its config record reads from and
 * writes to Keras's {@code "config"} arguments, and how the object is rebuilt from the record. No class
 * is ever looked up by a name read from a file: an unknown name is refused, listing the known ones.
 *
 * <p>Serialized form, as Keras 3's {@code serialize_keras_object}:
 * <pre>{@code
 * {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}}
 * }</pre>
 * Reading also accepts Keras's {@code "registered_name"}, a bare name for the families that have string
 * shortcuts ({@code "glorot_uniform"}, {@code "adam"}), and the short form of hand-written model files,
 * {@code {"type": "Dense", "units": 10}} (arguments beside the class name).
 *
 * @param <T> the family's type, such as {@code Layer}
 */
public final class Registry<T> {
    /** One registered class: its value and config types, and the four conversions between value, config and JSON arguments. */
    private record Entry<T>(String className, Class<?> valueType, Class<?> configType, Function<Object, Object> configOf,
                            Function<ConfigArgs, Object> reader, Function<Object, Map<String, Object>> writer,
                            Function<Object, ? extends T> factory) {}

    private final String kind;
    private final String module;
    private final Function<String, T> shortcut;
    private final Function<T, T> canonical;
    private final Map<String, Entry<T>> byName = new TreeMap<>();
    private final Map<Class<?>, Entry<T>> byValueType = new LinkedHashMap<>();
    private final Map<Class<?>, Entry<T>> byConfigType = new LinkedHashMap<>();

    /**
     * @param kind     the family in messages, such as {@code "layer"}
     * @param module   Keras's module, such as {@code "keras.layers"}
     * @param shortcut the object for a bare string name (Keras's {@code "glorot_uniform"}), or null when the family has none
     */
    Registry(String kind, String module, Function<String, T> shortcut) {
        this(kind, module, shortcut, Function.identity());
    }

    /** @param canonical maps a value to one of a registered class with the same config (Metric's shared constants to {@code fresh()} copies) */
    Registry(String kind, String module, Function<String, T> shortcut, Function<T, T> canonical) {
        this.kind = kind;
        this.module = module;
        this.shortcut = shortcut;
        this.canonical = canonical;
    }

    /**
     * Registers a class whose config is a separate record.
     *
     * @param configOf the object's config ({@code Dense::config})
     * @param reader   the record from the arguments (the arguments are {@link ConfigArgs#finish finished} afterwards)
     * @param writer   the record's arguments with Keras's names, in Keras's order
     * @param factory  the object from the record ({@code Dense::fromConfig})
     */
    <V extends T, C> Registry<T> add(String className, Class<V> valueType, Class<C> configType, Function<? super V, C> configOf,
                                     Function<ConfigArgs, C> reader, Function<C, Map<String, Object>> writer,
                                     Function<C, ? extends V> factory) {
        Entry<T> e = new Entry<>(className, valueType, configType,
                v -> configOf.apply(valueType.cast(v)), reader::apply,
                c -> writer.apply(configType.cast(c)), c -> factory.apply(configType.cast(c)));
        if (byName.put(className, e) != null) throw new IllegalStateException("duplicate " + kind + " class name " + className);
        byValueType.put(valueType, e);
        byConfigType.put(configType, e);
        return this;
    }

    /** Registers a class that is its own config (an immutable record such as an initializer). */
    <V extends T> Registry<T> addRecord(String className, Class<V> type, Function<ConfigArgs, V> reader, Function<V, Map<String, Object>> writer) {
        return add(className, type, type, v -> v, reader, writer, c -> c);
    }

    /** The family's name in messages, such as {@code "layer"}. */
    public String kind() {
        return kind;
    }

    /** The registered Keras class names, sorted. */
    public Set<String> classNames() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /** Whether {@code value}'s class is registered (so it has a config). */
    public boolean isRegistered(T value) {
        return value != null && byValueType.containsKey(canonical.apply(value).getClass());
    }

    /** The Java class registered under {@code className}. */
    public Class<?> typeOf(String className) {
        return entry(className).valueType();
    }

    /** The config of {@code value} (a record; the value itself for record families). */
    public Object config(T value) {
        T v = canonical.apply(value);
        return entryFor(v).configOf().apply(v);
    }

    /** Rebuilds an object from its config record. */
    public T fromConfig(Object config) {
        Objects.requireNonNull(config, "config");
        Entry<T> e = byConfigType.get(config.getClass());
        if (e == null) throw new IllegalArgumentException("no " + kind + " is registered for config " + config.getClass().getName());
        return e.factory().apply(config);
    }

    /** {@code value} serialized as Keras does: {@code {"module", "class_name", "config"}}; null stays null. */
    public Map<String, Object> toJson(T value) {
        if (value == null) return null;
        return configToJson(config(value));
    }

    /** A config record serialized as Keras does. */
    public Map<String, Object> configToJson(Object config) {
        Entry<T> e = byConfigType.get(config.getClass());
        if (e == null) throw new IllegalArgumentException("no " + kind + " is registered for config " + config.getClass().getName());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("module", module);
        out.put("class_name", e.className());
        out.put("config", e.writer().apply(config));
        return out;
    }

    /** The config record a serialized object (or a bare name, or the short form) describes; see the class documentation. */
    public Object configFromJson(Object serialized) {
        if (serialized instanceof String name) {
            if (shortcut == null) throw new IllegalArgumentException(kind + " must be an object with \"class_name\" and \"config\", got \"" + name + "\"");
            return config(shortcut.apply(name));
        }
        if (!(serialized instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(kind + " must be an object with \"class_name\" and \"config\", got " + ConfigArgs.describe(serialized));
        }
        ConfigArgs envelope = ConfigArgs.of(kind, map);
        boolean shortForm = envelope.has("type") && !envelope.has("class_name");
        String className = shortForm ? envelope.requiredString("type") : envelope.requiredString("class_name");
        Entry<T> e = entry(className);
        ConfigArgs args;
        if (shortForm) {
            Map<String, Object> rest = new LinkedHashMap<>(envelope.values());
            rest.remove("type");
            args = new ConfigArgs(owner(className, rest), rest);
        } else {
            String m = envelope.optionalString("module", module);
            if (!m.startsWith("keras")) throw envelope.error("\"module\" must be a Keras module such as \"" + module + "\", got \"" + m + "\"");
            envelope.optionalString("registered_name", null);
            envelope.raw("build_config"); // read by the layer registry's caller
            Object config = envelope.raw("config");
            args = ConfigArgs.of(owner(className, config), config);
            envelope.finish();
        }
        Object config = e.reader().apply(args);
        args.finish();
        return config;
    }

    /** The object a serialized config describes. */
    public T fromJson(Object serialized) {
        return fromConfig(configFromJson(serialized));
    }

    /** Names the config in errors: {@code layer 'Dense'}, or {@code layer 'head' (Dense)} when the config names it. */
    private String owner(String className, Object config) {
        if (config instanceof Map<?, ?> m && m.get("name") instanceof String name && !name.equals(className)) {
            return kind + " '" + name + "' (" + className + ")";
        }
        return kind + " '" + className + "'";
    }

    private Entry<T> entry(String className) {
        Entry<T> e = byName.get(className);
        if (e == null) throw new IllegalArgumentException("unknown " + kind + " type \"" + className + "\"; expected one of " + byName.keySet());
        return e;
    }

    private Entry<T> entryFor(T value) {
        Objects.requireNonNull(value, kind);
        Entry<T> e = byValueType.get(value.getClass());
        if (e == null) {
            throw new IllegalArgumentException(kind + " " + value + " (" + value.getClass().getName() + ") has no config: it is not one of "
                    + byName.keySet());
        }
        return e;
    }
}
