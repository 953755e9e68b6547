package dev.myelin.models;

import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain stack of layers, each feeding the next: the functional {@link Model} of one chain.
 *
 * <pre>{@code
 * var model = new Sequential(
 *     new Conv2D(32, 3, Activation.RELU).inputShape(28, 28, 1),
 *     new MaxPooling2D(2),
 *     new Flatten(),
 *     new Dense(128, Activation.RELU),
 *     new Dense(10, Activation.SOFTMAX));
 * System.out.println(model.summary());
 * }</pre>
 *
 * <p>When the first layer declares its input shape, shapes are inferred (and errors reported) as layers
 * are added; otherwise on the first batch of data.
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();
    /** The wired graph: the input, then each stacked layer's output; empty until the input shape is known. */
    private final List<SymbolicTensor> chain = new ArrayList<>();
    private Shape inputShape;

    public Sequential(Layer... layers) {
        super("sequential");
        for (Layer l : layers) add(l);
    }

    @Override
    public Sequential seed(long value) {
        super.seed(value);
        return this;
    }

    /**
     * Appends a layer; with a known input shape, its output shape is checked at once. A model used as the
     * first layer ({@link Model#asLayer()}) gives its input shape. Adding to a built model (after
     * {@link #pop()}, to put a new head on trained layers) builds the new layer on next use.
     */
    public Sequential add(Layer layer) {
        if (layer instanceof MergeLayer) throw new IllegalArgumentException("layer '" + layer.name() + "' merges several inputs and cannot go in a Sequential; use the functional Model");
        if (stack.contains(layer)) throw new IllegalArgumentException("layer '" + layer.name() + "' is already in model '" + name() + "'");
        if (layer instanceof ModelLayer nested && nested.model() == this) throw new IllegalArgumentException("model '" + name() + "' cannot contain itself");
        if (stack.isEmpty() && inputShape == null) inputShape = firstInputShape(layer);
        else if (layer.declaredInputShape() != null) throw new IllegalArgumentException("only the first layer of a Sequential declares an input shape; '" + layer.name() + "' is layer " + (stack.size() + 1));
        if (inputShape != null) {
            if (chain.isEmpty()) chain.add(Input.named(name() + "_input", inputShape.toArray()));
            chain.add(layer.apply(chain.getLast())); // a shape error leaves the model as it was
        }
        stack.add(layer);
        if (!chain.isEmpty()) {
            setGraph(List.of(chain.getFirst()), List.of(chain.getLast()));
            invalidateBuild();
        }
        return this;
    }

    /** The declared input shape of a first layer, or the input shape of a model used as one. */
    private static Shape firstInputShape(Layer layer) {
        if (layer.declaredInputShape() != null) return layer.declaredInputShape();
        if (layer instanceof ModelLayer nested && nested.model().inputs().size() == 1) return nested.model().inputs().getFirst().shape();
        return null;
    }

    /**
     * Removes and returns the last layer (Keras's {@code pop}), to replace a trained model's head: the
     * remaining layers keep their weights, and {@link #add} puts a new head on them.
     *
     * <pre>{@code
     * base.pop();                                    // drop the 10-class softmax
     * base.add(new Dense(5, Activation.SOFTMAX));    // a new head, trained from scratch
     * }</pre>
     */
    public Layer pop() {
        if (stack.isEmpty()) throw new IllegalStateException("model '" + name() + "' has no layers to pop");
        Layer last = stack.removeLast();
        if (!chain.isEmpty()) {
            chain.removeLast();
            setGraph(List.of(chain.getFirst()), List.of(chain.getLast())); // with no layer left, the output is the input
        }
        return last;
    }

    @Override
    public List<Layer> layers() {
        return List.copyOf(stack);
    }

    @Override
    protected void buildFromData(List<Tensor> xs) {
        if (stack.isEmpty()) throw new IllegalStateException("model '" + name() + "' has no layers");
        if (xs.size() != 1) throw new IllegalArgumentException("model '" + name() + "' takes one input but received " + xs.size());
        Shape s = xs.get(0).shape();
        if (s.rank() < 1) throw new IllegalArgumentException("model '" + name() + "' needs a batch dimension; received a scalar");
        int[] dims = new int[s.rank() - 1];
        for (int i = 0; i < dims.length; i++) dims[i] = s.dim(i + 1);
        wire(Shape.of(dims));
    }

    /** Wires the stacked layers on an input of {@code shape}, once it is known from data or {@link #build(int...)}. */
    private void wire(Shape shape) {
        List<SymbolicTensor> wired = new ArrayList<>();
        wired.add(Input.named(name() + "_input", shape.toArray()));
        for (Layer l : stack) wired.add(l.apply(wired.getLast()));
        inputShape = shape;
        chain.addAll(wired);
        setGraph(List.of(chain.getFirst()), List.of(chain.getLast()));
    }

    /** Builds for inputs of {@code shape} (without batch) when no layer declared one. */
    public Sequential build(int... shape) {
        if (inputShape == null) wire(Shape.of(shape));
        build();
        return this;
    }
}
