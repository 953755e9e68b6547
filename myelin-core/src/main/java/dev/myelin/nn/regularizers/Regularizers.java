package dev.myelin.nn.regularizers;

import dev.myelin.nn.Regularizer;
import java.util.Locale;

/** Regularizers by their Keras names, for configs: {@code "l1"}, {@code "l2"}, {@code "l1_l2"} with Keras's defaults. */
public final class Regularizers {
    private Regularizers() {}

    public static Regularizer of(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "l1" -> new L1();
            case "l2" -> new L2();
            case "l1_l2", "l1l2" -> new L1L2();
            default -> throw new IllegalArgumentException("unknown regularizer '" + name + "'; expected one of l1, l2, l1_l2");
        };
    }

    static void checkFactor(String argument, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("regularization factor " + argument + " must be a finite number >= 0, got " + argument + "=" + value);
        }
    }
}
