package dev.myelin.nn.attention;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Learned position embeddings, as keras-hub's {@code PositionEmbedding}: a table of one trainable vector per
 * position; the output is the table's first {@code time} rows broadcast over the batch, to be added to the
 * token embeddings ({@code Add} in a functional model):
 * <pre>
 *   output[b, t, :] = embeddings[t, :]        for t &lt; time &lt;= sequence_length
 * </pre>
 * The output does not depend on the input's values (only on its shape), so no gradient flows to the input.
 * A sequence longer than {@code sequence_length} is an error naming the layer and both lengths.
 *
 * <p>Shapes: input {@code [batch, time, width]}, output the same.
 *
 * <p>Weights: {@code embeddings [sequence_length, width]} (glorot-uniform by default, keras-hub's).
 *
 * <p>Example: {@code x = new Add().apply(tokens, new PositionEmbedding(128).apply(tokens))}.
 */
public final class PositionEmbedding extends Layer {
    private final int sequenceLength;
    private Initializer initializer = new GlorotUniform();
    private Parameter embeddings;

    /** @param sequenceLength the longest sequence (Keras's {@code sequence_length}) */
    public PositionEmbedding(int sequenceLength) {
        super("position_embedding");
        if (sequenceLength <= 0) {
            throw new IllegalArgumentException("PositionEmbedding sequence_length must be positive, got sequence_length=" + sequenceLength);
        }
        this.sequenceLength = sequenceLength;
    }

    /** PositionEmbedding's configuration: keras-hub's {@code sequence_length} and {@code initializer}. */
    public record Config(LayerSettings layer, int sequenceLength, Initializer initializer) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static PositionEmbedding fromConfig(Config c) {
        PositionEmbedding p = new PositionEmbedding(c.sequenceLength()).initializer(c.initializer());
        p.settings(c.layer());
        return p;
    }

    @Override
    public Config config() {
        return new Config(settings(), sequenceLength, initializer);
    }

    @Override
    public PositionEmbedding name(String newName) {
        super.name(newName);
        return this;
    }

    public PositionEmbedding initializer(Initializer value) {
        this.initializer = Objects.requireNonNull(value);
        return this;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    /** The table, {@code [sequence_length, width]} (null before building). */
    public Parameter embeddings() {
        return embeddings;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 2) throw shapeError("input of shape [time, width] (rank 2, without the batch dimension)", inputShape);
        requireFits(inputShape.dim(0));
        return inputShape;
    }

    private void requireFits(int time) {
        if (time > sequenceLength) {
            throw new IllegalArgumentException("layer '" + name() + "' (PositionEmbedding) has " + sequenceLength
                    + " positions (sequence_length) but received a sequence of length " + time);
        }
    }

    /** Accepts sequences up to {@code sequence_length} long, with the built width. */
    @Override
    public void checkInput(Shape batchShape) {
        if (batchShape.rank() != 3 || batchShape.dim(2) != builtInputShape().dim(1)) {
            throw new IllegalArgumentException("layer '" + name() + "' expected input of shape [batch, time, " + builtInputShape().dim(1)
                    + "] but received " + batchShape);
        }
        requireFits(batchShape.dim(1));
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        embeddings = addWeight("embeddings", Shape.of(sequenceLength, inputShape.dim(1)), initializer, rng);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return embeddings.value().slice(0, 0, x.dim(1)).unsqueeze(0).expand(x.shape());
    }
}
