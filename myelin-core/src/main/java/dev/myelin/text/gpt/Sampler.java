package dev.myelin.text.gpt;

import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;

/**
 * Draws the next token from a language model's logits, with Hugging Face's order of filters:
 * <pre>
 *   p_i = softmax(logits / temperature)_i                      (temperature 0: the arg max, greedy)
 *   top-k: keep the k largest p_i                               (ties: the lower id first)
 *   top-p: keep the smallest set of the largest p_i whose mass (after top-k, renormalized) is >= p
 *   draw i with probability p_i / sum of the kept p
 * </pre>
 * All arithmetic is in double; a seeded generator makes the draws repeatable.
 *
 * @param temperature {@code >= 0}; 0 is greedy, 1 the model's distribution, above 1 flatter
 * @param topK        null for no top-k filter, else {@code >= 1}
 * @param topP        null for no nucleus filter, else in {@code (0, 1]}
 */
public record Sampler(double temperature, Integer topK, Double topP) {
    public Sampler {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 and finite (0 = greedy), got " + temperature);
        }
        if (topK != null && topK <= 0) throw new IllegalArgumentException("top-k must be >= 1, got " + topK);
        if (topP != null && !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }

    /** Always the most likely token. */
    public static Sampler greedy() {
        return new Sampler(0, null, null);
    }

    /** Samples the distribution reweighted by {@code temperature}, without filters. */
    public static Sampler of(double temperature) {
        return new Sampler(temperature, null, null);
    }

    public Sampler withTopK(int k) {
        return new Sampler(temperature, k, topP);
    }

    public Sampler withTopP(double p) {
        return new Sampler(temperature, topK, p);
    }

    /** A token id drawn from {@link #distribution}({@code logits}) with {@code rng}. */
    public int sample(float[] logits, RandomGenerator rng) {
        double[] p = distribution(logits);
        double u = rng.nextDouble(), cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) continue;
            cumulative += p[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last; // u within rounding of 1
    }

    /**
     * The probabilities the sampler draws from: {@code softmax(logits / temperature)} with the top-k and
     * top-p filters applied and renormalized (filtered tokens are exactly 0). Temperature 0 puts all the
     * mass on the arg max (the lowest id among equal maxima).
     *
     * @throws IllegalArgumentException when {@code logits} is empty or holds NaN
     */
    public double[] distribution(float[] logits) {
        if (logits.length == 0) throw new IllegalArgumentException("no logits to sample from (an empty vocabulary)");
        int best = 0;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) throw new IllegalArgumentException("logit " + i + " is NaN");
            if (logits[i] > logits[best]) best = i;
        }
        double[] p = new double[logits.length];
        if (temperature == 0) {
            p[best] = 1;
            return p;
        }
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - (double) logits[best]) / temperature);
            total += p[i];
        }
        for (int i = 0; i < p.length; i++) p[i] /= total;
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        int kept = topK == null ? p.length : Math.min(topK, p.length);
        if (topP != null) {
            double mass = 0;
            for (int r = 0; r < kept; r++) mass += p[order[r]];
            double cumulative = 0;
            for (int r = 0; r < kept; r++) {
                cumulative += p[order[r]];
                if (cumulative >= topP * mass) {
                    kept = r + 1;
                    break;
                }
            }
        }
        double keptMass = 0;
        for (int r = 0; r < kept; r++) keptMass += p[order[r]];
        double[] out = new double[p.length];
        for (int r = 0; r < kept; r++) out[order[r]] = p[order[r]] / keptMass;
        return out;
    }
}
