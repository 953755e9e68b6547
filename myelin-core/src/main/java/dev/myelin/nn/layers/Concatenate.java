package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.MergeLayer;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;

/**
 * Concatenates inputs along an axis (default the last), as Keras's {@code Concatenate}.
 *
 * <p>Shapes: inputs {@code [batch, ..., d_i, ...]} equal except on {@code axis}; output with {@code sum(d_i)} there.
 */
public final class Concatenate extends MergeLayer {
    private final int axis;

    /** Concatenate's configuration: Keras's {@code axis}. */
    public record Config(LayerSettings layer, int axis) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static Concatenate fromConfig(Config config) {
        Concatenate l = new Concatenate(config.axis());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), axis);
    }

    public Concatenate() {
        this(-1);
    }

    /** @param axis an axis of the batched tensors; -1 is the last. Axis 0 (the batch) is not allowed. */
    public Concatenate(int axis) {
        super("concatenate");
        if (axis == 0) throw new IllegalArgumentException("Concatenate axis 0 is the batch axis; use an axis >= 1 or negative");
        this.axis = axis;
    }

    @Override
    public Shape outputShape(List<Shape> inputShapes) {
        Shape first = inputShapes.get(0);
        int rank = first.rank();
        int a = axis < 0 ? rank + axis : axis - 1; // without the batch dimension
        if (a < 0 || a >= rank) throw new IllegalArgumentException("layer '" + name() + "' axis " + axis + " is out of range for inputs " + inputShapes);
        int total = 0;
        for (Shape s : inputShapes) {
            boolean ok = s.rank() == rank;
            for (int i = 0; ok && i < rank; i++) ok = i == a || s.dim(i) == first.dim(i);
            if (!ok) throw new IllegalArgumentException("layer '" + name() + "' (Concatenate) needs inputs equal except on axis " + axis + ", got " + inputShapes);
            total += s.dim(a);
        }
        return first.with(a, total);
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        return Tensor.concat(inputs, axis < 0 ? axis : axis);
    }
}
