package dev.myelin.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plot axis with round tick values: the data range widened to multiples of a step of 1, 2, 2.5 or 5 × 10^k
 * (Heckbert's "nice numbers"), about {@code targetTicks} ticks, optionally clamped to a range the quantity
 * cannot leave (accuracy in [0, 1], a loss above 0).
 *
 * <p>Example: {@code AxisScale.of(0.213, 2.31, 5, 0, Double.POSITIVE_INFINITY)} spans 0 to 2.5 with ticks
 * 0, 0.5, 1, 1.5, 2, 2.5.
 */
record AxisScale(double min, double max, double step) {

    /** The scale for data in [{@code low}, {@code high}], within [{@code floor}, {@code ceiling}]. */
    static AxisScale of(double low, double high, int targetTicks, double floor, double ceiling) {
        if (!Double.isFinite(low) || !Double.isFinite(high)) {
            low = Math.max(floor, 0);
            high = Math.min(ceiling, 1);
        }
        if (high - low < 1e-12 * Math.max(1, Math.abs(high))) { // one value: give it some room
            double pad = low == 0 ? 1 : Math.abs(low) * 0.1;
            low -= pad;
            high += pad;
        }
        double step = niceStep((high - low) / Math.max(1, targetTicks - 1));
        double min = Math.floor(low / step + 1e-9) * step;
        double max = Math.ceil(high / step - 1e-9) * step;
        min = Math.max(min, floor);
        max = Math.min(max, ceiling);
        if (max <= min) max = min + step;
        return new AxisScale(min, max, step);
    }

    /** The nice step nearest above {@code raw}: 1, 2, 2.5 or 5 times a power of ten. */
    static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /** The tick values from the first multiple of the step at or above {@code min} to {@code max}. */
    List<Double> ticks() {
        List<Double> t = new ArrayList<>();
        double first = Math.ceil(min / step - 1e-9) * step;
        for (int i = 0; ; i++) {
            double v = first + i * step;
            if (v > max + step * 1e-9) break;
            t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return t;
    }

    /** A tick label with as many decimals as the step needs, and no more: 0.25, 0.5, 1, 2.5, 1000. */
    String label(double value) {
        int decimals = 0;
        double s = step;
        while (decimals < 6 && Math.abs(s - Math.rint(s)) > 1e-9 * Math.max(1, s)) {
            s *= 10;
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Where {@code value} falls between 0 (min) and 1 (max). */
    double fraction(double value) {
        return (value - min) / (max - min);
    }
}
