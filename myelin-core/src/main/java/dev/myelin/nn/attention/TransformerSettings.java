package dev.myelin.nn.attention;

import dev.myelin.nn.Activation;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Zeros;
import java.util.Objects;

/**
 * The settings {@link TransformerEncoder} and {@link TransformerDecoder} share, keras-hub's arguments:
 *
 * @param intermediateDim  width of the feed-forward network's hidden layer ({@code intermediate_dim})
 * @param numHeads         attention heads ({@code num_heads}); they must divide the model width
 * @param dropout          dropout rate after attention, on the attention weights and after the feed-forward network
 * @param activation       the feed-forward hidden activation (keras-hub's default relu)
 * @param layerNormEpsilon epsilon of the layer normalizations ({@code layer_norm_epsilon}, default 1e-5)
 * @param kernelInitializer kernels of every projection (default glorot-uniform)
 * @param biasInitializer  biases (default zeros)
 * @param normalizeFirst   pre-norm ({@code normalize_first=True}: normalize before attention and feed-forward)
 *                         instead of post-norm (default: normalize after each residual sum)
 */
public record TransformerSettings(int intermediateDim, int numHeads, double dropout, Activation activation, double layerNormEpsilon,
                                  Initializer kernelInitializer, Initializer biasInitializer, boolean normalizeFirst) {
    public TransformerSettings {
        if (intermediateDim <= 0) throw new IllegalArgumentException("intermediate_dim must be positive, got intermediate_dim=" + intermediateDim);
        if (numHeads <= 0) throw new IllegalArgumentException("num_heads must be positive, got num_heads=" + numHeads);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got dropout=" + dropout);
        if (!(layerNormEpsilon > 0) || Double.isInfinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be positive and finite, got layer_norm_epsilon=" + layerNormEpsilon);
        }
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(kernelInitializer, "kernelInitializer");
        Objects.requireNonNull(biasInitializer, "biasInitializer");
    }

    /** keras-hub's defaults for the given sizes: dropout 0, relu, epsilon 1e-5, glorot-uniform, zeros, post-norm. */
    public static TransformerSettings defaults(int intermediateDim, int numHeads) {
        return new TransformerSettings(intermediateDim, numHeads, 0.0, Activation.RELU, 1e-5, new GlorotUniform(), new Zeros(), false);
    }

    public TransformerSettings withDropout(double value) {
        return new TransformerSettings(intermediateDim, numHeads, value, activation, layerNormEpsilon, kernelInitializer, biasInitializer, normalizeFirst);
    }

    public TransformerSettings withActivation(Activation value) {
        return new TransformerSettings(intermediateDim, numHeads, dropout, value, layerNormEpsilon, kernelInitializer, biasInitializer, normalizeFirst);
    }

    public TransformerSettings withLayerNormEpsilon(double value) {
        return new TransformerSettings(intermediateDim, numHeads, dropout, activation, value, kernelInitializer, biasInitializer, normalizeFirst);
    }

    public TransformerSettings withInitializers(Initializer kernel, Initializer bias) {
        return new TransformerSettings(intermediateDim, numHeads, dropout, activation, layerNormEpsilon, kernel, bias, normalizeFirst);
    }

    public TransformerSettings withNormalizeFirst(boolean value) {
        return new TransformerSettings(intermediateDim, numHeads, dropout, activation, layerNormEpsilon, kernelInitializer, biasInitializer, value);
    }
}
