package dev.myelin.privacy;

import java.util.Arrays;

/**
 * The privacy spent by DP-SGD: Rényi differential privacy (Mironov 2017) of the Poisson-subsampled
 * Gaussian mechanism, composed over the steps taken, converted to {@code (ε, δ)}-DP.
 *
 * <p>One step samples each example with probability {@code q} and adds Gaussian noise of standard
 * deviation {@code σ} times the sensitivity (the clipping norm). Its RDP at order {@code α} is
 * {@code log(A_α) / (α − 1)} (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled
 * Gaussian Mechanism", section 3.3), where for an integer {@code α}
 * <pre>
 *   A_α = Σ_{k=0..α} C(α, k) (1 − q)^{α−k} q^k exp((k² − k) / (2σ²))
 * </pre>
 * and for a fractional {@code α} the two-sided series of their section 3.3 (each side a sum of binomial
 * terms times {@code erfc} tails, summed until the terms fall below {@code e⁻³⁰}). RDP adds up over steps.
 * These are the formulas, sums in log space and stopping rule of TF-Privacy's {@code rdp_accountant} /
 * Google's {@code dp_accounting} and Opacus's {@code analysis/rdp.py}; {@code q = 1} gives
 * {@code α / (2σ²)}, {@code q = 0} gives 0.
 *
 * <p>Conversion: {@code ε = min_α [ RDP(α) + log((α − 1)/α) − (log δ + log α) / (α − 1) ]} over the
 * orders, the improved bound of Balle et al. 2020 ("Hypothesis testing interpretations and Rényi DP",
 * Theorem 21; Canonne, Kamath and Steinke 2020, Proposition 12) that Opacus's {@code get_privacy_spent}
 * and {@code dp_accounting} use (tighter than Mironov's {@code RDP(α) − log δ / (α − 1)}); as
 * {@code dp_accounting}, an order whose RDP already gives {@code δ² + e^{−RDP} > 1} yields ε = 0, and
 * orders at or below 1.01 are skipped (the bound is unstable there).
 *
 * <p>Example: {@code RdpAccountant.epsilon(256 / 60000.0, 1.1, 60 * 235, 1e-5)} is the ε of 60 epochs of
 * MNIST with batches of 256 and noise multiplier 1.1.
 */
public final class RdpAccountant {
    /** Opacus's default orders: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
    public static final double[] DEFAULT_ORDERS = defaultOrders();
    /** The largest noise multiplier {@link #noiseMultiplier} tries, as Opacus's {@code get_noise_multiplier}. */
    public static final double MAX_NOISE_MULTIPLIER = 2000;

    private final double[] orders;
    private final double[] rdp;
    private long steps;
    private double lastQ = Double.NaN, lastSigma = Double.NaN;
    private double[] lastStepRdp;

    /** An accountant over {@link #DEFAULT_ORDERS}, with nothing spent. */
    public RdpAccountant() {
        this(DEFAULT_ORDERS);
    }

    /** An accountant over the given orders (each above 1), with nothing spent. */
    public RdpAccountant(double[] orders) {
        for (double a : orders) if (!(a > 1)) throw new IllegalArgumentException("RDP orders must be > 1, got " + a);
        this.orders = orders.clone();
        this.rdp = new double[orders.length];
    }

    /** Records {@code count} steps of the subsampled Gaussian mechanism at sampling rate {@code q} and noise multiplier {@code sigma}. */
    public void step(double q, double sigma, long count) {
        if (count < 0) throw new IllegalArgumentException("steps must be >= 0, got " + count);
        if (q != lastQ || sigma != lastSigma) {
            lastStepRdp = rdp(q, sigma, 1, orders);
            lastQ = q;
            lastSigma = sigma;
        }
        for (int i = 0; i < orders.length; i++) rdp[i] += lastStepRdp[i] * count;
        steps += count;
    }

    /**
     * The accountant's state, to resume a run's budget exactly ({@code PrivateModel}'s training snapshot):
     * {@code {steps, bits of RDP(α₁), bits of RDP(α₂), ...}} ({@link Double#doubleToRawLongBits}), in the
     * order of the orders.
     */
    public long[] state() {
        long[] out = new long[1 + rdp.length];
        out[0] = steps;
        for (int i = 0; i < rdp.length; i++) out[i + 1] = Double.doubleToRawLongBits(rdp[i]);
        return out;
    }

