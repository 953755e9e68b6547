package dev.myelin.train;

import java.util.Locale;
import java.util.Map;

/** How logged values read everywhere (progress bar, {@link Evaluation}, {@link History}): Keras's 4 decimals. */
final class LogValues {
    private LogValues() {}

    /** {@code 0.4355}; {@code 1.2340e-05} for tiny or huge magnitudes. */
    static String format(double v) {
        if (v != 0 && Double.isFinite(v) && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return String.format(Locale.ROOT, "%.4e", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** {@code loss: 0.4355 - accuracy: 0.8480}. */
    static String join(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        for (var e : values.entrySet()) {
            if (!sb.isEmpty()) sb.append(" - ");
            sb.append(e.getKey()).append(": ").append(format(e.getValue()));
        }
        return sb.toString();
    }
}
