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

    /** Appends a layer; with a known input shape, its output shape is checked at once. */
    public Sequential add(Layer layer) {
        if (isBuilt()) throw new IllegalStateException("model '" + name() + "' is already built; add layers before training or calling it");
        if (layer instanceof MergeLayer) throw new IllegalArgumentException("layer '" + layer.name() + "' merges several inputs and cannot go in a Sequential; use the functional Model");
        if (stack.isEmpty() && layer.declaredInputShape() != null) inputShape = layer.declaredInputShape();
        else if (layer.declaredInputShape() != null) throw new IllegalArgumentException("only the first layer of a Sequential declares an input shape; '" + layer.name() + "' is layer " + (stack.size() + 1));
        stack.add(layer);
        if (inputShape != null) wire();
        return this;
    }

    @Override
    public List<Layer> layers() {
        return List.copyOf(stack);
    }

    private void wire() {
        SymbolicTensor in = Input.named(name() + "_input", inputShape.toArray());
        SymbolicTensor t = in;
        for (Layer l : stack) t = l.apply(t);
        setGraph(List.of(in), List.of(t));
    }

    @Override
    protected void buildFromData(List<Tensor> xs) {
        if (stack.isEmpty()) throw new IllegalStateException("model '" + name() + "' has no layers");
        if (xs.size() != 1) throw new IllegalArgumentException("model '" + name() + "' takes one input but received " + xs.size());
        Shape s = xs.get(0).shape();
        if (s.rank() < 1) throw new IllegalArgumentException("model '" + name() + "' needs a batch dimension; received a scalar");
        int[] dims = new int[s.rank() - 1];
        for (int i = 0; i < dims.length; i++) dims[i] = s.dim(i + 1);
        inputShape = Shape.of(dims);
        wire();
    }

    /** Builds for inputs of {@code shape} (without batch) when no layer declared one. */
    public Sequential build(int... shape) {
        if (inputShape == null) {
            inputShape = Shape.of(shape);
            wire();
        }
        build();
        return this;
    }
}
