package dev.myelin.nn.init;

import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Keras's {@code VarianceScaling}, the family behind the Glorot, He and LeCun initializers. With
 * {@code n = max(1, fan)} for the chosen {@link Mode} (fans as {@link Initializer} computes them):
 * <ul>
 *   <li>{@code TRUNCATED_NORMAL}: truncated normal (±2σ) with {@code σ = sqrt(scale / n) / 0.87962566103423978},
 *       so that the samples' standard deviation after truncation is {@code sqrt(scale / n)};</li>
 *   <li>{@code UNTRUNCATED_NORMAL}: {@code N(0, scale / n)};</li>
 *   <li>{@code UNIFORM}: {@code U(-limit, limit)} with {@code limit = sqrt(3 · scale / n)}.</li>
 * </ul>
 */
public record VarianceScaling(double scale, Mode mode, Distribution distribution) implements Initializer {
    /** Which fan divides the scale. */
    public enum Mode { FAN_IN, FAN_OUT, FAN_AVG }

    /** The distribution samples are drawn from. */
    public enum Distribution { TRUNCATED_NORMAL, UNTRUNCATED_NORMAL, UNIFORM }

    /** Standard deviation of a standard normal truncated to [-2, 2]. */
    static final double TRUNCATION_STDDEV = 0.87962566103423978;

    public VarianceScaling {
        if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("VarianceScaling scale must be positive and finite, got " + scale);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(distribution, "distribution");
    }

    /** Keras's defaults: scale 1, fan-in, truncated normal. */
    public VarianceScaling() {
        this(1.0, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL);
    }

    @Override
    public Tensor create(Shape shape, DType dtype, RandomGenerator rng) {
        double fanIn = Initializer.fanIn(shape), fanOut = Initializer.fanOut(shape);
        double n = Math.max(1.0, switch (mode) {
            case FAN_IN -> fanIn;
            case FAN_OUT -> fanOut;
            case FAN_AVG -> (fanIn + fanOut) / 2.0;
        });
        double s = scale / n;
        int[] dims = shape.toArray();
        Tensor t = switch (distribution) {
            case TRUNCATED_NORMAL -> Tensor.truncatedNormal(rng, 0.0, Math.sqrt(s) / TRUNCATION_STDDEV, dims);
            case UNTRUNCATED_NORMAL -> Tensor.normal(rng, 0.0, Math.sqrt(s), dims);
            case UNIFORM -> {
                double limit = Math.sqrt(3.0 * s);
                yield Tensor.uniform(rng, -limit, limit, dims);
            }
        };
        return t.to(dtype);
    }
}
