package dev.myelin.nn.layers;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;

/**
 * An activation function as a layer (Keras's {@code Activation} layer; renamed here so that it does not
 * clash with the {@link Activation} enum it takes). A model ending in {@code Dense(10)} then
 * {@code ActivationLayer(SOFTMAX)} still feeds logits to the loss: the softmax result remembers its input.
 *
 * <p>Shapes: output shape = input shape (softmax normalizes over the last axis).
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new ActivationLayer(Activation.RELU)}.
 */
public final class ActivationLayer extends Layer {
    private final Activation activation;

    /** ActivationLayer's configuration: Keras's {@code activation}. */
    public record Config(LayerSettings layer, Activation activation) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static ActivationLayer fromConfig(Config config) {
        ActivationLayer l = new ActivationLayer(config.activation());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), activation);
    }

    public ActivationLayer(Activation activation) {
        super("activation");
        this.activation = Objects.requireNonNull(activation, "ActivationLayer activation must not be null");
    }

    /** The activation with a Keras name, such as {@code "relu"}. */
    public ActivationLayer(String activation) {
        this(Activation.of(activation));
    }

    /** The activation this layer applies. */
    public Activation activation() {
        return activation;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (activation == Activation.SOFTMAX && inputShape.rank() == 0) {
            throw shapeError("at least one dimension for softmax over the last axis", inputShape);
        }
        return inputShape;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return activation.apply(x);
    }

    /** The output before the activation: the input itself. */
    public Tensor preActivation(Tensor x) {
        return x;
    }
}