    /**
     * Sets the spent budget back to {@code state}, as {@link #state()} returned it.
     *
     * @throws IllegalArgumentException when it does not have one value per order, or holds a negative step
     *         count or an RDP value that is negative or NaN
     */
    public void restoreState(long[] state) {
        if (state == null || state.length != 1 + rdp.length) {
            throw new IllegalArgumentException("an accountant state over " + rdp.length + " orders is " + (1 + rdp.length)
                    + " values {steps, RDP per order}, got " + (state == null ? "null" : state.length + " values"));
        }
        if (state[0] < 0) throw new IllegalArgumentException("an accountant state has a negative step count " + state[0]);
        double[] values = new double[rdp.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.longBitsToDouble(state[i + 1]);
            if (!(values[i] >= 0)) throw new IllegalArgumentException("an accountant state has RDP " + values[i] + " at order " + orders[i]);
        }
        System.arraycopy(values, 0, rdp, 0, rdp.length);
        steps = state[0];
    }

    /** Steps recorded so far. */
    public long steps() {
        return steps;
    }

    /** The ε spent so far at {@code delta} (0 before any step). */
    public double epsilon(double delta) {
        return spent(orders, rdp, delta).epsilon();
    }

    /** An {@code (ε, δ)} guarantee and the RDP order that gave it. */
    public record Spent(double epsilon, double order) {}

    /** The ε of {@code steps} steps at rate {@code q} and noise multiplier {@code sigma}, over the default orders. */
    public static double epsilon(double q, double sigma, long steps, double delta) {
        return spent(DEFAULT_ORDERS, rdp(q, sigma, steps, DEFAULT_ORDERS), delta).epsilon();
    }

    /**
     * The RDP of {@code steps} steps of the Poisson-subsampled Gaussian mechanism at each order
     * (TF-Privacy's {@code compute_rdp(q, noise_multiplier, steps, orders)}).
     */
    public static double[] rdp(double q, double sigma, long steps, double[] orders) {
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
        if (!(sigma >= 0)) throw new IllegalArgumentException("noise multiplier must be >= 0, got " + sigma);
        double[] out = new double[orders.length];
        for (int i = 0; i < orders.length; i++) out[i] = rdpOneStep(q, sigma, orders[i]) * steps;
        return out;
    }

