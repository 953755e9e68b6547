package dev.myelin.nn.recurrent;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Runs a recurrent layer over the sequence in both directions and merges the two outputs, as Keras's
 * {@code Bidirectional}: the backward copy has the same settings with {@code goBackwards} flipped, and
 * its output sequence is reversed back to input order before merging.
 *
 * <p>Shapes: input {@code [batch, time, features]}; output {@code [batch, (time,) units]}, with
 * {@code 2·units} for {@link Merge#CONCAT} (forward first).
 *
 * <p>Weights: those of {@code forward_<name>} then {@code backward_<name>}.
 *
 * <p>Example: {@code new Bidirectional(new LSTM(32).returnSequences(true), Bidirectional.Merge.CONCAT)}.
 */
public final class Bidirectional extends Layer {
    /** How the two directions' outputs combine. */
    public enum Merge { CONCAT, SUM, MUL, AVE }

    /**
     * Bidirectional's configuration: Keras's {@code layer} (the wrapped layer's config, with its own
     * name) and {@code merge_mode}.
     */
    public record Config(LayerSettings layer, LayerConfig wrapped, Merge merge) implements LayerConfig {
        public Config {
            Objects.requireNonNull(wrapped, "wrapped");
            Objects.requireNonNull(merge, "merge");
        }
    }

    private final RecurrentLayer<?> forwardLayer;
    private final RecurrentLayer<?> backwardLayer;
    private final Merge merge;
    private final LayerConfig wrappedConfig;

    public Bidirectional(RecurrentLayer<?> layer) {
        this(layer, Merge.CONCAT);
    }

    public Bidirectional(RecurrentLayer<?> layer, Merge merge) {
        super("bidirectional");
        Objects.requireNonNull(layer, "layer");
        if (layer.isBuilt()) throw new IllegalArgumentException("Bidirectional needs an unbuilt layer, got built '" + layer.name() + "'");
        this.merge = Objects.requireNonNull(merge, "merge");
        this.wrappedConfig = layer.config(); // before the renaming below, as Keras's config keeps the wrapped layer's own name
        this.forwardLayer = layer;
        this.backwardLayer = layer.newLike().goBackwards(!layer.goBackwards());
        backwardLayer.clearSeed(); // as before configs: the backward copy draws its dropout masks from the build generator
        // weights are then named as Keras's: bidirectional/forward_lstm/kernel
        name(name()); // names both directions (the backward one was misnamed bidirectional/backward_bidirectional/forward_lstm)
    }

    /**
     * A layer with {@code config}'s settings, around {@code wrapped}: a new layer built from
     * {@code config.wrapped()} by the caller (the layer registry, which knows every layer class).
     */
    public static Bidirectional fromConfig(Config config, Layer wrapped) {
        if (!(wrapped instanceof RecurrentLayer<?> r)) {
            throw new IllegalArgumentException("Bidirectional \"layer\" must be an LSTM, GRU or SimpleRNN, got " + wrapped.getClass().getSimpleName());
        }
        Bidirectional b = new Bidirectional(r, config.merge());
        b.settings(config.layer());
        return b;
    }

    @Override
    public Config config() {
        return new Config(settings(), wrappedConfig, merge);
    }

    public RecurrentLayer<?> forwardLayer() {
        return forwardLayer;
    }

    public RecurrentLayer<?> backwardLayer() {
        return backwardLayer;
    }

    /** Renames the layer and the two directions' layers, whose weight names start with this name. */
    @Override
    public Layer name(String newName) {
        super.name(newName);
        if (forwardLayer != null) {
            String inner = wrappedConfig.layer().name();
            forwardLayer.name(name() + "/forward_" + inner);
            backwardLayer.name(name() + "/backward_" + inner);
        }
        return this;
    }

    @Override
    public Layer dtype(dev.myelin.backend.DType type) {
        super.dtype(type);
        forwardLayer.dtype(type);
        backwardLayer.dtype(type);
        return this;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        Shape out = forwardLayer.outputShape(inputShape);
        return merge == Merge.CONCAT ? out.with(-1, 2 * forwardLayer.units()) : out;
    }

    @Override
    public void checkInput(Shape batchShape) {
        forwardLayer.checkInput(batchShape);
    }

    /** The forward direction's random state followed by the backward one's (each draws its own masks); null without dropout. */
    @Override
    public long[] randomState() {
        long[] f = forwardLayer.randomState(), b = backwardLayer.randomState();
        if (f == null || b == null) return null;
        long[] both = java.util.Arrays.copyOf(f, f.length + b.length);
        System.arraycopy(b, 0, both, f.length, b.length);
        return both;
    }

    @Override
    public void restoreRandomState(long[] state) {
        if (state == null) {
            forwardLayer.restoreRandomState(null);
            backwardLayer.restoreRandomState(null);
            return;
        }
        if (state.length % 2 != 0) {
            throw new IllegalArgumentException("layer '" + name() + "' (Bidirectional) needs the forward and the backward random states, an even number of longs, got " + state.length);
        }
        int half = state.length / 2;
        forwardLayer.restoreRandomState(java.util.Arrays.copyOfRange(state, 0, half));
        backwardLayer.restoreRandomState(java.util.Arrays.copyOfRange(state, half, state.length));
    }

    @Override
    protected void onBuild(Shape inputShape, RandomGenerator rng) {
        forwardLayer.build(inputShape, rng);
        backwardLayer.build(inputShape, rng);
        trackWeightsOf(forwardLayer);
        trackWeightsOf(backwardLayer);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor mask = Masks.of(x);
        Tensor out = run(x, mask, null, training).output();
        return forwardLayer.returnSequences() && mask != null ? Masks.attach(out, mask) : out;
    }

    /** Both directions with states: the merged output, then the forward layer's final states, then the backward layer's. */
    public RecurrentOutput callWithState(Tensor x, Tensor mask, List<Tensor> initialState, boolean training) {
        if (!isBuilt()) throw new IllegalStateException("layer '" + name() + "' is not built");
        checkInput(x.shape());
        return run(x, mask != null ? mask : Masks.of(x), initialState, training);
    }

    private RecurrentOutput run(Tensor x, Tensor mask, List<Tensor> initialState, boolean training) {
        int n = forwardLayer.stateCount();
        List<Tensor> fInit = initialState == null ? null : initialState.subList(0, n);
        List<Tensor> bInit = initialState == null ? null : initialState.subList(n, 2 * n);
        if (initialState != null && initialState.size() != 2 * n) {
            throw new IllegalArgumentException("layer '" + name() + "' takes " + 2 * n + " initial states (forward then backward) but received " + initialState.size());
        }
        RecurrentOutput f = forwardLayer.callWithState(x, mask, fInit, training);
        RecurrentOutput b = backwardLayer.callWithState(x, mask, bInit, training);
        Tensor bo = forwardLayer.returnSequences() ? RecurrentLayer.reverseTime(b.output()) : b.output();
        Tensor fo = f.output();
        Tensor out = switch (merge) {
            case CONCAT -> Tensor.concat(List.of(fo, bo), -1);
            case SUM -> fo.add(bo);
            case MUL -> fo.mul(bo);
            case AVE -> fo.add(bo).mul(0.5);
        };
        List<Tensor> states = new ArrayList<>(f.states());
        states.addAll(b.states());
        return new RecurrentOutput(out, states);
    }
}
