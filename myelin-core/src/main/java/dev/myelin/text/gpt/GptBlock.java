package dev.myelin.text.gpt;

import dev.myelin.backend.DType;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.attention.KeyValueCache;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * One GPT decoder block, pre-norm as GPT-2 (keras-hub's {@code TransformerDecoder} with
 * {@code normalize_first=True}, GELU, no cross-attention):
 * <pre>
 *   x = x + dropout(MHA_causal(LN1(x)))
 *   x = x + dropout(W2·gelu(W1·LN2(x) + b1) + b2)
 * </pre>
 * Unlike {@code TransformerDecoder}, whose sublayers are built for one sequence length, the normalizations,
 * the feed-forward network and the dropout here are built per token ({@code [width]}) and run on the tokens
 * flattened to {@code [batch·time, width]}, so the block takes any length up to the context: the full
 * sequence in training, one new token per step with a {@link KeyValueCache} ({@link #step}) in generation.
 */
final class GptBlock {
    private final LayerNormalization attentionNorm;
    private final MultiHeadAttention attention;
    private final Dropout attentionDropout;
    private final LayerNormalization feedForwardNorm;
    private final Dense intermediate;
    private final Dense output;
    private final Dropout feedForwardDropout;

    GptBlock(String name, GptConfig c, DType dtype, RandomGenerator rng) {
        Shape token = Shape.of(c.width());
        attentionNorm = build(new LayerNormalization().epsilon(c.layerNormEpsilon()), name + "/self_attention_layer_norm", dtype, token, rng);
        attention = new MultiHeadAttention(c.numHeads(), c.width() / c.numHeads());
        attention.name(name + "/self_attention").dtype(dtype);
        attention.build(Shape.of(c.contextLength(), c.width()), rng);
        attentionDropout = build(new Dropout(c.dropout()), name + "/self_attention_dropout", dtype, token, rng);
        feedForwardNorm = build(new LayerNormalization().epsilon(c.layerNormEpsilon()), name + "/feedforward_layer_norm", dtype, token, rng);
        intermediate = build(new Dense(c.intermediateDim(), Activation.GELU), name + "/feedforward_intermediate_dense", dtype, token, rng);
        output = build(new Dense(c.width()), name + "/feedforward_output_dense", dtype, Shape.of(c.intermediateDim()), rng);
        feedForwardDropout = build(new Dropout(c.dropout()), name + "/feedforward_dropout", dtype, token, rng);
    }

    private static <L extends Layer> L build(L layer, String name, DType dtype, Shape shape, RandomGenerator rng) {
        layer.name(name).dtype(dtype);
        layer.build(shape, rng);
        return layer;
    }

    List<Parameter> weights() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : new Layer[] {attentionNorm, attention, feedForwardNorm, intermediate, output}) all.addAll(l.weights());
        return all;
    }

    MultiHeadAttention attention() {
        return attention;
    }

    /** The block on whole sequences {@code x [batch, time, width]}, time up to the context length. */
    Tensor call(Tensor x, boolean training) {
        return apply(x, h -> attention.call(h, h, null, null, true, training), training);
    }

    /** The block on the next tokens {@code x [batch, n, width]} of sequences whose earlier tokens' keys and values are in {@code cache} (inference). */
    Tensor step(Tensor x, KeyValueCache cache) {
        return apply(x, h -> attention.attendIncrementally(h, cache), false);
    }

    private Tensor apply(Tensor x, UnaryOperator<Tensor> selfAttention, boolean training) {
        Tensor h = x.add(perToken(attentionDropout, selfAttention.apply(perToken(attentionNorm, x, training)), training));
        Tensor f = perToken(output, perToken(intermediate, perToken(feedForwardNorm, h, training), training), training);
        return h.add(perToken(feedForwardDropout, f, training));
    }

    /** A per-token layer on {@code [batch, time, features]}: run on {@code [batch·time, features]}, reshaped back. */
    static Tensor perToken(Layer layer, Tensor x, boolean training) {
        int b = x.dim(0), t = x.dim(1);
        Tensor y = layer.call(x.reshape(b * t, x.dim(2)), training);
        return y.reshape(b, t, y.dim(1));
    }
}
