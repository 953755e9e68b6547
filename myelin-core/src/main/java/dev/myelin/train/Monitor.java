package dev.myelin.train;

import java.util.Locale;

/** Which way a monitored log value improves, as Keras's {@code mode} ("auto" picks max for accuracy-like names). */
public enum Monitor {
    MIN, MAX;

    /** Keras's "auto": max for names containing acc, auc, precision or recall; min otherwise. */
    public static Monitor auto(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("acc") || n.contains("auc") || n.contains("precision") || n.contains("recall") ? MAX : MIN;
    }

    double worst() {
        return this == MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Whether {@code current} beats {@code best} by more than {@code minDelta}. */
    boolean improves(double current, double best, double minDelta) {
        return this == MIN ? current < best - Math.abs(minDelta) : current > best + Math.abs(minDelta);
    }
}
