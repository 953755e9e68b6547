package dev.myelin.nn.recurrent;

import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
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
import java.util.random.RandomGeneratorFactory;

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
 * time) or composed of tensor operations (otherwise, or with {@code fused(false)}), which
 * autograd differentiates; the composed path is the readable reference that gradient checks verify.
 */
public abstract class RecurrentLayer extends Layer {
    private static final String ALGORITHM = "L64X128MixRandom";
    protected final int units;
    private boolean returnSequences;
    private boolean returnState;
    private boolean goBackwards;
    private double dropout;
    private double recurrentDropout;
    private Boolean fused;
    private Long seed;
    private RandomGenerator generator;
    protected boolean useBias = true;
    protected Initializer kernelInitializer = new GlorotUniform();
    protected Initializer recurrentInitializer = new Orthogonal();
    protected Initializer biasInitializer = new Zeros();
    protected Parameter kernel;
    protected Parameter recurrentKernel;
    protected Parameter bias;

    protected RecurrentLayer(String baseName, int units) {
        super(baseName);
        if (units <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + " units must be positive, got " + units);
        this.units = units;
    }

    // ---- configuration ----

    /** Return the output of every step ({@code [batch, time, units]}) instead of the last one. */
    public RecurrentLayer returnSequences(boolean value) {
        this.returnSequences = value;
        return this;
    }

    /** Declares that callers want the final states; {@link #callWithState} returns them (a model passes only the output on). */
    public RecurrentLayer returnState(boolean value) {
        this.returnState = value;
        return this;
    }

    /** Process the sequence from the last step to the first; the returned sequence is in processing (reversed) order, as Keras. */
    public RecurrentLayer goBackwards(boolean value) {
        this.goBackwards = value;
        return this;
    }

    /** Fraction of the input features dropped (per sequence) in training, in {@code [0, 1)}. */
    public RecurrentLayer dropout(double rate) {
        this.dropout = checkRate("dropout", rate);
        return this;
    }

    /** Fraction of the recurrent state's units dropped (per sequence) before the recurrent kernel, in {@code [0, 1)}. */
    public RecurrentLayer recurrentDropout(double rate) {
        this.recurrentDropout = checkRate("recurrentDropout", rate);
        return this;
    }

    /** Forces the fused float32 kernel on ({@code true}, float32 only) or off ({@code false}: composed tensor operations); default: fused for float32. */
    public RecurrentLayer fused(boolean value) {
        this.fused = value;
        return this;
    }

    /** Seeds the layer's dropout generator (set before building; default: drawn from the build generator). */
    public RecurrentLayer seed(long value) {
        if (isBuilt()) throw new IllegalStateException("layer '" + name() + "' is already built; set its seed before building");
        this.seed = value;
        return this;
    }

    public RecurrentLayer useBias(boolean value) {
        this.useBias = value;
        return this;
    }

    public RecurrentLayer kernelInitializer(Initializer value) {
        this.kernelInitializer = Objects.requireNonNull(value);
        return this;
    }

    public RecurrentLayer recurrentInitializer(Initializer value) {
        this.recurrentInitializer = Objects.requireNonNull(value);
        return this;
    }

    public RecurrentLayer biasInitializer(Initializer value) {
        this.biasInitializer = Objects.requireNonNull(value);
        return this;
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
    protected abstract RecurrentLayer newLike();

    /** One composed step: {@code xpT [batch, G·units]} is the step's input projection (input bias included), {@code hr} the previous h after recurrent dropout. */
    protected abstract Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states);

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

    protected RecurrentLayer copySettingsTo(RecurrentLayer other) {
        other.returnSequences = returnSequences;
        other.returnState = returnState;
        other.goBackwards = goBackwards;
        other.dropout = dropout;
        other.recurrentDropout = recurrentDropout;
        other.fused = fused;
        other.useBias = useBias;
        other.kernelInitializer = kernelInitializer;
        other.recurrentInitializer = recurrentInitializer;
        other.biasInitializer = biasInitializer;
        other.dtype(dtype());
        return other;
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
        generator = RandomGeneratorFactory.of(ALGORITHM).create(s);
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
        // product would run batch small GEMMs, and its kernel gradient would sum batch partial products)
        Tensor xp = x.reshape(batch * steps, features).matmul(kernel.value());
        Tensor inBias = inputBias();
        if (inBias != null) xp = xp.add(inBias);
        xp = xp.reshape(batch, steps, xp.dim(1));
        RecurrentOutput fusedOutput = Boolean.FALSE.equals(fused) ? null : runFused(xp, states, mask, recMask);
        return fusedOutput != null ? fusedOutput : runComposed(xp, states, mask, recMask);
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

    private RecurrentOutput runComposed(Tensor xp, Tensor[] states, Tensor mask, Tensor recMask) {
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
            if (returnSequences) outs.add(out);
        }
        return new RecurrentOutput(returnSequences ? Tensor.stack(outs, 1) : out, List.of(states));
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

    private static double checkRate(String what, double rate) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(what + " must be in [0, 1), got " + rate);
        return rate;
    }

    private static String withBatch(Shape s) {
        return "[batch" + (s.rank() == 0 ? "" : ", " + dimsOf(s)) + "]";
    }
}
