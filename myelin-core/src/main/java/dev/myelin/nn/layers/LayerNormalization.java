package dev.myelin.nn.layers;

import dev.myelin.backend.DType;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Zeros;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Layer normalization (Ba et al., 2016) with Keras 3's semantics (axis -1, epsilon 1e-3): each example is
 * normalized over the feature axis on its own, the same in training and inference.
 * <pre>
 *   mean = mean(x, axis)      variance = mean((x − mean)², axis)       (biased, as Keras's ops.moments)
 *   inv  = gamma / sqrt(variance + epsilon)
 *   y    = x · inv + (beta − mean · inv)                                 (Keras's order of operations)
 * </pre>
 * In float32 over the last axis (the Transformer's case) one fused operation, {@link Tensor#layerNorm}, with
 * one gradient rule (the CPU backend's kernel normalizes each row in one pass and keeps only its mean and
 * rstd for the backward), which centres before scaling, {@code (x − mean)·inv + beta}, the same value without
 * float32's cancellation between {@code x·inv} and {@code mean·inv} when the variance is small; otherwise (another axis, float64) composed from tensor operations, so autograd
 * derives the gradient, which the gradient checks verify. The implicit mask of the input ({@link Masks})
 * passes through to the output, as Keras's {@code supports_masking}.
 *
 * <p>Shapes: output shape = input shape; {@code axis} counts the batch as 0 (Keras's numbering: -1 is the
 * last), and cannot be the batch.
 *
 * <p>Weights, each {@code [features]}: {@code gamma} (ones; with {@code scale}) and {@code beta} (zeros; with
 * {@code center}), both trainable. Parameters: 2 · features with both.
 *
 * <p>Example: {@code new LayerNormalization().epsilon(1e-5)} after a Transformer's residual sum.
 */
public final class LayerNormalization extends Layer {
    private int axis = -1;
    private double epsilon = 1e-3;
    private boolean center = true;
    private boolean scale = true;
    private Initializer betaInitializer = new Zeros();
    private Initializer gammaInitializer = new Ones();
    private Regularizer betaRegularizer;
    private Regularizer gammaRegularizer;
    private Parameter gamma;
    private Parameter beta;

    public LayerNormalization() {
        super("layer_normalization");
    }

    /**
     * LayerNormalization's configuration: Keras's {@code axis} (one axis), {@code epsilon}, {@code center},
     * {@code scale}, the two initializers and the two regularizers (null for none).
     */
    public record Config(LayerSettings layer, int axis, double epsilon, boolean center, boolean scale,
                         Initializer betaInitializer, Initializer gammaInitializer,
                         Regularizer betaRegularizer, Regularizer gammaRegularizer) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static LayerNormalization fromConfig(Config c) {
        LayerNormalization l = new LayerNormalization().axis(c.axis()).epsilon(c.epsilon()).center(c.center()).scale(c.scale())
                .betaInitializer(c.betaInitializer()).gammaInitializer(c.gammaInitializer())
                .betaRegularizer(c.betaRegularizer()).gammaRegularizer(c.gammaRegularizer());
        l.settings(c.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), axis, epsilon, center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer);
    }

    /** The axis normalized over (Keras's numbering, default -1); not 0, the batch. */
    public LayerNormalization axis(int value) {
        if (value == 0) throw new IllegalArgumentException("LayerNormalization axis cannot be 0 (the batch dimension), got axis=0");
        this.axis = value;
        return this;
    }

    /** Added to the variance before the square root (default 1e-3, Keras's). */
    public LayerNormalization epsilon(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("LayerNormalization epsilon must be positive and finite, got epsilon=" + value);
        }
        this.epsilon = value;
        return this;
    }

    /** Whether to add the learned offset {@code beta} (default true). */
    public LayerNormalization center(boolean value) {
        this.center = value;
        return this;
    }

    /** Whether to multiply by the learned scale {@code gamma} (default true). */
    public LayerNormalization scale(boolean value) {
        this.scale = value;
        return this;
    }

    public LayerNormalization betaInitializer(Initializer value) {
        this.betaInitializer = Objects.requireNonNull(value);
        return this;
    }

    public LayerNormalization gammaInitializer(Initializer value) {
        this.gammaInitializer = Objects.requireNonNull(value);
        return this;
    }

    public LayerNormalization betaRegularizer(Regularizer value) {
        this.betaRegularizer = value;
        return this;
    }

    public LayerNormalization gammaRegularizer(Regularizer value) {
        this.gammaRegularizer = value;
        return this;
    }

    public int axis() {
        return axis;
    }

    public double epsilon() {
        return epsilon;
    }

    /** {@code gamma}, or null without {@code scale}. */
    public Parameter gamma() {
        return gamma;
    }

    /** {@code beta}, or null without {@code center}. */
    public Parameter beta() {
        return beta;
    }

    /** The normalized axis within the example shape (without the batch dimension), or -1 when out of range. */
    private int featureAxis(int exampleRank) {
        int a = axis < 0 ? axis + exampleRank + 1 : axis;
        return a >= 1 && a <= exampleRank ? a - 1 : -1;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (featureAxis(inputShape.rank()) < 0) {
            throw shapeError("an input with an axis " + axis + " (counting the batch dimension as axis 0), that is at least "
                    + (axis < 0 ? -axis : axis) + " dimension(s) after the batch", inputShape);
        }
        return inputShape;
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        Shape shape = Shape.of(inputShape.dim(featureAxis(inputShape.rank())));
        if (scale) gamma = addWeight("gamma", shape, gammaInitializer, rng, true, gammaRegularizer);
        if (center) beta = addWeight("beta", shape, betaInitializer, rng, true, betaRegularizer);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int a = featureAxis(x.rank() - 1) + 1;
        Tensor g = scale ? gamma.value() : null, b = center ? beta.value() : null;
        if (a == x.rank() - 1 && isFloat32(x) && isFloat32(g) && isFloat32(b)) {
            return Masks.attach(x.layerNorm(g, b, epsilon), Masks.of(x));
        }
        int[] axes = {a};
        Tensor mean = x.mean(axes, true);
        Tensor variance = x.sub(mean).square().mean(axes, true);
        Tensor inv = variance.add(epsilon).rsqrt();
        if (scale) inv = inv.mul(broadcastable(gamma.value(), x.rank(), a));
        Tensor shift = mean.mul(inv).neg();
        if (center) shift = shift.add(broadcastable(beta.value(), x.rank(), a));
        return Masks.attach(x.mul(inv).add(shift), Masks.of(x));
    }

    /** True for a float32 tensor or none. */
    private static boolean isFloat32(Tensor t) {
        return t == null || t.dtype() == DType.FLOAT32;
    }

    /** A {@code [features]} weight shaped to broadcast along {@code axis} of a rank-{@code rank} tensor. */
    private static Tensor broadcastable(Tensor w, int rank, int axis) {
        if (axis == rank - 1) return w;
        int[] dims = new int[rank];
        java.util.Arrays.fill(dims, 1);
        dims[axis] = w.dim(0);
        return w.reshape(dims);
    }
}
