package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.Arrays;

/**
 * A per-channel affine map of feature values, {@code y = x · scale[c] + offset[c]} with {@code c} the index
 * along the last axis (the channel of {@code [n, h, w, c]} images, the feature of {@code [n, f]} tables),
 * or one scale and offset for every value. Two ways to make one:
 * <ul>
 *   <li>{@link #scale(double)}, {@link #scale(double, double)}: a fixed rescaling, as Keras's
 *       {@code Rescaling(scale, offset)} — {@code Normalization.scale(1 / 255.0)} maps pixels to [0, 1];</li>
 *   <li>{@link #adapt(Tensor)}: standardization fitted on data, as Keras's {@code Normalization} layer with
 *       {@code axis=-1}: per channel {@code (x − mean) / max(std, 1e-7)} with the population standard
 *       deviation (divisor N), computed in double. It is applied as {@code x·(1/std) − mean/std} in float32,
 *       equal to the quotient up to rounding.</li>
 * </ul>
 * Fit on the training data only and apply the same object to validation and test data.
 *
 * <p>Shapes: any tensor {@code [..., c]}; with per-channel parameters its last dimension must be
 * {@code c} (a rank-1 tensor {@code [n]} counts as one channel when fitting).
 *
 * <p>Example:
 * <pre>{@code
 * Dataset train = Normalization.scale(1 / 255.0).apply(data.train());
 * Normalization norm = Normalization.adapt(train);        // per-channel mean 0, std 1
 * train = norm.apply(train);
 * Dataset test = norm.apply(Normalization.scale(1 / 255.0).apply(data.test()));
 * }</pre>
 */
public final class Normalization {
    /** Keras's {@code backend.epsilon()}: the smallest standard deviation divided by. */
    public static final double EPSILON = 1e-7;

    private final double[] scale;
    private final double[] offset;

    private Normalization(double[] scale, double[] offset) {
        this.scale = scale;
        this.offset = offset;
    }

    /** {@code y = x · factor} for every value. */
    public static Normalization scale(double factor) {
        return scale(factor, 0.0);
    }

    /** {@code y = x · factor + offset} for every value (Keras {@code Rescaling}). */
    public static Normalization scale(double factor, double offset) {
        if (!Double.isFinite(factor) || factor == 0 || !Double.isFinite(offset)) {
            throw new IllegalArgumentException("Normalization.scale: factor must be finite and non-zero and offset finite, got factor "
                    + factor + ", offset " + offset);
        }
        return new Normalization(new double[] {factor}, new double[] {offset});
    }

    /** {@code y = (x − mean[c]) / std[c]} per channel, with given statistics (each std > 0). */
    public static Normalization standardize(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("Normalization.standardize: mean and std need the same, non-zero length, got "
                    + mean.length + " and " + std.length);
        }
        double[] s = new double[mean.length], o = new double[mean.length];
        for (int c = 0; c < mean.length; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("Normalization.standardize: channel " + c + " has mean " + mean[c] + ", std " + std[c]
                        + "; expected a finite mean and a finite std > 0");
            }
            s[c] = 1.0 / std[c];
            o[c] = -mean[c] / std[c];
        }
        return new Normalization(s, o);
    }

    /** Standardization fitted on {@code x [n, ..., c]}: per-channel mean and population std (at least {@link #EPSILON}). */
    public static Normalization adapt(Tensor x) {
        return adapt(x.toFloatArray(), x.shape().toArray());
    }

    /** Standardization fitted on the features of {@code data}; see {@link #adapt(Tensor)}. */
    public static Normalization adapt(Dataset data) {
        return adapt(data.xData(), data.xShapeArray());
    }

    private static Normalization adapt(float[] v, int[] shape) {
        int c = shape.length <= 1 ? 1 : shape[shape.length - 1];
        if (v.length == 0 || c == 0) {
            throw new IllegalArgumentException("Normalization.adapt: no values to fit on, shape " + Arrays.toString(shape));
        }
        long count = v.length / c;
        double[] mean = new double[c];
        for (int i = 0; i < v.length; i += c) {
            for (int k = 0; k < c; k++) mean[k] += v[i + k];
        }
        for (int k = 0; k < c; k++) mean[k] /= count;
        double[] var = new double[c];
        for (int i = 0; i < v.length; i += c) {
            for (int k = 0; k < c; k++) {
                double d = v[i + k] - mean[k];
                var[k] += d * d;
            }
        }
        double[] std = new double[c];
        for (int k = 0; k < c; k++) std[k] = Math.max(Math.sqrt(var[k] / count), EPSILON);
        return standardize(mean, std);
    }

    /** Number of per-channel parameters (1 for a single scale and offset). */
    public int channels() {
        return scale.length;
    }

    /** The multipliers, one per channel (a copy). */
    public double[] scaleFactors() {
        return scale.clone();
    }

    /** The offsets, one per channel (a copy). */
    public double[] offsets() {
        return offset.clone();
    }

    /** The mean this map sends to 0, per channel: {@code −offset / scale} (for {@link #adapt}: the fitted mean). */
    public double[] mean() {
        double[] m = new double[scale.length];
        for (int c = 0; c < m.length; c++) m[c] = -offset[c] / scale[c];
        return m;
    }

    /** The divisor per channel: {@code 1 / scale} (for {@link #adapt}: the fitted standard deviation). */
    public double[] std() {
        double[] s = new double[scale.length];
        for (int c = 0; c < s.length; c++) s[c] = 1.0 / scale[c];
        return s;
    }

    /** The map applied to {@code x}: a new float32 tensor of the same shape. */
    public Tensor apply(Tensor x) {
        int[] shape = x.shape().toArray();
        float[] v = x.toFloatArray();
        applyInPlace(v, shape);
        return Tensor.of(v, shape);
    }

    /** {@code data} with the map applied to its features; the targets are shared, unchanged. */
    public Dataset apply(Dataset data) {
        float[] v = data.xData().clone();
        applyInPlace(v, data.xShapeArray());
        return data.withXData(v);
    }

    /** The map applied to {@code v} itself, laid out as {@code shape}; only for arrays no one else holds (loaders). */
    void applyInPlace(float[] v, int[] shape) {
        int c = scale.length;
        if (c == 1) {
            float s = (float) scale[0], o = (float) offset[0];
            for (int i = 0; i < v.length; i++) v[i] = v[i] * s + o;
            return;
        }
        if (shape.length == 0 || shape[shape.length - 1] != c) {
            throw new IllegalArgumentException("Normalization: fitted on " + c + " channels, but the input's last dimension is "
                    + (shape.length == 0 ? "missing (a scalar)" : shape[shape.length - 1]) + " (shape " + Arrays.toString(shape) + ")");
        }
        float[] s = new float[c], o = new float[c];
        for (int k = 0; k < c; k++) {
            s[k] = (float) scale[k];
            o[k] = (float) offset[k];
        }
        for (int i = 0; i < v.length; i += c) {
            for (int k = 0; k < c; k++) v[i + k] = v[i + k] * s[k] + o[k];
        }
    }

    @Override
    public String toString() {
        return "Normalization(scale=" + Arrays.toString(scale) + ", offset=" + Arrays.toString(offset) + ")";
    }
}
