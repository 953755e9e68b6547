package dev.myelin.compress.quant;

import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * {@link Dense} with an int8 kernel, for inference: {@code y = activation(x · dequantize(kernel) + bias)}
 * computed as an int8 × int8 → int32 product on the quantized input ({@link QuantizedKernelLayer}).
 *
 * <p>Shapes: input {@code [batch, ..., in]}, output {@code [batch, ..., units]}.
 *
 * <p>Weights: {@code kernel [in, units]} (int8 levels), {@code kernel_scale [units]}, {@code bias [units]}.
 *
 * <p>Example: {@code PostTrainingQuantization} replaces each Dense with one; by hand,
 * {@code q = new QuantizedDense(10, Activation.SOFTMAX, true, ActivationQuantization.ofRange(0, 6))}, then
 * after building {@code q.setFloatWeights(dense.kernel().value(), dense.bias().value())}.
 */
public final class QuantizedDense extends QuantizedKernelLayer {
    private final int units;

    /** The configuration: units, activation, bias, and the input's quantization. */
    public record Config(LayerSettings layer, int units, Activation activation, boolean useBias, ActivationQuantization input) implements LayerConfig {}

    public QuantizedDense(int units, Activation activation, boolean useBias, ActivationQuantization input) {
        super("quantized_dense", activation, useBias, input);
        if (units <= 0) throw new IllegalArgumentException("QuantizedDense units must be positive, got " + units);
        this.units = units;
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static QuantizedDense fromConfig(Config config) {
        QuantizedDense d = new QuantizedDense(config.units(), config.activation(), config.useBias(), config.input());
        d.settings(config.layer());
        return d;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, activation(), useBias(), inputQuantization());
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
        createWeights(Shape.of(inputShape.dim(-1), units), units, rng);
    }

    @Override
    protected Tensor affineOf(Tensor x) {
        int in = kernel().value().dim(0);
        byte[] q = quantizeInput(x);
        int rows = q.length / in;
        return Tensor.of(affine(q, rows, x.backend()), x.shape().with(-1, units).toArray());
    }
}
