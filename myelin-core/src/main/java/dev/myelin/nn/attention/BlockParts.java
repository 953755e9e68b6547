package dev.myelin.nn.attention;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.RandomStream;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/** The sublayers and the residual wiring {@link TransformerEncoder} and {@link TransformerDecoder} share, as keras-hub's. */
final class BlockParts {
    private BlockParts() {}

    /** The self- or cross-attention sublayer, named {@code owner/name}, with keras-hub's sizes: key_dim = value_dim = width / heads. */
    static MultiHeadAttention attention(Layer owner, String name, int width, TransformerSettings s) {
        if (width % s.numHeads() != 0) {
            throw new IllegalArgumentException("layer '" + owner.name() + "' (" + owner.getClass().getSimpleName() + "): num_heads="
                    + s.numHeads() + " does not divide the model width " + width + " (the input's last dimension)");
        }
        MultiHeadAttention m = new MultiHeadAttention(s.numHeads(), width / s.numHeads()).dropout(s.dropout())
                .kernelInitializer(s.kernelInitializer()).biasInitializer(s.biasInitializer());
        m.name(owner.name() + "/" + name).dtype(owner.dtype());
        return m;
    }

    static LayerNormalization norm(Layer owner, String name, TransformerSettings s, Shape shape, RandomGenerator rng) {
        LayerNormalization n = new LayerNormalization().epsilon(s.layerNormEpsilon());
        n.name(owner.name() + "/" + name).dtype(owner.dtype());
        n.build(shape, rng);
        return n;
    }

    static Dense dense(Layer owner, String name, int units, Activation activation, TransformerSettings s, Shape shape, RandomGenerator rng) {
        Dense d = new Dense(units, activation).kernelInitializer(s.kernelInitializer()).biasInitializer(s.biasInitializer());
        d.name(owner.name() + "/" + name);
        d.dtype(owner.dtype());
        d.build(shape, rng);
        return d;
    }

    /**
     * keras-hub's residual block: {@code norm(x + dropout(f(x)))} (post-norm) or {@code x + dropout(f(norm(x)))}
     * (pre-norm, {@code normalizeFirst}).
     */
    static Tensor residual(Tensor x, UnaryOperator<Tensor> sublayer, LayerNormalization norm, TransformerSettings s, boolean training,
                           RandomStream generator) {
        Tensor h = s.normalizeFirst() ? norm.call(x, training) : x;
        h = sublayer.apply(h);
        if (training) h = AttentionMath.dropout(h, s.dropout(), generator);
        h = h.add(x);
        return s.normalizeFirst() ? h : norm.call(h, training);
    }

    /** The feed-forward sublayer: {@code output(activation(intermediate(x)))}. */
    static UnaryOperator<Tensor> feedForward(Dense intermediate, Dense output, boolean training) {
        return h -> output.call(intermediate.call(h, training), training);
    }

}
