package dev.myelin.nn.init;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Initializers by their Keras names, for configs: {@code Initializers.of("he_normal")}. */
public final class Initializers {
    private static final Map<String, Supplier<Initializer>> BY_NAME = new TreeMap<>();

    static {
        BY_NAME.put("zeros", Zeros::new);
        BY_NAME.put("ones", Ones::new);
        BY_NAME.put("constant", Constant::new);
        BY_NAME.put("glorot_uniform", GlorotUniform::new);
        BY_NAME.put("glorot_normal", GlorotNormal::new);
        BY_NAME.put("he_uniform", HeUniform::new);
        BY_NAME.put("he_normal", HeNormal::new);
        BY_NAME.put("lecun_uniform", LecunUniform::new);
        BY_NAME.put("lecun_normal", LecunNormal::new);
        BY_NAME.put("random_normal", RandomNormal::new);
        BY_NAME.put("random_uniform", RandomUniform::new);
        BY_NAME.put("truncated_normal", TruncatedNormal::new);
        BY_NAME.put("variance_scaling", VarianceScaling::new);
        BY_NAME.put("orthogonal", Orthogonal::new);
    }

    private static final Map<String, String> ALIASES = Map.of(
            "zero", "zeros", "one", "ones", "normal", "random_normal", "uniform", "random_uniform");

    private Initializers() {}

    /**
     * The initializer with Keras's defaults for a name such as {@code "glorot_uniform"}; the class name
     * ({@code "GlorotUniform"}) and Keras's aliases ({@code "zero"}, {@code "one"}, {@code "normal"},
     * {@code "uniform"}) are accepted too.
     */
    public static Initializer of(String name) {
        if (name == null) throw new IllegalArgumentException("initializer name must not be null; expected one of " + BY_NAME.keySet());
        String key = snakeCase(name.trim());
        key = ALIASES.getOrDefault(key, key);
        Supplier<Initializer> s = BY_NAME.get(key);
        if (s == null) throw new IllegalArgumentException("unknown initializer '" + name + "'; expected one of " + BY_NAME.keySet());
        return s.get();
    }

    /** {@code "GlorotUniform"} → {@code "glorot_uniform"}; snake_case names pass through. */
    private static String snakeCase(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && name.charAt(i - 1) != '_') sb.append('_');
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
