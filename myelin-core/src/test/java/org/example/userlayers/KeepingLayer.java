package org.example.userlayers;

import dev.myelin.nn.Layer;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's layer (outside the library's packages) that keeps every input it is called on and passes it through:
 * the library must not hand those tensors back to the buffer pool (ActivationPoolTest).
 */
public final class KeepingLayer extends Layer {
    /** Every input seen, in call order. */
    public final List<Tensor> seen = new ArrayList<>();

    public KeepingLayer() {
        super("keeping");
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        seen.add(x);
        return x.relu();
    }
}
