package dev.myelin.compress;

/**
 * The range of every value observed: {@code [min x, max x]}. Nothing is clipped, so the step grows with
 * the largest outlier (compare {@link PercentileObserver}).
 */
public final class MinMaxObserver implements RangeObserver {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    @Override
    public void observe(float[] values) {
        for (float v : values) {
            if (Float.isNaN(v) || Float.isInfinite(v)) throw new IllegalArgumentException("calibration value " + v + " is not finite");
            if (v < min) min = v;
            if (v > max) max = v;
        }
    }

    @Override
    public double[] range() {
        return min > max ? new double[] {0, 0} : new double[] {min, max};
    }
}
