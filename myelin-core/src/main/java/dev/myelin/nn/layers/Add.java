package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.recurrent.Masks;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;

/**
 * Element-wise sum of inputs of one shape, as Keras's {@code Add}. Shapes: each input {@code [batch, ...]}, output the same.
 *
 * <p>Masks: as Keras's merge layers, the output carries the product (logical and) of the inputs' implicit
 * masks ({@link Masks}), ignoring inputs without one, so {@code Embedding(maskZero)} plus a
 * {@code PositionEmbedding} keeps the padding mask.
 */
public final class Add extends MergeLayer {
    /** Add's configuration. */
    public record Config(LayerSettings layer) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static Add fromConfig(Config config) {
        Add l = new Add();
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings());
    }

    public Add() {
        super("add");
    }

    @Override
    public Shape outputShape(List<Shape> inputShapes) {
        for (Shape s : inputShapes) {
            if (!s.equals(inputShapes.get(0))) {
                throw new IllegalArgumentException("layer '" + name() + "' (Add) needs inputs of one shape, got " + inputShapes);
            }
        }
        return inputShapes.get(0);
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        Tensor sum = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) sum = sum.add(inputs.get(i));
        return Masks.merged(sum, inputs); // the AND of the inputs' masks, as Keras (a functional model does the same for every merge)
    }
}
