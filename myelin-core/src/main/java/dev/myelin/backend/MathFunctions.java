package dev.myelin.backend;

/** Special functions the JDK lacks, accurate to about 1e-15 (they serve float64 gradient checks). */
public final class MathFunctions {
    private static final double INV_SQRT_2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private MathFunctions() {}

    /** The error function erf(x) = 2/√π ∫₀ˣ exp(−t²) dt. */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        double r = ax < 2.5 ? erfSeries(ax) : 1.0 - erfcContinuedFraction(ax);
        return x < 0 ? -r : r;
    }

    /** Standard normal cumulative distribution Φ(x) = (1 + erf(x/√2)) / 2, accurate in the far tails. */
    public static double normalCdf(double x) {
        double z = x * INV_SQRT_2;
        if (z < -2.5) return 0.5 * erfcContinuedFraction(-z);
        return 0.5 * (1.0 + erf(z));
    }

    /** Standard normal density φ(x). */
    public static double normalPdf(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    // erf(x) = 2x/√π · exp(−x²) · Σ (2x²)^n / (1·3·5···(2n+1)); converges for all x, fast for x < 2.5.
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = 1.0;
        double sum = 1.0;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return 2.0 / Math.sqrt(Math.PI) * x * Math.exp(-x2) * sum;
    }

    // erfc(x) for x >= 2.5 by its continued fraction (modified Lentz), exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
    private static double erfcContinuedFraction(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0.0;
        for (int n = 1; n < 300; n++) {
            double a = n * 0.5;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
