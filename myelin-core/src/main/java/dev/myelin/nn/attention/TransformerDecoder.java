package dev.myelin.nn.attention;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.RandomStream;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A Transformer decoder block, as keras-hub's {@code TransformerDecoder}: causal self-attention, then
 * (when built with an encoder sequence) cross-attention over it, then the feed-forward network, each as a
 * residual sublayer ({@link TransformerEncoder} shows the post- and pre-norm wiring):
 * <pre>
 *   x = residual(x, MHA_self(x, x, causal))   x = residual(x, MHA_cross(x, encoder))   x = residual(x, FF(x))
 * </pre>
 * Without an encoder sequence it is a GPT-style decoder-only block. Implicit masks ({@link Masks}): the
 * decoder's padding masks its keys and queries in self-attention, the encoder's padding masks the keys of
 * cross-attention; the output carries the decoder's mask.
 *
 * <p>Calls: {@code call(x, training)} or {@code apply(x)} decoder-only; {@link #call(Tensor, Tensor, boolean)}
 * or {@code apply(x, encoderOutput)} with cross-attention. Whether cross-attention weights exist is decided
 * at build: by the functional call, or {@link #build(Shape, Shape, RandomGenerator)}.
 *
 * <p>Shapes: decoder sequence {@code [batch, time, width]}, encoder sequence {@code [batch, source time,
 * encoder width]}; output {@code [batch, time, width]}.
 *
 * <p>Weights (keras-hub's names, prefixed by this layer's): {@code self_attention/...},
 * {@code self_attention_layer_norm/...}, with an encoder {@code cross_attention/...} and
 * {@code cross_attention_layer_norm/...}, then {@code feedforward_intermediate_dense/...},
 * {@code feedforward_output_dense/...}, {@code feedforward_layer_norm/...}.
 *
 * <p>Example: {@code new TransformerDecoder(512, 4).apply(tokens)} for a GPT block.
 */
public final class TransformerDecoder extends MergeLayer {
    private TransformerSettings settings;
    private Shape encoderShape;
    private MultiHeadAttention selfAttention;
    private LayerNormalization selfAttentionNorm;
    private MultiHeadAttention crossAttention;
    private LayerNormalization crossAttentionNorm;
    private Dense intermediate;
    private Dense output;
    private LayerNormalization feedForwardNorm;
    private RandomStream generator;

    /** keras-hub's defaults (dropout 0, relu, layer_norm_epsilon 1e-5, post-norm) with these sizes. */
    public TransformerDecoder(int intermediateDim, int numHeads) {
        this(TransformerSettings.defaults(intermediateDim, numHeads));
    }

    public TransformerDecoder(TransformerSettings settings) {
        super("transformer_decoder");
        this.settings = Objects.requireNonNull(settings);
    }

    /** TransformerDecoder's configuration: the base settings and keras-hub's block arguments. */
    public record Config(LayerSettings layer, TransformerSettings block) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static TransformerDecoder fromConfig(Config c) {
        TransformerDecoder d = new TransformerDecoder(c.block());
        d.settings(c.layer());
        return d;
    }

    @Override
    public Config config() {
        return new Config(settings(), settings);
    }

    @Override
    public TransformerDecoder name(String newName) {
        super.name(newName);
        return this;
    }

    /** Replaces the block settings (before building). */
    public TransformerDecoder block(TransformerSettings value) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name() + "' is already built; set its settings before building");
        this.settings = Objects.requireNonNull(value);
        return this;
    }

    public TransformerSettings block() {
        return settings;
    }

    /** Whether the block has cross-attention (known once built). */
    public boolean hasCrossAttention() {
        return crossAttention != null;
    }

    @Override
    protected int minInputs() {
        return 1;
    }

    /**
     * keras-hub calls it with positional tensors, {@code decoder(decoder_sequence, encoder_sequence)}: a saved call's
     * {@code args} are {@code [decoder_sequence]} or {@code [decoder_sequence, encoder_sequence]}, not one list.
     */
    @Override
    public boolean takesInputList() {
        return false;
    }

    /** keras-hub's positional parameters, which a saved call may also give by name. */
    @Override
    public List<String> inputNames() {
        return List.of("decoder_sequence", "encoder_sequence");
    }

    /** Builds with cross-attention over encoder sequences of {@code encoder} ({@code [source time, encoder width]}); null: decoder-only. */
    public void build(Shape decoder, Shape encoder, RandomGenerator rng) {
        outputShape(encoder == null ? List.of(decoder) : List.of(decoder, encoder));
        if (!isBuilt()) encoderShape = encoder;
        build(decoder, rng);
        if (!Objects.equals(encoderShape, encoder)) {
            throw new IllegalArgumentException("layer '" + name() + "' (TransformerDecoder) was built for encoder sequences " + encoderShape
                    + " but is now used with " + encoder);
        }
    }

    @Override
    public SymbolicTensor apply(List<SymbolicTensor> inputs) {
        SymbolicTensor out = super.apply(inputs);
        if (!isBuilt()) encoderShape = inputs.size() == 2 ? inputs.get(1).shape() : null;
        return out;
    }

    @Override
    public Shape outputShape(List<Shape> shapes) {
        if (shapes.isEmpty() || shapes.size() > 2) {
            throw new IllegalArgumentException("layer '" + name() + "' (TransformerDecoder) takes the decoder sequence and optionally the encoder sequence, got "
                    + shapes.size() + " inputs");
        }
        Shape out = computeOutputShape(shapes.get(0));
        if (shapes.size() == 2 && shapes.get(1).rank() != 2) {
            throw shapeError("an encoder sequence of shape [time, width] (rank 2, without the batch dimension)", shapes.get(1));
        }
        return out;
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
        List<Layer> parts = new ArrayList<>();
        selfAttention = BlockParts.attention(this, "self_attention", width, settings);
        selfAttention.build(inputShape, rng);
        selfAttentionNorm = BlockParts.norm(this, "self_attention_layer_norm", settings, inputShape, rng);
        parts.add(selfAttention);
        parts.add(selfAttentionNorm);
        if (encoderShape != null) {
            crossAttention = BlockParts.attention(this, "cross_attention", width, settings);
            crossAttention.build(inputShape, encoderShape, encoderShape, rng);
            crossAttentionNorm = BlockParts.norm(this, "cross_attention_layer_norm", settings, inputShape, rng);
            parts.add(crossAttention);
            parts.add(crossAttentionNorm);
        }
        intermediate = BlockParts.dense(this, "feedforward_intermediate_dense", settings.intermediateDim(), settings.activation(), settings, inputShape, rng);
        output = BlockParts.dense(this, "feedforward_output_dense", width, Activation.LINEAR, settings, Shape.of(inputShape.dim(0), settings.intermediateDim()), rng);
        feedForwardNorm = BlockParts.norm(this, "feedforward_layer_norm", settings, inputShape, rng);
        parts.add(intermediate);
        parts.add(output);
        parts.add(feedForwardNorm);
        for (Layer l : parts) trackWeightsOf(l);
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

    /** Decoder-only (no encoder sequence). */
    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return call(x, null, training);
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.isEmpty() || inputs.size() > 2) {
            throw new IllegalArgumentException("layer '" + name() + "' (TransformerDecoder) takes the decoder sequence and optionally the encoder sequence, got "
                    + inputs.size() + " tensors");
        }
        return call(inputs.get(0), inputs.size() == 2 ? inputs.get(1) : null, training);
    }

    /** The block on {@code x}, with cross-attention over {@code encoder} (null when built decoder-only). */
    public Tensor call(Tensor x, Tensor encoder, boolean training) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; call build(decoderShape, encoderShape, rng) or add it to a model");
        if ((encoder == null) != (crossAttention == null)) {
            throw new IllegalArgumentException("layer '" + name() + "' (TransformerDecoder) was built " + (crossAttention == null
                    ? "without cross-attention (decoder-only) but was given an encoder sequence" : "with cross-attention over " + encoderShape
                    + " but was given no encoder sequence"));
        }
        checkInput(x.shape());
        Tensor padding = Masks.of(x);
        Tensor selfMask = padding == null ? null : AttentionMath.implicitMask(padding, padding, null);
        Tensor h = BlockParts.residual(x, q -> selfAttention.attend(q, q, q, selfMask, true, training, false, generator).output(),
                selfAttentionNorm, settings, training, generator);
        if (crossAttention != null) {
            Tensor encoderPadding = Masks.of(encoder);
            Tensor crossMask = AttentionMath.implicitMask(padding, encoderPadding, null);
            h = BlockParts.residual(h, q -> crossAttention.attend(q, encoder, encoder, crossMask, false, training, false, generator).output(),
                    crossAttentionNorm, settings, training, generator);
        }
        h = BlockParts.residual(h, BlockParts.feedForward(intermediate, output, training), feedForwardNorm, settings, training, generator);
        return Masks.attach(h, padding);
    }
}
