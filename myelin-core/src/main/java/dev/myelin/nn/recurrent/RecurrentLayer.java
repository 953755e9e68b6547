package dev.myelin.nn.recurrent;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.RandomStream;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Orthogonal;
import dev.myelin.nn.init.Zeros;
import dev.myelin.backend.DType;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The part that {@link SimpleRNN}, {@link LSTM} and {@link GRU} share, with Keras's semantics: options
 * {@code returnSequences}, {@code returnState} (see {@link #callWithState}), {@code goBackwards},
 * {@code dropout} and {@code recurrentDropout}; initial states; masks.
 *
 * <p>Shapes: input {@code [batch, time, features]} (the time length may change between calls); output
 * {@code [batch, units]}, or {@code [batch, time, units]} with {@code returnSequences}.
 *
 * <p>Weights: {@code kernel [features, G·units]} (glorot-uniform), {@code recurrent_kernel [units, G·units]}
 * (orthogonal), {@code bias} (zeros), with G gates: 1 (SimpleRNN), 4 (LSTM), 3 (GRU).
 *
 * <p>Masks: a {@code [batch, time]} mask (1 = compute, 0 = padding) comes from the input tensor (attached
 * by {@link Embedding} or {@link Masking}, see {@link Masks}) or is passed to {@link #callWithState}. A
 * masked step keeps the previous states, and its output repeats the previous output (zeros before the
 * first computed step), as Keras. With {@code returnSequences} the mask is attached to the output.
 *
 * <p>Dropout (training only, as Keras): one mask per sequence on the inputs ({@code [batch, features]},
 * the same for every step) and one on the state fed to the recurrent kernel ({@code [batch, units]}).
 *
 * <p>Implementation overview. The input projection of all steps is one GEMM
 * ({@code [batch·time, features] × [features, G·units]}). The steps then run either fused (when the
 * backend offers a {@link dev.myelin.backend.RecurrenceKernel} for the type, as the CPU backend does for
 * float32: one recurrent GEMM and one loop of gate math per step, with a hand-written backward through
 * time) or composed of tensor operations (otherwise, with gates other than sigmoid, or with
 * {@code fused(false)}), which
 * autograd differentiates; the composed path is the readable reference that gradient checks verify.
 */
public abstract class RecurrentLayer<L extends RecurrentLayer<L>> extends Layer {
    /**
     * The configuration SimpleRNN, LSTM and GRU share, part of their config records, with Keras's
     * {@code return_sequences}, {@code return_state}, {@code go_backwards}, {@code dropout},
     * {@code recurrent_dropout}, {@code seed}, {@code use_bias} and initializers.
     *
     * @param seed  the dropout generator's seed, or null to draw it from the build generator
     * @param fused true or false to force the fused float32 kernel on or off, null for the default (Keras's {@code use_cudnn="auto"})
     */
    public record RecurrentSettings(boolean returnSequences, boolean returnState, boolean goBackwards, double dropout,
                                    double recurrentDropout, Long seed, Boolean fused, boolean useBias,
                                    Initializer kernelInitializer, Initializer recurrentInitializer, Initializer biasInitializer) {
        public RecurrentSettings {
            checkRate("dropout", dropout);
            checkRate("recurrentDropout", recurrentDropout);
            Objects.requireNonNull(kernelInitializer, "kernelInitializer");
            Objects.requireNonNull(recurrentInitializer, "recurrentInitializer");
            Objects.requireNonNull(biasInitializer, "biasInitializer");
        }

        /** Keras's defaults: last output only, no dropout, bias, glorot-uniform kernel, orthogonal recurrent kernel, zero bias. */
        public static RecurrentSettings defaults() {
            return new RecurrentSettings(false, false, false, 0, 0, null, null, true, new GlorotUniform(), new Orthogonal(), new Zeros());
        }
    }

    protected final int units;
    private boolean returnSequences;
    private boolean returnState;
    private boolean goBackwards;
    private double dropout;
    private double recurrentDropout;
    private Boolean fused;
    private Long seed;
    private RandomStream generator;
    protected boolean useBias = true;
    protected Initializer kernelInitializer = new GlorotUniform();
    protected Initializer recurrentInitializer = new Orthogonal();
    protected Initializer biasInitializer = new Zeros();
    /** The gates' activation, Keras's {@code recurrent_activation} (LSTM and GRU set it; SimpleRNN has no gates). */
    protected Activation recurrentActivation = Activation.SIGMOID;
    protected Parameter kernel;
    protected Parameter recurrentKernel;
    protected Parameter bias;

    protected RecurrentLayer(String baseName, int units) {
        super(baseName);
        if (units <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + " units must be positive, got " + units);
        this.units = units;
    }

    // ---- configuration ----

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }

    // Layer's fluent setters, narrowed once here for SimpleRNN, LSTM and GRU

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

    /** The shared part of this layer's config. */
    public final RecurrentSettings recurrentSettings() {
        return new RecurrentSettings(returnSequences, returnState, goBackwards, dropout, recurrentDropout, seed, fused, useBias,
                kernelInitializer, recurrentInitializer, biasInitializer);
    }

    /** Applies the shared part of a config. */
    protected final L applyRecurrentSettings(RecurrentSettings value) {
        returnSequences = value.returnSequences();
        returnState = value.returnState();
        goBackwards = value.goBackwards();
        dropout = value.dropout();
        recurrentDropout = value.recurrentDropout();
        seed = value.seed();
        fused = value.fused();
        useBias = value.useBias();
        kernelInitializer = value.kernelInitializer();
        recurrentInitializer = value.recurrentInitializer();
        biasInitializer = value.biasInitializer();
        return self();
    }

    /** Return the output of every step ({@code [batch, time, units]}) instead of the last one. */
    public L returnSequences(boolean value) {
        this.returnSequences = value;
        return self();
    }

    /** Declares that callers want the final states; {@link #callWithState} returns them (a model passes only the output on). */
    public L returnState(boolean value) {
        this.returnState = value;
        return self();
    }

    /** Process the sequence from the last step to the first; the returned sequence is in processing (reversed) order, as Keras. */
    public L goBackwards(boolean value) {
        this.goBackwards = value;
        return self();
    }

    /** Fraction of the input features dropped (per sequence) in training, in {@code [0, 1)}. */
    public L dropout(double rate) {
        this.dropout = checkRate("dropout", rate);
        return self();
    }

    /** Fraction of the recurrent state's units dropped (per sequence) before the recurrent kernel, in {@code [0, 1)}. */
    public L recurrentDropout(double rate) {
        this.recurrentDropout = checkRate("recurrentDropout", rate);
        return self();
    }

    /**
     * Forces the fused float32 kernel on ({@code true}, where it applies: float32 and sigmoid gates) or off
     * ({@code false}: composed tensor operations); default: fused where it applies. Other gate activations
     * (a {@code recurrent_activation} such as hard sigmoid) always run composed: the fused kernel computes
     * sigmoid gates only.
     */
    public L fused(boolean value) {
        this.fused = value;
        return self();
    }

    /** Seeds the layer's dropout generator (set before building; default: drawn from the build generator). */
    public L seed(long value) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name() + "' is already built; set its seed before building");
        this.seed = value;
        return self();
    }

    public L useBias(boolean value) {
        this.useBias = value;
        return self();
    }

    public L kernelInitializer(Initializer value) {
        this.kernelInitializer = Objects.requireNonNull(value);
        return self();
    }

    public L recurrentInitializer(Initializer value) {
        this.recurrentInitializer = Objects.requireNonNull(value);
        return self();
    }

    public L biasInitializer(Initializer value) {
        this.biasInitializer = Objects.requireNonNull(value);
        return self();
    }

    public int units() {
        return units;
    }

    public boolean returnSequences() {
        return returnSequences;
    }

    public boolean returnState() {
        return returnState;
    }

    public boolean goBackwards() {
        return goBackwards;
    }

    public double dropout() {
        return dropout;
    }

    public double recurrentDropout() {
        return recurrentDropout;
    }

    public Parameter kernel() {
        return kernel;
    }

    public Parameter recurrentKernel() {
        return recurrentKernel;
    }

    public Parameter bias() {
        return bias;
    }

    /** Number of states: 1 ({@code h}), or 2 for LSTM ({@code h, c}). */
    public int stateCount() {
        return cell() == FusedRecurrence.Cell.LSTM ? 2 : 1;
    }

    // ---- for subclasses ----

    abstract FusedRecurrence.Cell cell();

    /** A new, unbuilt layer with the same settings (for {@link Bidirectional}). */
    protected abstract L newLike();

    /** Forgets the dropout seed, so that the generator is drawn from the build generator (Bidirectional's backward copy: its own masks). */
    final void clearSeed() {
        this.seed = null;
    }

    @Override
    public abstract LayerConfig config();

    /** One composed step: {@code xpT [batch, G·units]} is the step's input projection (input bias included), {@code hr} the previous h after recurrent dropout. */
    protected abstract Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states);

    /** Whether the fused kernel computes this layer's cell (GRU's reset_after=false it does not). */
    boolean fusedKernelApplies() {
        return true;
    }

    /** The bias added to the input projection, or null. */
    protected Tensor inputBias() {
        return bias == null ? null : bias.value();
    }

    /** GRU's recurrent bias {@code [3·units]}, or null. */
    protected Tensor recurrentBias() {
        return null;
    }

    protected Shape biasShape() {
        return Shape.of(cell().gates * units);
    }

    // ---- Layer contract ----

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 2) {
            throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName()
                    + ") expected a sequence of shape [batch, time, features] but received input shape " + withBatch(inputShape));
        }
        return returnSequences ? Shape.of(inputShape.dim(0), units) : Shape.of(units);
    }

    @Override
    public void checkInput(Shape batchShape) {
        int features = builtInputShape().dim(1);
        if (batchShape.rank() != 3 || batchShape.dim(2) != features) {
            throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + ") expected a sequence of shape [batch, time, "
                    + features + "] but received " + batchShape);
        }
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        int g = cell().gates * units;
        kernel = addWeight("kernel", Shape.of(inputShape.dim(1), g), kernelInitializer, rng);
        recurrentKernel = addWeight("recurrent_kernel", Shape.of(units, g), recurrentInitializer, rng);
        if (useBias) bias = addWeight("bias", biasShape(), biasInitializer, rng);
        long s = seed != null ? seed : rng != null ? rng.nextLong() : RandomGenerator.getDefault().nextLong();
        generator = RandomStream.seeded(s);
    }

    /** The dropout masks' generator state; null without dropout (nothing drawn) or before the layer is built. */
    @Override
    public long[] randomState() {
        return generator == null || (dropout == 0 && recurrentDropout == 0) ? null : generator.state();
    }

    @Override
    public void restoreRandomState(long[] state) {
        if (state == null && (dropout == 0 && recurrentDropout == 0)) return;
        restoreStream(generator, state);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor mask = Masks.of(x);
        Tensor out = run(x, mask, null, training).output();
        return returnSequences && mask != null ? Masks.attach(out, goBackwards ? reverseTime(mask) : mask) : out;
    }

    /**
     * Runs the layer on {@code x} {@code [batch, time, features]} and returns the output and the final
     * states (Keras's {@code return_state}).
     *
     * @param mask         {@code [batch, time]}, 1 for steps to compute and 0 for padding; null for none
     *                     (then a mask attached to {@code x} is used)
     * @param initialState null for zeros, or the initial states ({@code [h]}, LSTM {@code [h, c]}), each {@code [batch, units]}
     */
    public RecurrentOutput callWithState(Tensor x, Tensor mask, List<Tensor> initialState, boolean training) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built; call build(inputShape, rng) or add it to a model");
        checkInput(x.shape());
        return run(x, mask != null ? mask : Masks.of(x), initialState, training);
    }

    private RecurrentOutput run(Tensor x, Tensor mask, List<Tensor> initialState, boolean training) {
        int batch = x.dim(0), steps = x.dim(1), features = x.dim(2);
        if (steps == 0) throw new IllegalArgumentException("layer '" + name() + "' received a sequence with no time steps: " + x.shape());
        if (mask != null && (mask.rank() != 2 || mask.dim(0) != batch || mask.dim(1) != steps)) {
            throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + "): mask shape " + mask.shape()
                    + " does not match input shape " + x.shape() + "; expected [" + batch + ", " + steps + "]");
        }
        Tensor[] states = initialStates(initialState, batch, x.dtype());
        if (goBackwards) {
            x = reverseTime(x);
            if (mask != null) mask = reverseTime(mask);
        }
        if (training && dropout > 0) {
            x = x.mul(dropMask(batch, features, dropout, x.dtype()).reshape(batch, 1, features));
        }
        Tensor recMask = training && recurrentDropout > 0 ? dropMask(batch, units, recurrentDropout, x.dtype()) : null;
        // one GEMM for all steps: [batch·time, features] × [features, G·units] (a batched [batch] × [time, features]
        // product would run batch small GEMMs, and its kernel gradient would sum batch partial products), with the
        // input bias added as each block of the product is written (dense: matmul + add's values and gradients bit for
        // bit, without a second [batch·time, G·units] array per step)
        Tensor xp = x.reshape(batch * steps, features).dense(kernel.value(), inputBias(), null);
        xp = xp.reshape(batch, steps, xp.dim(1));
        boolean fusable = !Boolean.FALSE.equals(fused) && recurrentActivation == Activation.SIGMOID && fusedKernelApplies();
        RecurrentOutput fusedOutput = fusable ? runFused(xp, states, mask, recMask) : null;
        return fusedOutput != null ? fusedOutput : runComposed(xp, states, mask, recMask, returnSequences);
    }

    /**
     * The output of every step, {@code [batch, time, units]} in processing order, computed by the composed
     * steps (so autograd reaches {@code xp}) from zero initial states, without dropout, from a given input
     * projection {@code xp = x·kernel + input bias} ({@code [batch, time, G·units]}, in processing order:
     * reversed for {@code goBackwards}). For per-example gradients ({@code dev.myelin.privacy}), which read the
     * gradient of each step's projection; the layer's own call computes the same values.
     *
     * @param mask {@code [batch, time]} in processing order, or null
     */
    public Tensor stepsFromProjection(Tensor xp, Tensor mask) {
        return runComposed(xp, initialStates(null, xp.dim(0), xp.dtype()), mask, null, true).output();
    }

    /** Null when the backend offers no fused recurrence for this type. */
    private RecurrentOutput runFused(Tensor xp, Tensor[] states, Tensor mask, Tensor recMask) {
        int steps = xp.dim(1);
        Tensor packed = FusedRecurrence.run(cell(), xp, recurrentKernel.value(), recurrentBias(), states[0],
                states.length > 1 ? states[1] : null, mask, recMask);
        if (packed == null) return null;
        Tensor output = returnSequences ? packed.slice(2, 0, units) : last(packed, steps, 0);
        List<Tensor> finals = new ArrayList<>();
        for (int k = 0; k < states.length; k++) finals.add(last(packed, steps, k + 1));
        return new RecurrentOutput(output, finals);
    }

    private Tensor last(Tensor packed, int steps, int part) {
        return packed.slice(1, steps - 1, steps).slice(2, part * units, (part + 1) * units).reshape(packed.dim(0), units);
    }

    private RecurrentOutput runComposed(Tensor xp, Tensor[] states, Tensor mask, Tensor recMask, boolean sequences) {
        int batch = xp.dim(0), steps = xp.dim(1), g = xp.dim(2);
        Tensor out = Tensor.zeros(xp.dtype(), Shape.of(batch, units));
        List<Tensor> outs = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            Tensor xt = xp.slice(1, t, t + 1).reshape(batch, g);
            Tensor hr = recMask == null ? states[0] : states[0].mul(recMask);
            Tensor[] next = step(xt, hr, states);
            if (mask == null) {
                out = next[0];
            } else {
                Tensor m = mask.slice(1, t, t + 1).to(xp.dtype()).ne(Tensor.scalar(xp.dtype(), 0)).to(xp.dtype());
                Tensor keep = m.neg().add(1);
                for (int k = 0; k < next.length; k++) next[k] = next[k].mul(m).add(states[k].mul(keep));
                out = next[0].mul(m).add(out.mul(keep));
            }
            states = next;
            if (sequences) outs.add(out);
        }
        return new RecurrentOutput(sequences ? Tensor.stack(outs, 1) : out, List.of(states));
    }

    private Tensor[] initialStates(List<Tensor> given, int batch, DType type) {
        int n = stateCount();
        Tensor[] states = new Tensor[n];
        if (given == null || given.isEmpty()) {
            for (int k = 0; k < n; k++) states[k] = Tensor.zeros(type, Shape.of(batch, units));
            return states;
        }
        if (given.size() != n) {
            throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + ") takes " + n
                    + " initial state(s) but received " + given.size());
        }
        for (int k = 0; k < n; k++) {
            Tensor s = given.get(k);
            if (s.rank() != 2 || s.dim(0) != batch || s.dim(1) != units) {
                throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + "): initial state " + k
                        + " must have shape [" + batch + ", " + units + "] but has " + s.shape());
            }
            states[k] = s.dtype() == type ? s : s.to(type);
        }
        return states;
    }

    private Tensor dropMask(int rows, int cols, double rate, DType type) {
        return Tensor.bernoulli(generator, 1.0 - rate, rows, cols).to(type).mul(1.0 / (1.0 - rate));
    }

    /** {@code t} with its axis 1 (time) reversed. */
    static Tensor reverseTime(Tensor t) {
        int n = t.dim(1);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = n - 1 - i;
        return t.indexSelect(1, idx);
    }

    static double checkRate(String what, double rate) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(what + " must be in [0, 1), got " + rate);
        return rate;
    }

    private static String withBatch(Shape s) {
        return "[batch" + (s.rank() == 0 ? "" : ", " + dimsOf(s)) + "]";
    }
}
