package dev.myelin.nn;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A layer that combines several inputs (Add, Concatenate, ...) in functional models. Weight-free: it is
 * "built" for its first input's shape, and checks the others in {@link #outputShape(List)}.
 */
public abstract class MergeLayer extends Layer {
    protected MergeLayer(String baseName) {
        super(baseName);
    }

    /** The output shape for the given input shapes (without batch); throws naming the layer on a mismatch. */
    public abstract Shape outputShape(List<Shape> inputShapes);

    /** Combines a batch of each input. */
    public abstract Tensor call(List<Tensor> inputs, boolean training);

    /**
     * Combines a batch of each input for a functional call made with keyword {@code options}
     * ({@link SymbolicTensor#callOptions(java.util.function.Function)}: a tensor-valued keyword, such as
     * MultiHeadAttention's {@code attention_mask}, holds the batch's tensor); without options this is
     * {@link #call(List, boolean)}.
     */
    public Tensor call(List<Tensor> inputs, Map<String, Object> options, boolean training) {
        if (!options.isEmpty()) checkCallOptions(options);
        return call(inputs, training);
    }

    /**
     * Checks the keyword options of a functional call: by default a merge layer takes none. A layer that
     * takes some (MultiHeadAttention's {@code use_causal_mask}) overrides this and
     * {@link #call(List, Map, boolean)}.
     *
     * @throws IllegalArgumentException naming the layer and the option it does not take
     */
    public void checkCallOptions(Map<String, Object> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + ") takes no keyword argument, got "
                    + options.keySet());
        }
    }

    /**
     * Whether Keras calls this layer on one list of tensors ({@code Add()([a, b])}, the default), so that a saved
     * call's {@code args} are {@code [[a, b]]}; false for a layer called with positional tensors
     * ({@code MultiHeadAttention()(query, value)}: {@code args} {@code [query, value]}).
     */
    public boolean takesInputList() {
        return true;
    }

    /**
     * The names of the positional tensor parameters of a layer Keras calls with positional tensors
     * ({@code ["query", "value", "key"]} for MultiHeadAttention), so that a saved call giving some by name
     * ({@code mha(query=q, value=v)}) reads back; empty for a layer called on one list.
     */
    public List<String> inputNames() {
        return List.of();
    }

    /** The fewest inputs a call takes: 2 for Add or Concatenate; 1 for a layer whose other inputs are optional. */
    protected int minInputs() {
        return 2;
    }

    /** Functional API: calls this layer on several symbolic tensors. */
    public SymbolicTensor apply(List<SymbolicTensor> inputs) {
        return produce(inputs, Map.of());
    }

    /**
     * Functional API: calls this layer on several symbolic tensors with keyword {@code options} (checked by
     * {@link #checkCallOptions}); without options this is {@link #apply(List)}.
     */
    public SymbolicTensor apply(List<SymbolicTensor> inputs, Map<String, Object> options) {
        if (options.isEmpty()) return apply(inputs);
        checkCallOptions(options);
        return produce(inputs, options);
    }

    /** The output of a call on {@code inputs} with {@code options}, its shape from {@link #outputShape(List)}. */
    protected final SymbolicTensor produce(List<SymbolicTensor> inputs, Map<String, Object> options) {
        if (inputs.size() < minInputs()) throw new IllegalArgumentException("layer '" + name() + "' merges at least " + minInputs() + " inputs, got " + inputs.size());
        List<Shape> shapes = new ArrayList<>();
        for (SymbolicTensor t : inputs) shapes.add(t.shape());
        return SymbolicTensor.produced(this, inputs, outputShape(shapes), options);
    }

    public SymbolicTensor apply(SymbolicTensor... inputs) {
        return apply(List.of(inputs));
    }

    @Override
    public SymbolicTensor apply(SymbolicTensor input) {
        if (minInputs() <= 1) return apply(List.of(input));
        throw new IllegalArgumentException("layer '" + name() + "' merges several inputs; call apply(List) or apply(a, b, ...)");
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        throw new UnsupportedOperationException("layer '" + name() + "' merges several inputs; call call(List, training)");
    }
}
