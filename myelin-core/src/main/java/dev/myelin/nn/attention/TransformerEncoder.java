package dev.myelin.nn.attention;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.RandomStream;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A Transformer encoder block ("Attention is all you need"), as keras-hub's {@code TransformerEncoder}:
 * <pre>
 *   post-norm (default):  x = LN1(x + dropout(MHA(x, x)))            x = LN2(x + dropout(FF(x)))
 *   pre-norm:             x = x + dropout(MHA(LN1(x), LN1(x)))        x = x + dropout(FF(LN2(x)))
 *   FF(x) = activation(x·W1 + b1)·W2 + b2
 * </pre>
 * Self-attention has {@code num_heads} heads of width {@code width / num_heads} (the heads must divide the
 * input's last dimension). An implicit padding mask on the input ({@link Masks}, from
 * {@code Embedding.maskZero}) masks padded keys and queries, and is carried by the output.
 *
 * <p>Shapes: input {@code [batch, time, width]}, output the same.
 *
 * <p>Weights (keras-hub's sublayer names, each prefixed by this layer's name):
 * {@code self_attention/...} (see {@link MultiHeadAttention}), {@code self_attention_layer_norm/gamma|beta},
 * {@code feedforward_layer_norm/gamma|beta}, {@code feedforward_intermediate_dense/kernel [width, intermediate]|bias},
 * {@code feedforward_output_dense/kernel [intermediate, width]|bias}.
 *
 * <p>Example: {@code new TransformerEncoder(512, 4)} on {@code [128, 128]} token embeddings.
 */
public final class TransformerEncoder extends Layer {
    private TransformerSettings settings;
    private MultiHeadAttention attention;
    private LayerNormalization attentionNorm;
    private LayerNormalization feedForwardNorm;
    private Dense intermediate;
    private Dense output;
    private RandomStream generator;

    /** keras-hub's defaults (dropout 0, relu, layer_norm_epsilon 1e-5, post-norm) with these sizes. */
    public TransformerEncoder(int intermediateDim, int numHeads) {
        this(TransformerSettings.defaults(intermediateDim, numHeads));
    }

    public TransformerEncoder(TransformerSettings settings) {
        super("transformer_encoder");
        this.settings = Objects.requireNonNull(settings);
    }

    /** TransformerEncoder's configuration: the base settings and keras-hub's block arguments. */
    public record Config(LayerSettings layer, TransformerSettings block) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static TransformerEncoder fromConfig(Config c) {
        TransformerEncoder e = new TransformerEncoder(c.block());
        e.settings(c.layer());
        return e;
    }

    @Override
    public Config config() {
        return new Config(settings(), settings);
    }

    @Override
    public TransformerEncoder name(String newName) {
        super.name(newName);
        return this;
    }

    /** Replaces the block settings (before building), e.g. {@code encoder.block(encoder.block().withDropout(0.1))}. */
    public TransformerEncoder block(TransformerSettings value) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name() + "' is already built; set its settings before building");
        this.settings = Objects.requireNonNull(value);
        return this;
    }

    public TransformerSettings block() {
        return settings;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 2) throw shapeError("input of shape [time, width] (rank 2, without the batch dimension)", inputShape);
        if (inputShape.dim(1) % settings.numHeads() != 0) {
            throw shapeError("a width divisible by num_heads=" + settings.numHeads(), inputShape);
        }
        return inputShape;
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        int width = inputShape.dim(1);
        attention = BlockParts.attention(this, "self_attention", width, settings);
        attention.build(inputShape, rng);
        attentionNorm = BlockParts.norm(this, "self_attention_layer_norm", settings, inputShape, rng);
        feedForwardNorm = BlockParts.norm(this, "feedforward_layer_norm", settings, inputShape, rng);
        intermediate = BlockParts.dense(this, "feedforward_intermediate_dense", settings.intermediateDim(), settings.activation(), settings, inputShape, rng);
        output = BlockParts.dense(this, "feedforward_output_dense", width, dev.myelin.nn.Activation.LINEAR, settings,
                Shape.of(inputShape.dim(0), settings.intermediateDim()), rng);
        for (Layer l : new Layer[] {attention, attentionNorm, feedForwardNorm, intermediate, output}) trackWeightsOf(l);
        generator = RandomStream.seeded(rng != null ? rng.nextLong() : RandomGenerator.getDefault().nextLong());
    }

    @Override
    public long[] randomState() {
        return generator == null ? null : generator.state();
    }

    @Override
    public void restoreRandomState(long[] state) {
        restoreStream(generator, state);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor padding = Masks.of(x);
        Tensor mask = padding == null ? null : AttentionMath.implicitMask(padding, padding, null);
        Tensor h = BlockParts.residual(x, q -> attention.attend(q, q, q, mask, false, training, false, generator).output(),
                attentionNorm, settings, training, generator);
        h = BlockParts.residual(h, BlockParts.feedForward(intermediate, output, training), feedForwardNorm, settings, training, generator);
        return Masks.attach(h, padding);
    }
}
