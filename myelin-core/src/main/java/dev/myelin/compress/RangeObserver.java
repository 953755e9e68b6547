package dev.myelin.compress;

/**
 * Watches the values a layer receives during calibration and proposes the range that its int8 input
 * quantization should cover ({@link PostTrainingQuantization}).
 *
 * <p>Example: {@code PostTrainingQuantization.quantize(model, images, MinMaxObserver::new)}, or
 * {@code () -> new PercentileObserver(99.99)} to clip rare outliers.
 */
public interface RangeObserver {
    /** Records a batch of values. */
    void observe(float[] values);

    /** The proposed range {@code {min, max}}; {@code {0, 0}} when nothing was observed. */
    double[] range();
}
