package dev.myelin.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * A learning rate that is constant between step boundaries, as Keras's {@code PiecewiseConstantDecay}:
 * <pre>
 * rate(step) = values[0]   for step &lt;= boundaries[0]
 *              values[i]   for boundaries[i-1] &lt; step &lt;= boundaries[i]
 *              values[n]   for step &gt; boundaries[n-1]
 * </pre>
 * Note that the boundary step itself still uses the earlier value.
 *
 * <p>Example: rate 1.0 for steps 0..100000, 0.5 for 100001..110000, then 0.1:
 * {@code PiecewiseConstantDecay.of(new long[] {100_000, 110_000}, 1.0, 0.5, 0.1)}.
 *
 * @param boundaries strictly increasing steps (copied)
 * @param values one more value than boundaries, each {@code >= 0} (copied)
 */
public record PiecewiseConstantDecay(List<Long> boundaries, List<Double> values) implements LearningRateSchedule {

    public PiecewiseConstantDecay {
        boundaries = List.copyOf(boundaries);
        values = List.copyOf(values);
        if (values.size() != boundaries.size() + 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay needs one more value than boundaries, got "
                    + boundaries.size() + " boundaries " + boundaries + " and " + values.size() + " values " + values);
        }
        for (int i = 1; i < boundaries.size(); i++) {
            if (boundaries.get(i) <= boundaries.get(i - 1)) {
                throw new IllegalArgumentException("PiecewiseConstantDecay boundaries must be strictly increasing, got "
                        + boundaries);
            }
        }
        for (double v : values) Checks.nonNegative("PiecewiseConstantDecay", "values element", v);
    }

    /** From arrays: {@code values.length == boundaries.length + 1}. */
    public static PiecewiseConstantDecay of(long[] boundaries, double... values) {
        List<Long> b = new ArrayList<>(boundaries.length);
        for (long x : boundaries) b.add(x);
        List<Double> v = new ArrayList<>(values.length);
        for (double x : values) v.add(x);
        return new PiecewiseConstantDecay(b, v);
    }

    @Override
    public double rate(long step) {
        int i = 0;
        while (i < boundaries.size() && step > boundaries.get(i)) i++;
        return values.get(i);
    }
}
