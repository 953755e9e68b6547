package dev.myelin.nn.recurrent;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.RandomUniform;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Turns integer token ids into dense vectors, as Keras's {@code Embedding}: {@code out[b, t] = embeddings[ids[b, t]]}.
 * With {@code maskZero}, id 0 is padding: the layer attaches a {@code [batch, time]} mask ({@code ids != 0})
 * to its output, which the recurrent layers after it use (see {@link Masks}); the vocabulary then
 * includes id 0, so {@code inputDim} is the vocabulary size + 1.
 *
 * <p>Shapes: input {@code [batch, time]} of ids (stored as numbers) in {@code [0, inputDim)}; output
 * {@code [batch, time, outputDim]}.
 *
 * <p>Weights: {@code embeddings [inputDim, outputDim]}, uniform in [−0.05, 0.05] as Keras.
 * The gradient is a scatter-add into the rows used.
 *
 * <p>Example: {@code new Embedding(10_000, 64).maskZero(true).inputShape(200)}.
 */
public final class Embedding extends Layer {
    private final int inputDim;
    private final int outputDim;
    private boolean maskZero;
    private Initializer initializer = new RandomUniform(-0.05, 0.05);
    private Parameter embeddings;

    /** Embedding's configuration: Keras's {@code input_dim}, {@code output_dim}, {@code embeddings_initializer} and {@code mask_zero}. */
    public record Config(LayerSettings layer, int inputDim, int outputDim, Initializer embeddingsInitializer, boolean maskZero) implements LayerConfig {}

    /** A layer with {@code config}'s settings, unbuilt. */
    public static Embedding fromConfig(Config config) {
        Embedding l = new Embedding(config.inputDim(), config.outputDim()).embeddingsInitializer(config.embeddingsInitializer()).maskZero(config.maskZero());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), inputDim, outputDim, initializer, maskZero);
    }

    public Embedding(int inputDim, int outputDim) {
        super("embedding");
        if (inputDim <= 0) throw new IllegalArgumentException("Embedding inputDim must be positive, got " + inputDim);
        if (outputDim <= 0) throw new IllegalArgumentException("Embedding outputDim must be positive, got " + outputDim);
        this.inputDim = inputDim;
        this.outputDim = outputDim;
    }

    /** Treat id 0 as padding and attach a mask for the layers after this one. */
    public Embedding maskZero(boolean value) {
        this.maskZero = value;
        return this;
    }

    public Embedding embeddingsInitializer(Initializer value) {
        this.initializer = Objects.requireNonNull(value);
        return this;
    }

    public Parameter embeddings() {
        return embeddings;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() < 1) throw shapeError("token ids of shape [batch, time]", inputShape);
        int[] d = new int[inputShape.rank() + 1];
        for (int i = 0; i < inputShape.rank(); i++) d[i] = inputShape.dim(i);
        d[inputShape.rank()] = outputDim;
        return Shape.of(d);
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        embeddings = addWeight("embeddings", Shape.of(inputDim, outputDim), initializer, rng);
    }

    @Override
    public void checkInput(Shape batchShape) {
        // any batch and sequence length of the built rank
        if (batchShape.rank() != builtInputShape().rank() + 1) {
            throw new IllegalArgumentException("layer '" + name() + "' (Embedding) expected token ids of rank " + (builtInputShape().rank() + 1)
                    + " ([batch, time]) but received " + batchShape);
        }
    }

    @Override
    protected Tensor forward(Tensor ids, boolean training) {
        int[] idx;
        try {
            idx = ids.toIndexArray(inputDim, "layer '" + name() + "' (Embedding, vocabulary of " + inputDim + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; token ids must be integers in [0, inputDim)", e);
        }
        Shape out = computeOutputShape(Shape.of(java.util.Arrays.copyOfRange(ids.shape().toArray(), 0, ids.rank())));
        Tensor y = embeddings.value().indexSelect(0, idx, out); // the output's own array, not a view (BufferPool.release)
        return maskZero ? Masks.attach(y, ids.ne(Tensor.scalar(ids.dtype(), 0)).to(embeddings.value().dtype())) : y;
    }
}
