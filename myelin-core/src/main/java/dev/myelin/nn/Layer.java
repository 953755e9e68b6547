package dev.myelin.nn;

import dev.myelin.nn.init.Initializer;
import dev.myelin.backend.DType;
import dev.myelin.backend.MemoryCheck;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A layer, with the Keras contract: hyperparameters in the constructor (validated there), weights created
 * in {@link #build} from the input shape, a pure {@link #outputShape}, and {@link #call} doing the math
 * with tensor operations (autograd derives the backward pass).
 *
 * <p>Shapes given to and returned by {@link #build} and {@link #outputShape} exclude the batch
 * dimension, as Keras's {@code input_shape}: a Conv2D on 28×28 grey images takes {@code [28, 28, 1]}.
 * Tensors given to {@link #call} include it: {@code [batch, 28, 28, 1]}.
 *
 * <p>Implementation overview for subclasses: override {@link #onBuild} to create weights with
 * {@link #addWeight}, {@link #computeOutputShape} to validate the input shape and derive the output's
 * (throw {@link #shapeError} on a mismatch), and {@link #forward}. Names are unique per class and
 * process, as in Keras: {@code dense}, {@code dense_1}, ...
 */
public abstract class Layer {
    private static final Map<String, AtomicInteger> NAME_COUNTS = new ConcurrentHashMap<>();

    private String name;
    private boolean trainable = true;
    private DType dtype = DType.FLOAT32;
    private Shape declaredInputShape;
    private Shape builtInputShape;
    private SymbolicTensor firstOutput;
    private final List<Parameter> weights = new ArrayList<>();

    /** @param baseName the snake_case prefix of generated names, such as {@code "conv2d"} */
    protected Layer(String baseName) {
        int n = NAME_COUNTS.computeIfAbsent(baseName, k -> new AtomicInteger()).getAndIncrement();
        this.name = n == 0 ? baseName : baseName + "_" + n;
    }

    public final String name() {
        return name;
    }

    /** Renames the layer (before it is built, as weight names derive from it). */
    public Layer name(String newName) {
        if (newName == null || newName.isBlank()) throw new IllegalArgumentException("layer name must not be blank");
        this.name = newName;
        return this;
    }

    /** Declares the input shape (without the batch dimension), as Keras's {@code input_shape}, for the first layer of a model. */
    public Layer inputShape(int... dims) {
        this.declaredInputShape = Shape.of(dims);
        return this;
    }

    /** The input shape declared with {@link #inputShape(int...)}, or null. */
    public Shape declaredInputShape() {
        return declaredInputShape;
    }

    /** The element type of the weights this layer creates (float32 unless set before building; float64 for gradient checks). */
    public DType dtype() {
        return dtype;
    }

    public Layer dtype(DType type) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name + "' is already built; set its dtype before building");
        this.dtype = Objects.requireNonNull(type);
        return this;
    }

    /** Freezes ({@code false}) or unfreezes the layer's weights: frozen weights get no gradient updates. */
    public Layer trainable(boolean value) {
        this.trainable = value;
        return this;
    }

    public boolean isTrainable() {
        return trainable;
    }

    /** The settings all layers share (name, trainable, dtype), for config records. */
    public final LayerSettings settings() {
        return new LayerSettings(name, trainable, dtype);
    }

    /** Applies settings from a config: the name (unless null), trainable and dtype. */
    public Layer settings(LayerSettings value) {
        if (value.name() != null) name(value.name());
        trainable(value.trainable());
        dtype(value.dtype());
        return this;
    }

    /**
     * This layer's configuration, an immutable record from which the class's {@code fromConfig} rebuilds an
     * equal, unbuilt layer; see {@link LayerConfig}. Layers without one throw.
     */
    public LayerConfig config() {
        throw new UnsupportedOperationException("layer '" + name + "' (" + getClass().getSimpleName() + ") has no config");
    }

    public final boolean isBuilt() {
        return builtInputShape != null;
    }

    /** The input shape (without batch) the layer was built for, or null before building. */
    public final Shape builtInputShape() {
        return builtInputShape;
    }

    /**
     * Creates the weights for inputs of {@code inputShape} (without the batch dimension). Building twice
     * with the same shape does nothing; with another shape it is an error naming both.
     */
    public final void build(Shape inputShape, RandomGenerator rng) {
        if (isBuilt()) {
            if (!builtInputShape.equals(inputShape)) {
                throw new IllegalArgumentException("layer '" + name + "' was built for input shape " + builtInputShape
                        + " but is now used with " + inputShape);
            }
            return;
        }
        computeOutputShape(inputShape);
        try {
            onBuild(inputShape, rng);
        } catch (IllegalArgumentException e) { // a weight shape too large for an array, say: name the layer that asked
            if (e.getMessage() != null && e.getMessage().contains("layer '" + name + "'")) throw e;
            throw new IllegalArgumentException("layer '" + name + "' (" + getClass().getSimpleName() + "): " + e.getMessage(), e);
        }
        builtInputShape = inputShape;
    }

    /** The output shape for inputs of {@code inputShape} (both without the batch dimension); pure, no weights needed. */
    public final Shape outputShape(Shape inputShape) {
        return computeOutputShape(inputShape);
    }

    /**
     * Applies the layer to a batch. {@code training} selects training behaviour (dropout active, batch
     * statistics in BatchNormalization). Builds the layer on first use if needed is the model's job: an
     * unbuilt layer here is an error.
     */
    public final Tensor call(Tensor x, boolean training) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name + "' is not built; call build(inputShape, rng) or add it to a model");
        checkInput(x.shape());
        return forward(x, training);
    }

    /**
     * {@code next.call(call(x, training), training)} as one operation, or null when this layer has no such fusion with
     * {@code next} (the default). A model calls it for two consecutive steps when {@code next} alone reads this layer's
     * output, which is then never seen; the result must be that of the two calls (values, gradients, state updates).
     * BatchNormalization followed by {@code ActivationLayer(RELU)} is one. The layers themselves, and so their saved
     * configurations, stay as they are.
     */
    public Tensor callFused(Layer next, Tensor x, boolean training) {
        return null;
    }

    /** Validates a batch's shape against the built input shape; the default requires an exact match after the batch dimension. */
    public void checkInput(Shape batchShape) {
        int rank = builtInputShape.rank();
        boolean ok = batchShape.rank() == rank + 1;
        for (int i = 0; ok && i < rank; i++) ok = batchShape.dim(i + 1) == builtInputShape.dim(i);
        if (!ok) {
            throw new IllegalArgumentException("layer '" + name + "' expected input of shape [batch, "
                    + dimsOf(builtInputShape) + "] but received " + batchShape);
        }
    }

    /**
     * Functional API: records a call of this layer on a symbolic tensor and returns the symbolic output
     * (weights are created when the {@link dev.myelin.models.Model} is built). Shape errors surface here, naming the layer.
     */
    public SymbolicTensor apply(SymbolicTensor input) {
        return SymbolicTensor.produced(this, java.util.List.of(input), outputShape(input.shape()));
    }

    /**
     * The symbolic output of this layer's first functional call (Keras's {@code layer.output}), to build a
     * new model on a trained model's layers: the new model reuses those layers and their weights.
     *
     * <p>Example: {@code new Model(base.inputs().get(0), new Dense(5, SOFTMAX).apply(base.layer("flatten").output()))}.
     */
    public final SymbolicTensor output() {
        if (firstOutput == null) {
            throw new IllegalStateException("layer '" + name + "' has not been called on a symbolic tensor yet, so it has no output;"
                    + " add it to a model with a known input shape or apply it to an Input first");
        }
        return firstOutput;
    }

    /** Remembers the first functional call's output (see {@link #output()}); called by {@link SymbolicTensor}. */
    final void recordOutput(SymbolicTensor out) {
        if (firstOutput == null) firstOutput = out;
    }

    /** All weights, in creation order. */
    public final List<Parameter> weights() {
        return Collections.unmodifiableList(weights);
    }

    public final List<Parameter> trainableWeights() {
        return weights.stream().filter(Parameter::trainable).toList();
    }

    public final List<Parameter> nonTrainableWeights() {
        return weights.stream().filter(p -> !p.trainable()).toList();
    }

    /** Number of weight elements (0 before building). */
    public final long countParams() {
        long n = 0;
        for (Parameter p : weights) n += p.value().size();
        return n;
    }

    // ---- for subclasses ----

    /** Creates the layer's weights; called once by {@link #build}. */
    protected void onBuild(Shape inputShape, RandomGenerator rng) {}

    /** Validates {@code inputShape} (without batch) and returns the output shape; throw {@link #shapeError} on a mismatch. */
    protected abstract Shape computeOutputShape(Shape inputShape);

    /** The layer's math on a batch whose shape has been checked. */
    protected abstract Tensor forward(Tensor x, boolean training);

    /** Creates a trainable weight without a regularizer. */
    protected final Parameter addWeight(String weightName, Shape shape, Initializer initializer, RandomGenerator rng) {
        return addWeight(weightName, shape, initializer, rng, true, null);
    }

    /** Creates a weight of this layer's dtype; non-trainable weights (moving statistics) are updated by the layer itself. */
    protected final Parameter addWeight(String weightName, Shape shape, Initializer initializer, RandomGenerator rng,
                                        boolean trainableWeight, Regularizer regularizer) {
        for (Parameter p : weights) {
            if (p.shortName().equals(weightName)) throw new IllegalStateException("layer '" + name + "' already has a weight '" + weightName + "'");
        }
        // A size from a constructor argument (Dense(2000000)) fails here with what it needs, not as an OutOfMemoryError.
        MemoryCheck.requireAvailable("layer '" + name + "' (" + getClass().getSimpleName() + "): weight '" + weightName + "' " + shape,
                (long) shape.size() * dtype.bytes());
        Tensor value = initializer.create(shape, dtype, rng);
        if (!value.shape().equals(shape)) {
            throw new IllegalStateException("initializer " + initializer + " returned shape " + value.shape() + " for weight " + weightName + " " + shape);
        }
        Parameter p = new Parameter(this, weightName, value.to(dtype).contiguous(), trainableWeight, regularizer);
        weights.add(p);
        return p;
    }

    /**
     * For wrappers ({@code Bidirectional}, {@code TimeDistributed}): lists the weights of an inner layer,
     * built in {@link #onBuild}, among this layer's own, so that models train, count and save them.
     */
    protected final void trackWeightsOf(Layer inner) {
        weights.addAll(inner.weights());
    }

    /**
     * The state of the random generator this layer draws from in training (dropout masks), so that a
     * resumed run draws what the interrupted one would have; null when the layer draws nothing (or is not
     * built yet). Wrappers return their inner layers' states joined. Restore it with
     * {@link #restoreRandomState}.
     */
    public long[] randomState() {
        return null;
    }

    /**
     * Sets the generator this layer draws from in training to {@code state}, as {@link #randomState()}
     * returned it (null for a layer that draws nothing).
     *
     * @throws IllegalArgumentException naming the layer, when the state does not fit it
     */
    public void restoreRandomState(long[] state) {
        if (state != null) {
            throw new IllegalArgumentException("layer '" + name + "' (" + getClass().getSimpleName()
                    + ") draws no random numbers but was given a random state of " + state.length + " longs");
        }
    }

    /**
     * For layers that draw: sets {@code stream} (the layer's generator, null before it is built) to
     * {@code state}, with errors that name this layer.
     */
    protected final void restoreStream(RandomStream stream, long[] state) {
        String layer = "layer '" + name + "' (" + getClass().getSimpleName() + ")";
        if (stream == null) throw new IllegalStateException(layer + " is not built; build it before restoring its random state");
        if (state == null) throw new IllegalArgumentException(layer + " draws random numbers but was given no random state");
        try {
            stream.restoreState(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(layer + ": " + e.getMessage(), e);
        }
    }

    /** An error naming this layer, what it expected and the input shape it received. */
    protected final IllegalArgumentException shapeError(String expected, Shape received) {
        return new IllegalArgumentException("layer '" + name + "' (" + getClass().getSimpleName() + ") expected "
                + expected + " but received input shape " + received);
    }

    /** Dimensions joined by ", ", for messages such as {@code [batch, 28, 28, 1]}. */
    public static String dimsOf(Shape shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.rank(); i++) sb.append(i == 0 ? "" : ", ").append(shape.dim(i));
        return sb.toString();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "('" + name + "')";
    }
}
