package dev.myelin.nn.layers;

import dev.myelin.autograd.NoGrad;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Zeros;
import dev.myelin.tensor.BatchNormResult;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Batch normalization with Keras 3's semantics (axis -1, momentum 0.99, epsilon 1e-3):
 * <pre>
 *   y = gamma · (x − mean) / sqrt(variance + epsilon) + beta        (per feature along the axis)
 * </pre>
 * <ul>
 *   <li>training ({@code call(x, true)} on a trainable layer): mean and variance are the batch's, over all
 *       axes but the feature axis; the variance is the biased (population) one, dividing by n, as
 *       Keras's {@code ops.moments}. Gradients flow through both. The moving statistics are then updated,
 *       outside the graph: {@code moving = moving · momentum + batch · (1 − momentum)}, with the same
 *       biased variance;</li>
 *   <li>inference ({@code call(x, false)}), or a layer frozen with {@code trainable(false)} (as Keras, a
 *       frozen BatchNormalization runs in inference mode): mean and variance are the moving ones.</li>
 * </ul>
 *
 * <p>Each call is one fused operation with one gradient rule ({@link Tensor#batchNormTraining},
 * {@link Tensor#batchNormInference}): the statistics, the normalization and its backward are a few passes
 * over the data on the backend (over channels-last rows on the CPU), not a tensor operation per term.
 *
 * <p>Shapes: output shape = input shape; the feature axis is {@code axis} of the batch tensor (Keras's
 * numbering: -1 is the last, 0 the batch dimension, which cannot be the feature axis).
 *
 * <p>Weights, each {@code [features]}: {@code gamma} (ones; with {@code scale}), {@code beta} (zeros; with
 * {@code center}), both trainable; {@code moving_mean} (zeros) and {@code moving_variance} (ones),
 * non-trainable. Parameters: 4 · features with center and scale.
 *
 * <p>Example: {@code new BatchNormalization().momentum(0.9)} after a Conv2D.
 */
public final class BatchNormalization extends Layer {
    private int axis = -1;
    private double momentum = 0.99;
    private double epsilon = 1e-3;
    private boolean center = true;
    private boolean scale = true;
    private Initializer betaInitializer = new Zeros();
    private Initializer gammaInitializer = new Ones();
    private Initializer movingMeanInitializer = new Zeros();
    private Initializer movingVarianceInitializer = new Ones();
    private Regularizer betaRegularizer;
    private Regularizer gammaRegularizer;
    private Parameter gamma;
    private Parameter beta;
    private Parameter movingMean;
    private Parameter movingVariance;

    public BatchNormalization() {
        super("batch_normalization");
    }

    /**
     * BatchNormalization's configuration: Keras's {@code axis}, {@code momentum}, {@code epsilon},
     * {@code center}, {@code scale}, the four initializers and the two regularizers (null for none).
     */
    public record Config(LayerSettings layer, int axis, double momentum, double epsilon, boolean center, boolean scale,
                         Initializer betaInitializer, Initializer gammaInitializer, Initializer movingMeanInitializer,
                         Initializer movingVarianceInitializer, Regularizer betaRegularizer, Regularizer gammaRegularizer)
            implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static BatchNormalization fromConfig(Config c) {
        BatchNormalization b = new BatchNormalization().axis(c.axis()).momentum(c.momentum()).epsilon(c.epsilon()).center(c.center())
                .scale(c.scale()).betaInitializer(c.betaInitializer()).gammaInitializer(c.gammaInitializer())
                .movingMeanInitializer(c.movingMeanInitializer()).movingVarianceInitializer(c.movingVarianceInitializer())
                .betaRegularizer(c.betaRegularizer()).gammaRegularizer(c.gammaRegularizer());
        b.settings(c.layer());
        return b;
    }

    @Override
    public Config config() {
        return new Config(settings(), axis, momentum, epsilon, center, scale, betaInitializer, gammaInitializer,
                movingMeanInitializer, movingVarianceInitializer, betaRegularizer, gammaRegularizer);
    }

    /** The feature axis of the batch tensor (Keras's numbering, default -1); not 0, the batch. */
    public BatchNormalization axis(int value) {
        if (value == 0) throw new IllegalArgumentException("BatchNormalization axis cannot be 0 (the batch dimension), got axis=0");
        this.axis = value;
        return this;
    }

    public BatchNormalization momentum(double value) {
        if (!(value >= 0 && value <= 1)) throw new IllegalArgumentException("BatchNormalization momentum must be in [0, 1], got momentum=" + value);
        this.momentum = value;
        return this;
    }

    public BatchNormalization epsilon(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("BatchNormalization epsilon must be positive and finite, got epsilon=" + value);
        }
        this.epsilon = value;
        return this;
    }

    /** Whether to add the learned offset {@code beta} (default true). */
    public BatchNormalization center(boolean value) {
        this.center = value;
        return this;
    }

    /** Whether to multiply by the learned scale {@code gamma} (default true). */
    public BatchNormalization scale(boolean value) {
        this.scale = value;
        return this;
    }

    public BatchNormalization betaInitializer(Initializer value) {
        this.betaInitializer = Objects.requireNonNull(value);
        return this;
    }

    public BatchNormalization gammaInitializer(Initializer value) {
        this.gammaInitializer = Objects.requireNonNull(value);
        return this;
    }

    public BatchNormalization movingMeanInitializer(Initializer value) {
        this.movingMeanInitializer = Objects.requireNonNull(value);
        return this;
    }

    public BatchNormalization movingVarianceInitializer(Initializer value) {
        this.movingVarianceInitializer = Objects.requireNonNull(value);
        return this;
    }

    public BatchNormalization betaRegularizer(Regularizer value) {
        this.betaRegularizer = value;
        return this;
    }

    public BatchNormalization gammaRegularizer(Regularizer value) {
        this.gammaRegularizer = value;
        return this;
    }

    public int axis() {
        return axis;
    }

    public double momentum() {
        return momentum;
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

    public Parameter movingMean() {
        return movingMean;
    }

    public Parameter movingVariance() {
        return movingVariance;
    }

    /** The feature axis within the example shape (without the batch dimension), or -1 when out of range. */
    private int featureAxis(int exampleRank) {
        int a = axis < 0 ? axis + exampleRank + 1 : axis;
        return a >= 1 && a <= exampleRank ? a - 1 : -1;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (featureAxis(inputShape.rank()) < 0) {
            throw shapeError("an input with a feature axis " + axis + " (counting the batch dimension as axis 0), that is at least "
                    + (axis < 0 ? -axis : axis) + " dimension(s) after the batch", inputShape);
        }
        return inputShape;
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        Shape shape = Shape.of(inputShape.dim(featureAxis(inputShape.rank())));
        if (scale) gamma = addWeight("gamma", shape, gammaInitializer, rng, true, gammaRegularizer);
        if (center) beta = addWeight("beta", shape, betaInitializer, rng, true, betaRegularizer);
        movingMean = addWeight("moving_mean", shape, movingMeanInitializer, rng, false, null);
        movingVariance = addWeight("moving_variance", shape, movingVarianceInitializer, rng, false, null);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return normalize(x, training, false);
    }

    /**
     * {@code call(x, training).relu()} as one operation ({@link Tensor#batchNormTrainingRelu},
     * {@link Tensor#batchNormInferenceRelu}): the same output, gradients and moving statistics bit for bit, with the
     * rectifier applied in the normalization's pass and its mask read from the output in the backward pass (one
     * activation-sized tensor and two passes over it fewer). What a model runs when this layer's output is read only by
     * an {@code ActivationLayer(RELU)}; the two layers and their configurations stay as they are.
     *
     * <p>Shapes: as {@link #call}.
     *
     * <p>Example: {@code Tensor y = bn.callRelu(x, true);}
     */
    public Tensor callRelu(Tensor x, boolean training) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; call build(inputShape, rng) or add it to a model");
        checkInput(x.shape());
        return normalize(x, training, true);
    }

    /** BatchNormalization then {@code ActivationLayer(RELU)}: {@link #callRelu}; null for any other next layer. */
    @Override
    public Tensor callFused(Layer next, Tensor x, boolean training) {
        if (!(next instanceof ActivationLayer act) || act.activation() != Activation.RELU || !next.isBuilt()) return null;
        next.checkInput(x.shape()); // BatchNormalization keeps the shape
        return callRelu(x, training);
    }

    private Tensor normalize(Tensor x, boolean training, boolean relu) {
        int a = featureAxis(x.rank() - 1) + 1;
        Tensor g = scale ? gamma.value() : null;
        Tensor b = center ? beta.value() : null;
        if (training && isTrainable()) {
            BatchNormResult r = relu ? x.batchNormTrainingRelu(a, g, b, epsilon) : x.batchNormTraining(a, g, b, epsilon);
            try (var noGrad = NoGrad.scope()) {
                updateMoving(movingMean, r.mean());
                updateMoving(movingVariance, r.variance());
            }
            return r.output();
        }
        return relu ? x.batchNormInferenceRelu(a, movingMean.value(), movingVariance.value(), g, b, epsilon)
                : x.batchNormInference(a, movingMean.value(), movingVariance.value(), g, b, epsilon);
    }

    private void updateMoving(Parameter moving, Tensor batchStatistic) {
        Tensor m = moving.value();
        Tensor batch = batchStatistic.detach().reshape(m.shape());
        m.assign(m.mul(momentum).add(batch.mul(1.0 - momentum)));
    }
}
