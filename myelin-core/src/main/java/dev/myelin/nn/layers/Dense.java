package dev.myelin.nn.layers;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Zeros;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A densely connected layer: {@code y = activation(x · kernel + bias)}, applied over the last axis.
 *
 * <p>Shapes: input {@code [batch, ..., in]}, output {@code [batch, ..., units]}.
 *
 * <p>Weights: {@code kernel [in, units]} (glorot-uniform by default), {@code bias [units]} (zeros), as Keras.
 *
 * <p>Example: {@code new Dense(128, Activation.RELU)}.
 */
public final class Dense extends Layer implements ActivatedLayer {
    private final int units;
    private final Activation activation;
    private boolean useBias = true;
    private Initializer kernelInitializer = new GlorotUniform();
    private Initializer biasInitializer = new Zeros();
    private Regularizer kernelRegularizer;
    private Regularizer biasRegularizer;
    private Parameter kernel;
    private Parameter bias;

    public Dense(int units) {
        this(units, Activation.LINEAR);
    }

    public Dense(int units, Activation activation) {
        super("dense");
        if (units <= 0) throw new IllegalArgumentException("Dense units must be positive, got " + units);
        this.units = units;
        this.activation = Objects.requireNonNull(activation, "activation");
    }

    public Dense useBias(boolean value) {
        this.useBias = value;
        return this;
    }

    public Dense kernelInitializer(Initializer value) {
        this.kernelInitializer = Objects.requireNonNull(value);
        return this;
    }

    public Dense biasInitializer(Initializer value) {
        this.biasInitializer = Objects.requireNonNull(value);
        return this;
    }

    public Dense kernelRegularizer(Regularizer value) {
        this.kernelRegularizer = value;
        return this;
    }

    public Dense biasRegularizer(Regularizer value) {
        this.biasRegularizer = value;
        return this;
    }

    public int units() {
        return units;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    public Parameter kernel() {
        return kernel;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() < 1) throw shapeError("at least one dimension [..., features]", inputShape);
        return inputShape.with(-1, units);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        kernel = addWeight("kernel", Shape.of(inputShape.dim(-1), units), kernelInitializer, rng, true, kernelRegularizer);
        if (useBias) bias = addWeight("bias", Shape.of(units), biasInitializer, rng, true, biasRegularizer);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return activation.apply(preActivation(x));
    }

    @Override
    public Tensor preActivation(Tensor x) {
        Tensor y = x.matmul(kernel.value());
        return useBias ? y.add(bias.value()) : y;
    }
}