    private static double rdpOneStep(double q, double sigma, double alpha) {
        if (q == 0) return 0;
        if (sigma == 0 || Double.isInfinite(alpha)) return Double.POSITIVE_INFINITY;
        if (q == 1) return alpha / (2 * sigma * sigma);
        double logA = alpha == Math.rint(alpha) ? logAInteger(q, sigma, (int) alpha) : logAFractional(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** {@code log A_α} for an integer order: the binomial sum above, in log space. */
    static double logAInteger(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0; // log C(alpha, k), updated as k grows
        for (int k = 0; k <= alpha; k++) {
            if (k > 0) logBinom += Math.log(alpha - k + 1) - Math.log(k);
            double s = logBinom + k * Math.log(q) + (alpha - k) * Math.log1p(-q) + (k * (double) k - k) / (2 * sigma * sigma);
            logA = LogMath.add(logA, s);
        }
        return logA;
    }

    /**
     * {@code log A_α} for a fractional order (Mironov, Talwar and Zhang 2019, section 3.3): the integral
     * split at {@code z₀ = σ² log(1/q − 1) + 1/2}, each side a series of generalized binomial terms
     * {@code C(α, i)} (alternating in sign past {@code α}) times a Gaussian tail.
     */
    static double logAFractional(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY, logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double coef = 1; // C(alpha, i), generalized
        for (int i = 0; ; i++) {
            if (i > 0) coef *= (alpha - i + 1) / i;
            double logCoef = Math.log(Math.abs(coef));
            double j = alpha - i;
            double logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
            double logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
            double logE0 = Math.log(0.5) + LogMath.logErfc((i - z0) / (Math.sqrt(2) * sigma));
            double logE1 = Math.log(0.5) + LogMath.logErfc((z0 - j) / (Math.sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double) i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (coef > 0) {
                logA0 = LogMath.add(logA0, logS0);
                logA1 = LogMath.add(logA1, logS1);
            } else {
                logA0 = LogMath.sub(logA0, logS0);
                logA1 = LogMath.sub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) break;
        }
        return LogMath.add(logA0, logA1);
    }

    /** The best {@code (ε, order)} for {@code delta} from RDP values at {@code orders} (the conversion in the class comment). */
    public static Spent spent(double[] orders, double[] rdp, double delta) {
        if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        if (orders.length != rdp.length) throw new IllegalArgumentException(orders.length + " orders but " + rdp.length + " RDP values");
        double best = Double.POSITIVE_INFINITY, bestOrder = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i], r = rdp[i];
            double eps;
            if (delta * delta + Math.expm1(-r) > 0) eps = 0; // the KL bound δ ≤ √(1 − e^{−RDP}) already holds
            else if (a > 1.01) eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
            else eps = Double.POSITIVE_INFINITY;
            if (eps < best || Double.isNaN(bestOrder)) {
                best = eps;
                bestOrder = a;
            }
        }
        return new Spent(Math.max(0, best), bestOrder);
    }

    /**
     * The smallest noise multiplier (within 0.1%) whose ε after {@code steps} steps at rate {@code q} is at
     * most {@code targetEpsilon} at {@code delta}: bisection, as Opacus's {@code get_noise_multiplier}.
     *
     * @throws IllegalArgumentException when even {@link #MAX_NOISE_MULTIPLIER} spends more than the target,
     *         saying what would reach it (fewer steps, a lower rate, a larger δ)
     */
    public static double noiseMultiplier(double targetEpsilon, double delta, double q, long steps) {
        if (!(targetEpsilon > 0)) throw new IllegalArgumentException("target epsilon must be > 0, got " + targetEpsilon);
        if (steps <= 0 || q == 0) return 0;
        double low = 0, high = 1;
        while (epsilon(q, high, steps, delta) > targetEpsilon) {
            if (high >= MAX_NOISE_MULTIPLIER) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "privacy budget epsilon=%g at delta=%g cannot be reached in %d steps at sampling rate q=%.4g: even noise multiplier %g"
                                + " spends epsilon=%.4g; %s",
                        targetEpsilon, delta, steps, q, high, epsilon(q, high, steps, delta), whatWould(targetEpsilon, delta, q, steps)));
            }
            low = high;
            high = Math.min(MAX_NOISE_MULTIPLIER, high * 2);
        }
        while (high - low > 1e-3 * high) {
            double mid = (low + high) / 2;
            if (epsilon(q, mid, steps, delta) > targetEpsilon) low = mid;
            else high = mid;
        }
        return high;
    }

    /**
     * What would reach a budget that {@code steps} steps at rate {@code q} cannot: the most steps that stay
     * within it at {@link #MAX_NOISE_MULTIPLIER} (ε grows with the steps, so a bisection), the rate at which all
     * the steps would, or, when one step alone spends more, a larger ε or δ.
     */
    static String whatWould(double targetEpsilon, double delta, double q, long steps) {
        double sigma = MAX_NOISE_MULTIPLIER;
        java.util.List<String> ways = new java.util.ArrayList<>();
        if (epsilon(q, sigma, 1, delta) <= targetEpsilon) {
            long fits = 1, fails = steps; // epsilon(fits) <= target < epsilon(fails)
            while (fails - fits > 1) {
                long mid = fits + (fails - fits) / 2;
                if (epsilon(q, sigma, mid, delta) <= targetEpsilon) fits = mid;
                else fails = mid;
            }
            ways.add("at most " + fits + " steps stay within it (train fewer epochs)");
        }
        double rateLow = 0, rateHigh = q; // the largest rate at which all the steps fit, by bisection
        for (int i = 0; i < 60; i++) {
            double mid = (rateLow + rateHigh) / 2;
            if (epsilon(mid, sigma, steps, delta) <= targetEpsilon) rateLow = mid;
            else rateHigh = mid;
        }
        if (rateLow > 0) {
            ways.add(String.format(java.util.Locale.ROOT, "all %d steps at a sampling rate of at most q=%.4g (smaller batches or more data)", steps, rateLow));
        }
        ways.add("allow a larger epsilon or delta");
        return String.join(", or ", ways);
    }

    private static double[] defaultOrders() {
        double[] o = new double[99 + 52];
        for (int x = 1; x < 100; x++) o[x - 1] = 1 + x / 10.0;
        for (int a = 12; a < 64; a++) o[99 + a - 12] = a;
        return o;
    }

    @Override
    public String toString() {
        return "RdpAccountant(" + steps + " steps over " + orders.length + " orders " + Arrays.toString(Arrays.copyOf(orders, 3)) + "...)";
    }
}
