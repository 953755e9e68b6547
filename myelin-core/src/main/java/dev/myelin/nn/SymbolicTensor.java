package dev.myelin.nn;

import dev.myelin.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A placeholder for a tensor in a functional model (Keras's {@code KerasTensor}): it knows its shape
 * (without the batch dimension) and which layer call produced it, but holds no data.
 *
 * <pre>{@code
 * SymbolicTensor in = Input.of(28, 28, 1);
 * SymbolicTensor h = new Conv2D(32, 3, Activation.RELU).apply(in);
 * SymbolicTensor out = new Dense(10, Activation.SOFTMAX).apply(new Flatten().apply(h));
 * Model model = new Model(in, out);
 * }</pre>
 */
public final class SymbolicTensor {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.getAndIncrement();
    private final Shape shape;
    private final Layer layer;
    private final List<SymbolicTensor> inputs;
    private final String inputName;
    private final Map<String, Object> callOptions;

    private SymbolicTensor(Shape shape, Layer layer, List<SymbolicTensor> inputs, String inputName, Map<String, Object> callOptions) {
        this.shape = shape;
        this.layer = layer;
        this.inputs = inputs;
        this.inputName = inputName;
        this.callOptions = callOptions;
    }

    static SymbolicTensor input(Shape shape, String name) {
        return new SymbolicTensor(shape, null, List.of(), name, Map.of());
    }

    /**
     * The output of a functional call of {@code layer}. A layer already built (holding trained weights, say)
     * accepts only the input shape it was built for: a model reusing it is checked here, at the call.
     */
    static SymbolicTensor produced(Layer layer, List<SymbolicTensor> inputs, Shape shape) {
        return produced(layer, inputs, shape, Map.of());
    }

    /** As {@link #produced(Layer, List, Shape)}, for a call with keyword options (Keras's node {@code kwargs}, such as {@code use_causal_mask}). */
    static SymbolicTensor produced(Layer layer, List<SymbolicTensor> inputs, Shape shape, Map<String, Object> callOptions) {
        Shape given = inputs.get(0).shape();
        if (layer.isBuilt() && !layer.builtInputShape().equals(given)) {
            throw new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.getClass().getSimpleName() + ") was built for input shape "
                    + layer.builtInputShape() + " but is now applied to " + given + "; a built layer keeps its weights and its input shape");
        }
        SymbolicTensor out = new SymbolicTensor(shape, layer, List.copyOf(inputs), null, Map.copyOf(callOptions));
        layer.recordOutput(out);
        return out;
    }

    /** The shape without the batch dimension. */
    public Shape shape() {
        return shape;
    }

    /** The layer whose call produced this tensor, or null for a model input. */
    public Layer layer() {
        return layer;
    }

    /** The tensors the producing layer was called on (empty for a model input). */
    public List<SymbolicTensor> inputs() {
        return inputs;
    }

    /**
     * The keyword options of the call that produced this tensor (Keras's node {@code kwargs}: e.g.
     * {@code use_causal_mask} of a {@code MultiHeadAttention} call); empty for most calls.
     */
    public Map<String, Object> callOptions() {
        return callOptions;
    }

    public boolean isInput() {
        return layer == null;
    }

    /** The input's name, or null for a tensor produced by a layer. */
    public String inputName() {
        return inputName;
    }

    /** Creation order: a tensor is always created after the tensors it depends on. */
    public long id() {
        return id;
    }

    @Override
    public String toString() {
        return "SymbolicTensor(" + (isInput() ? "input '" + inputName + "'" : "from '" + layer.name() + "'") + ", shape [batch, "
                + Layer.dimsOf(shape) + "])";
    }
}
