package dev.myelin.nn;

import dev.myelin.tensor.Tensor;
import java.util.Locale;

/**
 * Activation functions, with Keras's definitions and defaults. Softmax normalizes over the last axis.
 * Leaky ReLU uses Keras's {@code negative_slope} 0.2 (the activation function's default), ELU α = 1, GELU
 * the exact erf form (Keras's {@code approximate=False}), swish/SiLU {@code x·sigmoid(x)}.
 */
public enum Activation {
    LINEAR, RELU, LEAKY_RELU, ELU, GELU, SWISH, SIGMOID, TANH, SOFTMAX, SOFTPLUS;

    /** Applies the function element-wise (softmax: over the last axis). */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case RELU -> x.relu();
            case LEAKY_RELU -> x.leakyRelu(0.2);
            case ELU -> x.elu(1.0);
            case GELU -> x.gelu();
            case SWISH -> x.mul(x.sigmoid());
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case SOFTMAX -> x.softmax(-1);
            case SOFTPLUS -> x.softplus();
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
        throw new IllegalArgumentException("unknown activation '" + name + "'; expected one of linear, relu, leaky_relu, elu, gelu, swish, silu, sigmoid, tanh, softmax, softplus");
    }
}
