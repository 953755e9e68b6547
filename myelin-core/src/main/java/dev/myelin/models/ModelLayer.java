package dev.myelin.models;

import dev.myelin.nn.Layer;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * A model used as a layer of another model (Keras: a model is a layer), obtained from
 * {@link Model#asLayer()}: one row in the outer model's summary, its weights tracked under their own names
 * ({@code dense_3/kernel}), the same {@link dev.myelin.nn.Parameter} objects as the model's, so training
 * the outer model trains the nested one unless it is frozen.
 *
 * <pre>{@code
 * Sequential base = ...;                      // trained on another task
 * base.trainable(false);                      // freeze it (BatchNormalization then runs on its moving statistics)
 * var model = new Sequential(base.asLayer(), new Dense(5, Activation.SOFTMAX));
 * }</pre>
 *
 * <p>Shapes: the nested model's single input shape to its single output shape. The nested model's
 * layers are read when this layer is built; change the nested model before using it as a layer.
 */
public final class ModelLayer extends Layer {
    private final Model model;
    private Boolean training; // null: the outer call's mode

    ModelLayer(Model model) {
        super("model_layer");
        this.model = model;
        name(model.name());
    }

    /** The nested model. */
    public Model model() {
        return model;
    }

    /**
     * Fixes the mode the nested model runs in, whatever the outer call's, as Keras's
     * {@code base(x, training=False)}: {@code false} for inference (Dropout off, BatchNormalization on its
     * moving statistics) while the outer model trains.
     */
    public ModelLayer training(boolean mode) {
        this.training = mode;
        return this;
    }

    /** The fixed mode, or null when the nested model runs in the outer call's mode. */
    public Boolean fixedTraining() {
        return training;
    }

    /** Freezes or unfreezes the wrapper and every layer of the nested model (Keras 3 sets {@code trainable} on every sublayer). */
    @Override
    public ModelLayer trainable(boolean value) {
        super.trainable(value);
        for (Layer l : model.layers()) l.trainable(value);
        return this;
    }

    /** The nested model's generators, one after the other in layer order (null when none of its layers draws). */
    @Override
    public long[] randomState() {
        long[] all = new long[0];
        for (Layer l : model.layers()) {
            long[] s = l.randomState();
            if (s == null) continue;
            int at = all.length;
            all = java.util.Arrays.copyOf(all, at + s.length);
            System.arraycopy(s, 0, all, at, s.length);
        }
        return all.length == 0 ? null : all;
    }

    @Override
    public void restoreRandomState(long[] state) {
        long[] current = randomState();
        if (current == null || state == null || state.length != current.length) {
            if (current == null && state == null) return;
            throw new IllegalArgumentException("layer '" + name() + "' (nested model '" + model.name() + "') has a random state of "
                    + (current == null ? "none" : current.length + " longs") + " but was given " + (state == null ? "none" : state.length + " longs"));
        }
        int at = 0;
        for (Layer l : model.layers()) {
            long[] s = l.randomState();
            if (s == null) continue;
            l.restoreRandomState(java.util.Arrays.copyOfRange(state, at, at + s.length));
            at += s.length;
        }
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (model.inputs().isEmpty()) {
            throw new IllegalArgumentException("model '" + model.name() + "' has no input shape yet; declare one on its first layer"
                    + " (inputShape(...)) or build it (build(dims...)) before using it as a layer");
        }
        if (model.inputs().size() != 1 || model.outputs().size() != 1) {
            throw new IllegalArgumentException("model '" + model.name() + "' has " + model.inputs().size() + " input(s) and "
                    + model.outputs().size() + " output(s); only a model with one input and one output can be used as a layer");
        }
        Shape expected = model.inputs().getFirst().shape();
        if (!expected.equals(inputShape)) throw shapeError("input shape [batch, " + dimsOf(expected) + "] (the input of model '" + model.name() + "')", inputShape);
        return model.outputs().getFirst().shape();
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        model.build(rng);
        for (Layer l : model.layers()) trackWeightsOf(l);
    }

    @Override
    protected Tensor forward(Tensor x, boolean outerTraining) {
        return model.call(x, training == null ? outerTraining : training);
    }
}
