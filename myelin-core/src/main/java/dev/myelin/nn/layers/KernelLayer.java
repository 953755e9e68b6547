package dev.myelin.nn.layers;

import dev.myelin.backend.DType;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Zeros;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The common part of layers computing {@code activation(op(x, kernel) + bias)} (Dense, Conv2D,
 * Conv2DTranspose): the activation, the kernel and bias weights with their initializers (Keras's defaults:
 * glorot-uniform kernel, zero bias) and regularizers, and {@code useBias}. A subclass gives the kernel's
 * shape and {@link #preActivation}; setters return the subclass ({@code L}) for chaining.
 */
public abstract class KernelLayer<L extends KernelLayer<L>> extends Layer {
    private final Activation activation;
    private boolean useBias = true;
    private Initializer kernelInitializer = new GlorotUniform();
    private Initializer biasInitializer = new Zeros();
    private Regularizer kernelRegularizer;
    private Regularizer biasRegularizer;
    private Parameter kernel;
    private Parameter bias;

    /**
     * The configuration that Dense, Conv2D and Conv2DTranspose share, part of their config records.
     *
     * @param kernelRegularizer null for none
     * @param biasRegularizer   null for none
     */
    public record KernelSettings(Activation activation, boolean useBias, Initializer kernelInitializer, Initializer biasInitializer,
                                 Regularizer kernelRegularizer, Regularizer biasRegularizer) {
        public KernelSettings {
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(kernelInitializer, "kernelInitializer");
            Objects.requireNonNull(biasInitializer, "biasInitializer");
        }

        /** Keras's defaults with {@code activation}: bias, glorot-uniform kernel, zero bias, no regularizers. */
        public static KernelSettings defaults(Activation activation) {
            return new KernelSettings(activation, true, new GlorotUniform(), new Zeros(), null, null);
        }
    }

    protected KernelLayer(String baseName, Activation activation) {
        super(baseName);
        this.activation = Objects.requireNonNull(activation, "activation");
    }

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }

    // Layer's fluent setters, narrowed once here for Dense, Conv2D and Conv2DTranspose

    @Override
    public L name(String newName) {
        super.name(newName);
        return self();
    }

    @Override
    public L inputShape(int... dims) {
        super.inputShape(dims);
        return self();
    }

    @Override
    public L dtype(DType type) {
        super.dtype(type);
        return self();
    }

    @Override
    public L trainable(boolean value) {
        super.trainable(value);
        return self();
    }

    public L useBias(boolean value) {
        this.useBias = value;
        return self();
    }

    public L kernelInitializer(Initializer value) {
        this.kernelInitializer = Objects.requireNonNull(value, "kernelInitializer");
        return self();
    }

    public L biasInitializer(Initializer value) {
        this.biasInitializer = Objects.requireNonNull(value, "biasInitializer");
        return self();
    }

    public L kernelRegularizer(Regularizer value) {
        this.kernelRegularizer = value;
        return self();
    }

    public L biasRegularizer(Regularizer value) {
        this.biasRegularizer = value;
        return self();
    }

    /** The shared part of this layer's config. */
    public final KernelSettings kernelSettings() {
        return new KernelSettings(activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    /** Applies the shared part of a config (all but the activation, which the constructor takes). */
    protected final L applyKernelSettings(KernelSettings value) {
        return useBias(value.useBias()).kernelInitializer(value.kernelInitializer()).biasInitializer(value.biasInitializer())
                .kernelRegularizer(value.kernelRegularizer()).biasRegularizer(value.biasRegularizer());
    }

    public boolean useBias() {
        return useBias;
    }

    /** The activation applied after the affine part. */
    public Activation activation() {
        return activation;
    }

    /** The layer's output before its activation, for a batch whose shape the caller has checked. */
    public abstract Tensor preActivation(Tensor x);

    /** The kernel weight (null before building). */
    public Parameter kernel() {
        return kernel;
    }

    /** The bias weight (null before building or with {@code useBias(false)}). */
    public Parameter bias() {
        return bias;
    }

    /** Creates {@code kernel} of {@code kernelShape} and, with {@code useBias}, {@code bias [units]}. */
    protected final void createKernelAndBias(Shape kernelShape, int units, RandomGenerator rng) {
        kernel = addWeight("kernel", kernelShape, kernelInitializer, rng, true, kernelRegularizer);
        if (useBias) bias = addWeight("bias", Shape.of(units), biasInitializer, rng, true, biasRegularizer);
    }

    /** {@code y + bias} (broadcast over the last axis), or {@code y} without a bias. */
    protected final Tensor addBias(Tensor y) {
        return useBias ? y.add(bias.value()) : y;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return activation.apply(preActivation(x));
    }
}
