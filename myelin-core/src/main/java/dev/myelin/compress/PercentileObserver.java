package dev.myelin.compress;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The range between the {@code (100 − p)}-th and the {@code p}-th percentile of the observed values
 * (TensorRT's and PyTorch's {@code HistogramObserver} idea in its simplest form): the rare extreme values
 * are clipped, so that the common ones get a finer step.
 *
 * <p>The percentiles are those of a uniform sample of at most {@value #SAMPLE} values (reservoir sampling
 * with a fixed seed, so calibration is repeatable), exact while fewer values have been seen.
 */
public final class PercentileObserver implements RangeObserver {
    /** The largest number of values kept. */
    public static final int SAMPLE = 1 << 21;
    private final double percentile;
    private final SplittableRandom random = new SplittableRandom(0x5EED);
    private float[] sample = new float[1024];
    private int kept;
    private long seen;

    /** @param percentile in (50, 100]: 99.99 keeps all but the top and bottom 0.01 % */
    public PercentileObserver(double percentile) {
        if (!(percentile > 50 && percentile <= 100)) throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        this.percentile = percentile;
    }

    @Override
    public void observe(float[] values) {
        for (float v : values) {
            if (Float.isNaN(v) || Float.isInfinite(v)) throw new IllegalArgumentException("calibration value " + v + " is not finite");
            seen++;
            if (kept < SAMPLE) {
                if (kept == sample.length) sample = Arrays.copyOf(sample, Math.min(SAMPLE, 2 * kept));
                sample[kept++] = v;
            } else {
                long slot = random.nextLong(seen);
                if (slot < SAMPLE) sample[(int) slot] = v;
            }
        }
    }

    @Override
    public double[] range() {
        if (kept == 0) return new double[] {0, 0};
        float[] sorted = Arrays.copyOf(sample, kept);
        Arrays.sort(sorted);
        double q = percentile / 100;
        return new double[] {sorted[(int) Math.floor((1 - q) * (kept - 1))], sorted[(int) Math.ceil(q * (kept - 1))]};
    }
}
