package dev.myelin.nn.layers;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.MergeLayer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Zeros;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Gated fusion of two inputs, the gated multimodal unit of Arevalo et al. (2017): each input is projected
 * to {@code units}, and a learned sigmoid gate, computed from both inputs, mixes the two projections
 * feature by feature.
 * <pre>
 *   hA = tanh(a·Wa + ba)      hB = tanh(b·Wb + bb)
 *   z  = sigmoid(a·Ua + b·Ub + bz)            (= sigmoid([a, b]·U + bz), U = [Ua; Ub])
 *   output = z ⊙ hA + (1 − z) ⊙ hB
 * </pre>
 * The gate says, per example and feature, how much of the output comes from each modality (an image
 * feature and a text feature, say); {@link #gate} returns {@code z} for inspection.
 *
 * <p>Calls: in a functional model {@code new GatedFusion(64).apply(imageFeatures, textFeatures)}, or
 * eagerly {@link #call(List, boolean)} with the two tensors. As a single-input layer
 * ({@code call(x, training)}) it fuses {@code x} with itself ({@code a = b = x}), as
 * {@code MultiHeadAttention} is self-attention then.
 *
 * <p>Shapes: {@code a [batch, ..., Da]}, {@code b [batch, ..., Db]} with the same leading dimensions;
 * output {@code [batch, ..., units]}.
 *
 * <p>Weights: {@code a/kernel [Da, units]}, {@code a/bias [units]}, {@code b/kernel [Db, units]},
 * {@code b/bias [units]}, {@code gate_a/kernel [Da, units]}, {@code gate_b/kernel [Db, units]},
 * {@code gate/bias [units]}; glorot-uniform kernels and zero biases by default. The second input's width
 * comes from the functional call or from {@link #build(Shape, Shape, RandomGenerator)}; building with one
 * shape means both inputs have that width.
 *
 * <p>Example: {@code SymbolicTensor fused = new GatedFusion(32).apply(imageFeatures, textFeatures);} (both {@code [batch, features]} branch outputs).
 */
public final class GatedFusion extends MergeLayer {
    private final int units;
    private Initializer kernelInitializer = new GlorotUniform();
    private Initializer biasInitializer = new Zeros();

    private int secondWidth;
    private Parameter kernelA, biasA, kernelB, biasB, gateKernelA, gateKernelB, gateBias;

    /** @param units the width of the fused output (and of both projections and the gate) */
    public GatedFusion(int units) {
        super("gated_fusion");
        if (units <= 0) throw new IllegalArgumentException("GatedFusion units must be positive, got units=" + units);
        this.units = units;
    }

    /** GatedFusion's configuration: {@code units} and the initializers of the kernels and biases. */
    public record Config(LayerSettings layer, int units, Initializer kernelInitializer, Initializer biasInitializer) implements LayerConfig {}

    /** A layer with {@code config}'s settings, unbuilt. */
    public static GatedFusion fromConfig(Config c) {
        GatedFusion g = new GatedFusion(c.units()).kernelInitializer(c.kernelInitializer()).biasInitializer(c.biasInitializer());
        g.settings(c.layer());
        return g;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, kernelInitializer, biasInitializer);
    }

    @Override
    public GatedFusion name(String newName) {
        super.name(newName);
        return this;
    }

    public GatedFusion kernelInitializer(Initializer value) {
        this.kernelInitializer = Objects.requireNonNull(value);
        return this;
    }

    public GatedFusion biasInitializer(Initializer value) {
        this.biasInitializer = Objects.requireNonNull(value);
        return this;
    }

    public int units() {
        return units;
    }

    // ---- shapes and building ----

    /** Builds for the shapes of both inputs (without the batch). */
    public void build(Shape a, Shape b, RandomGenerator rng) {
        outputShape(List.of(a, b));
        if (!isBuilt()) secondWidth = b.dim(-1);
        build(a, rng);
        if (secondWidth != b.dim(-1)) {
            throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) was built for a second input of width " + secondWidth
                    + " but is now used with " + b.dim(-1));
        }
    }

    @Override
    public SymbolicTensor apply(List<SymbolicTensor> inputs) {
        if (inputs.size() != 2) throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) fuses exactly 2 inputs, got " + inputs.size());
        SymbolicTensor out = super.apply(inputs);
        if (!isBuilt()) secondWidth = inputs.get(1).shape().dim(-1); // Model.build passes only the first input's shape
        return out;
    }

    @Override
    public Shape outputShape(List<Shape> shapes) {
        if (shapes.size() != 2) throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) fuses exactly 2 inputs, got " + shapes.size());
        Shape a = shapes.get(0), b = shapes.get(1);
        computeOutputShape(a);
        computeOutputShape(b);
        boolean same = a.rank() == b.rank();
        for (int i = 0; same && i < a.rank() - 1; i++) same = a.dim(i) == b.dim(i);
        if (!same) {
            throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) needs inputs that differ only in their last dimension, got "
                    + a + " and " + b);
        }
        return a.with(-1, units);
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() < 1) throw shapeError("at least one dimension [..., features]", inputShape);
        return inputShape.with(-1, units);
    }

    @Override
    protected void onBuild(Shape a, RandomGenerator rng) {
        int da = a.dim(-1), db = secondWidth > 0 ? secondWidth : da;
        secondWidth = db;
        kernelA = addWeight("a/kernel", Shape.of(da, units), kernelInitializer, rng);
        biasA = addWeight("a/bias", Shape.of(units), biasInitializer, rng);
        kernelB = addWeight("b/kernel", Shape.of(db, units), kernelInitializer, rng);
        biasB = addWeight("b/bias", Shape.of(units), biasInitializer, rng);
        gateKernelA = addWeight("gate_a/kernel", Shape.of(da, units), kernelInitializer, rng);
        gateKernelB = addWeight("gate_b/kernel", Shape.of(db, units), kernelInitializer, rng);
        gateBias = addWeight("gate/bias", Shape.of(units), biasInitializer, rng);
    }

    // ---- calls ----

    /** Fuses {@code x} with itself. */
    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return fuse(x, x);
    }

    /** Fuses the two tensors of a functional model's call. */
    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.size() != 2) throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) fuses exactly 2 tensors, got " + inputs.size());
        Tensor a = inputs.get(0), b = inputs.get(1);
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; call build(a, b, rng) or add it to a model");
        checkInput(a.shape());
        if (b.rank() != a.rank() || b.dim(-1) != secondWidth) {
            throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) expected a second input of shape [batch, ..., "
                    + secondWidth + "] and rank " + a.rank() + " but received " + b.shape());
        }
        for (int i = 0; i < a.rank() - 1; i++) {
            if (a.dim(i) != b.dim(i)) {
                throw new IllegalArgumentException("layer '" + name() + "' (GatedFusion) needs inputs that differ only in their last dimension, got "
                        + a.shape() + " and " + b.shape());
            }
        }
        return fuse(a, b);
    }

    /** The gate {@code z = sigmoid(a·Ua + b·Ub + bz)}, in [0, 1]: the share of the output that comes from {@code a}. */
    public Tensor gate(Tensor a, Tensor b) {
        return a.matmul(gateKernelA.value()).add(b.matmul(gateKernelB.value())).add(gateBias.value()).sigmoid();
    }

    private Tensor fuse(Tensor a, Tensor b) {
        Tensor hA = a.matmul(kernelA.value()).add(biasA.value()).tanh();
        Tensor hB = b.matmul(kernelB.value()).add(biasB.value()).tanh();
        Tensor z = gate(a, b);
        return hB.add(z.mul(hA.sub(hB))); // z·hA + (1 − z)·hB with one multiplication
    }
}
