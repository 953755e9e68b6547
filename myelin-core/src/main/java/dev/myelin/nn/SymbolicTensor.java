package dev.myelin.nn;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
 *
 * <p>A call may take tensors as keyword arguments too (Keras's {@code mha(q, v, attention_mask=m)}): a
 * {@link SymbolicTensor} among the {@link #callOptions()} is read by the call like an input
 * ({@link #dependencies()}), and is given to the layer's call as the batch's {@link Tensor}
 * ({@link #callOptions(Function)}).
 */
public final class SymbolicTensor {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.getAndIncrement();
    private final Shape shape;
    private final Layer layer;
    private final List<SymbolicTensor> inputs;
    private final String inputName;
    private final Map<String, Object> callOptions;
    private final List<SymbolicTensor> dependencies;

    private SymbolicTensor(Shape shape, Layer layer, List<SymbolicTensor> inputs, String inputName, Map<String, Object> callOptions) {
        this.shape = shape;
        this.layer = layer;
        this.inputs = inputs;
        this.inputName = inputName;
        // sorted by keyword, so that a saved model lists them in one order on every run
        this.callOptions = Collections.unmodifiableMap(new TreeMap<>(callOptions));
        List<SymbolicTensor> reads = new ArrayList<>(inputs);
        for (Object v : this.callOptions.values()) if (v instanceof SymbolicTensor t) reads.add(t);
        this.dependencies = List.copyOf(reads);
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
        SymbolicTensor out = new SymbolicTensor(shape, layer, List.copyOf(inputs), null, Map.copyOf(callOptions)); // copyOf: no null keys or values
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
     * {@code use_causal_mask} or the tensor {@code attention_mask} of a {@code MultiHeadAttention} call), by
     * keyword in alphabetical order; empty for most calls. A tensor-valued keyword holds its {@link SymbolicTensor}.
     */
    public Map<String, Object> callOptions() {
        return callOptions;
    }

    /** The tensor-valued keyword arguments of the call that produced this tensor (a subset of {@link #callOptions()}). */
    public Map<String, SymbolicTensor> keywordTensors() {
        Map<String, SymbolicTensor> out = new LinkedHashMap<>();
        callOptions.forEach((k, v) -> {
            if (v instanceof SymbolicTensor t) out.put(k, t);
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * Every tensor the producing call reads: its {@link #inputs()}, then its {@link #keywordTensors()}. A graph
     * walk (topological order, when a value can be freed, a model's inputs) follows these.
     */
    public List<SymbolicTensor> dependencies() {
        return dependencies;
    }

    /**
     * The call's options for one batch: {@link #callOptions()} with each tensor-valued keyword replaced by
     * {@code valueOf}'s tensor for it (what {@code MergeLayer.call(inputs, options, training)} takes).
     *
     * @throws IllegalStateException naming the layer and keyword when {@code valueOf} has no tensor for one
     */
    public Map<String, Object> callOptions(Function<? super SymbolicTensor, Tensor> valueOf) {
        if (dependencies.size() == inputs.size()) return callOptions;
        Map<String, Object> out = new LinkedHashMap<>();
        callOptions.forEach((k, v) -> {
            Object value = v;
            if (v instanceof SymbolicTensor t) {
                value = valueOf.apply(t);
                if (value == null) throw new IllegalStateException("layer '" + layer.name() + "': no value for the keyword argument " + k + " (" + t + ")");
            }
            out.put(k, value);
        });
        return Collections.unmodifiableMap(out);
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
