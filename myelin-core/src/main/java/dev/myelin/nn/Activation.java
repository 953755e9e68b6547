package dev.myelin.nn;

import dev.myelin.tensor.Tensor;
import java.util.Locale;

/**
 * Activation functions, with Keras's definitions and defaults. Softmax normalizes over the last axis.
 * Leaky ReLU uses Keras's {@code negative_slope} 0.2 (the activation function's default), ELU α = 1, GELU
 * the exact erf form (Keras's {@code approximate=False}), swish/SiLU {@code x·sigmoid(x)}.
 *
 * <p>{@link #GELU_APPROXIMATE} ({@code "gelu_approximate"}) is GELU's tanh form, Keras's
 * {@code gelu(x, approximate=True)}: {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. Keras's own
 * {@code "gelu"} string always means the exact form, so the approximation needs a name of its own: this is
 * the name keras-hub registers for it ({@code keras_hub>gelu_approximate}, used by BERT and GPT-2).
 *
 * <p>Hard sigmoid has two definitions, both here and both exact in float32:
 * <ul>
 *   <li>{@link #HARD_SIGMOID} ({@code "hard_sigmoid"}), Keras 3's: {@code relu6(x + 3) / 6}, that is
 *       {@code clip(x/6 + 1/2, 0, 1)}: 0 below −3, 1 above 3 (keras-team/keras,
 *       {@code keras/src/backend/tensorflow/nn.py}, {@code hard_sigmoid}: {@code relu6(x + 3.0) / 6.0}; the
 *       other backends compute the same function);
 *   <li>{@link #LEGACY_HARD_SIGMOID} ({@code "legacy_hard_sigmoid"}), Keras 1/2's and tf.keras 2.x's
 *       {@code hard_sigmoid}: {@code clip(0.2·x + 0.5, 0, 1)}: 0 below −2.5, 1 above 2.5 (Keras 1/2
 *       {@code backend.hard_sigmoid}: "returns 0.2 * x + 0.5 in -2.5 &lt;= x &lt;= 2.5"; the TensorFlow 2.3
 *       {@code tf.keras.activations.hard_sigmoid} documentation states the same). A model saved by Keras 1/2
 *       names it {@code "hard_sigmoid"}; the Keras import translates that name to this one, since Keras 3
 *       changed the function under the same name.
 * </ul>
 * Their derivative is the slope (1/6 or 0.2) on the linear part and 0 outside it; at the two end points
 * themselves it is the slope ({@link Tensor#clamp}'s rule), where TensorFlow's relu6 gradient gives 0.
 */
public enum Activation {
    LINEAR, RELU, LEAKY_RELU, ELU, GELU, GELU_APPROXIMATE, SWISH, SIGMOID, TANH, SOFTMAX, SOFTPLUS, HARD_SIGMOID, LEGACY_HARD_SIGMOID;

    /** Applies the function element-wise (softmax: over the last axis). */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case RELU -> x.relu();
            case LEAKY_RELU -> x.leakyRelu(0.2);
            case ELU -> x.elu(1.0);
            case GELU -> x.gelu();
            case GELU_APPROXIMATE -> x.geluTanh();
            case SWISH -> x.mul(x.sigmoid());
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case SOFTMAX -> x.softmax(-1);
            case SOFTPLUS -> x.softplus();
            // the same float32 operations as Keras: relu6(x + 3) / 6, and x·0.2 + 0.5 clipped to [0, 1]
            case HARD_SIGMOID -> x.add(3.0).clamp(0.0, 6.0).div(6.0);
            case LEGACY_HARD_SIGMOID -> x.mul(0.2).add(0.5).clamp(0.0, 1.0);
        };
    }

    /** The Keras name, such as {@code "relu"} or {@code "leaky_relu"}. */
    public String kerasName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a Keras name ({@code "relu"}, {@code "silu"} is swish, {@code null} or {@code "linear"} is linear). */
    public static Activation of(String name) {
        if (name == null) return LINEAR;
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("silu")) return SWISH;
        for (Activation a : values()) if (a.kerasName().equals(n)) return a;
        throw new IllegalArgumentException("unknown activation '" + name + "'; expected one of linear, relu, leaky_relu, elu, gelu, gelu_approximate (the tanh form), swish, silu, sigmoid, tanh, softmax, softplus, "
                + "hard_sigmoid (Keras 3's relu6(x + 3) / 6), legacy_hard_sigmoid (Keras 1/2's clip(0.2·x + 0.5, 0, 1))");
    }
}
