package dev.myelin.compress.bf16;

import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * {@link Dense} with a bfloat16 kernel, for inference: {@code y = activation(x · widen(kernel) + bias)} in
 * float32 with float32 accumulation ({@link Bf16KernelLayer}).
 *
 * <p>Shapes: input {@code [batch, ..., in]}, output {@code [batch, ..., units]}.
 *
 * <p>Weights: {@code kernel [in, units]} (bfloat16 values), {@code bias [units]}.
 *
 * <p>Example: {@code Bf16Inference.convert(model)} replaces each Dense with one; by hand,
 * {@code b = new Bf16Dense(10, Activation.SOFTMAX, true)}, then after building
 * {@code b.setFloatWeights(dense.kernel().value(), dense.bias().value())}.
 */
public final class Bf16Dense extends Bf16KernelLayer {
    private final int units;

    /** The configuration: units, activation and bias. */
    public record Config(LayerSettings layer, int units, Activation activation, boolean useBias) implements LayerConfig {}

    public Bf16Dense(int units, Activation activation, boolean useBias) {
        super("bf16_dense", activation, useBias);
        if (units <= 0) throw new IllegalArgumentException("Bf16Dense units must be positive, got " + units);
        this.units = units;
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Bf16Dense fromConfig(Config config) {
        Bf16Dense d = new Bf16Dense(config.units(), config.activation(), config.useBias());
        d.settings(config.layer());
        return d;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, activation(), useBias());
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
        float[] values = x.toFloatArray();
        return Tensor.of(affine(values, values.length / in, x.backend()), x.shape().with(-1, units).toArray());
    }
}
