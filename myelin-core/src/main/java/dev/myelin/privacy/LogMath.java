package dev.myelin.privacy;

/** Sums and differences of numbers held as their logarithms, and {@code log erfc}, for the accountant. */
final class LogMath {
    private LogMath() {}

    /** {@code log(eˣ + eʸ)}. */
    static double add(double logX, double logY) {
        double a = Math.min(logX, logY), b = Math.max(logX, logY);
        if (a == Double.NEGATIVE_INFINITY) return b;
        return Math.log1p(Math.exp(a - b)) + b;
    }

    /** {@code log(eˣ − eʸ)}, for {@code x ≥ y}. */
    static double sub(double logX, double logY) {
        if (logX < logY) throw new IllegalArgumentException("log-space subtraction would be negative: " + logX + " < " + logY);
        if (logY == Double.NEGATIVE_INFINITY) return logX;
        if (logX == logY) return Double.NEGATIVE_INFINITY;
        double d = Math.expm1(logX - logY);
        return Double.isInfinite(d) ? logX : Math.log(d) + logY;
    }

    /**
     * {@code log(erfc(x))}, accurate to about 1e-13 relative also far in the tail: for {@code x ≥ 2} from
     * the continued fraction {@code erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}
     * in log form, otherwise from {@code erf}'s series of positive terms
     * {@code erf(x) = 2/√π · e^{−x²} Σₙ 2ⁿ x^{2n+1} / (1·3·…·(2n+1))}.
     */
    static double logErfc(double x) {
        if (x >= 2) return -x * x - 0.5 * Math.log(Math.PI) + Math.log(tail(x));
        if (x > -2) return Math.log1p(-erf(x));
        return Math.log(2 - Math.exp(-x * x) / Math.sqrt(Math.PI) * tail(-x));
    }

    /** {@code √π e^{x²} erfc(x)} for {@code x ≥ 2}, the continued fraction evaluated from the back. */
    private static double tail(double x) {
        double t = x;
        for (int n = 300; n >= 1; n--) t = x + (n / 2.0) / t;
        return 1 / t;
    }

    /** {@code erf(x)} for {@code |x| < 2}. */
    static double erf(double x) {
        double ax = Math.abs(x), term = ax, sum = ax;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
        return x < 0 ? -r : r;
    }
}
