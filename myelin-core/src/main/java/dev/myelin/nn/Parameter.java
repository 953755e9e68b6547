package dev.myelin.nn;

import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Tensor;
import java.util.Objects;

/**
 * A layer's weight: a named tensor that lives as long as the layer. Optimizers update {@link #value()} in
 * place (outside the autograd graph), so the tensor object never changes and can be shared.
 *
 * <p>A parameter is trainable when it was created trainable (BatchNormalization's moving statistics are
 * not) and its owning layer is not frozen ({@link Layer#trainable(boolean)}). Names are unique within a
 * model, for example {@code "conv2d_1/kernel"}.
 */
public final class Parameter {
    private final Layer owner;
    private final String name;
    private final Tensor value;
    private final boolean trainableByCreation;
    private final Regularizer regularizer;

    Parameter(Layer owner, String name, Tensor value, boolean trainable, Regularizer regularizer) {
        this.owner = owner;
        this.name = Objects.requireNonNull(name);
        this.value = Objects.requireNonNull(value);
        this.trainableByCreation = trainable;
        this.regularizer = regularizer;
        if (trainable) value.requiresGrad(true);
        BufferPool.keep(value); // lives as long as the layer: a step scope that built the layer must not take it back
    }

    /**
     * A trainable parameter that belongs to no layer, for custom training loops and tests: the tensor
     * becomes a leaf that requires grad.
     */
    public static Parameter of(String name, Tensor value) {
        return new Parameter(null, name, value, true, null);
    }

    /** The full name, {@code layerName/weightName} (just the name for a parameter without a layer). */
    public String name() {
        return owner == null ? name : owner.name() + "/" + name;
    }

    /** The weight's short name within its layer, such as {@code kernel}. */
    public String shortName() {
        return name;
    }

    /** The layer that created this parameter, or null. */
    public Layer owner() {
        return owner;
    }

    /** The weight tensor (a leaf that requires grad when created trainable). */
    public Tensor value() {
        return value;
    }

    /** The gradient accumulated by the last backward pass, or null. */
    public Tensor grad() {
        return value.grad();
    }

    public boolean trainable() {
        return trainableByCreation && (owner == null || owner.isTrainable());
    }

    /** The regularizer whose penalty is added to the loss, or null. */
    public Regularizer regularizer() {
        return regularizer;
    }

    @Override
    public String toString() {
        return name() + " " + value.shape() + (trainable() ? "" : " (non-trainable)");
    }
}
