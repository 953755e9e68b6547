package dev.myelin.nn.layers;

import dev.myelin.backend.UnaryOp;
import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * A densely connected layer: {@code y = activation(x · kernel + bias)}, applied over the last axis.
 *
 * <p>Shapes: input {@code [batch, ..., in]}, output {@code [batch, ..., units]}.
 *
 * <p>Weights: {@code kernel [in, units]} (glorot-uniform by default), {@code bias [units]} (zeros), as Keras.
 *
 * <p>With linear (and a bias), relu or tanh, the product, bias and activation are one operation
 * ({@link Tensor#dense}): the same values and gradients as the three composed ops, one output-sized tensor.
 *
 * <p>Example: {@code new Dense(128, Activation.RELU)}.
 */
public final class Dense extends KernelLayer<Dense> {
    private final int units;

    /** Dense's configuration: Keras's {@code units}, {@code activation}, {@code use_bias}, initializers and regularizers. */
    public record Config(LayerSettings layer, int units, KernelSettings kernel) implements LayerConfig {}

    public Dense(int units) {
        this(units, Activation.LINEAR);
    }

    public Dense(int units, Activation activation) {
        super("dense", activation);
        if (units <= 0) throw new IllegalArgumentException("Dense units must be positive, got " + units);
        this.units = units;
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Dense fromConfig(Config config) {
        Dense d = new Dense(config.units(), config.kernel().activation()).applyKernelSettings(config.kernel());
        d.settings(config.layer());
        return d;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, kernelSettings());
    }

    public int units() {
        return units;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() < 1) throw shapeError("at least one dimension [..., features]", inputShape);
        return inputShape.with(-1, units);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        createKernelAndBias(Shape.of(inputShape.dim(-1), units), units, rng);
    }

    @Override
    public Tensor preActivation(Tensor x) {
        return addBias(x.matmul(kernel().value()));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        // linear, relu and tanh as one operation with the product: the same values and gradients, without the
        // separate passes over the output and their tensors (bias and activation applied to each block in cache)
        // (not sigmoid: its output must keep the pre-activation as logits for the cross-entropy losses)
        Activation a = activation();
        if (!(a == Activation.RELU || a == Activation.TANH || a == Activation.LINEAR && useBias())) return super.forward(x, training);
        UnaryOp op = a == Activation.RELU ? UnaryOp.RELU : a == Activation.TANH ? UnaryOp.TANH : null;
        return x.dense(kernel().value(), useBias() ? bias().value() : null, op);
    }
}
