package dev.myelin.nn.recurrent;

import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.nn.init.Initializer;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;

/**
 * Long short-term memory, as Keras's {@code LSTM} (Hochreiter &amp; Schmidhuber 1997), gate order i, f, c, o:
 * <pre>
 * z  = x_t · kernel + bias + h_{t-1} · recurrent_kernel        (4·units wide: [i | f | c | o])
 * i  = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
 * c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)          (output = h_t)
 * </pre>
 * where σ is the {@code recurrentActivation} (Keras's {@code recurrent_activation}), sigmoid by default;
 * Keras 1/2 models often used hard sigmoid ({@link Activation#LEGACY_HARD_SIGMOID}).
 *
 * <p>Shapes: input {@code [batch, time, features]}; output {@code [batch, units]} or, with
 * {@code returnSequences}, {@code [batch, time, units]}; states h and c {@code [batch, units]}.
 *
 * <p>Weights: {@code kernel [features, 4·units]} (glorot-uniform), {@code recurrent_kernel [units, 4·units]}
 * (orthogonal), {@code bias [4·units]} (zeros, with ones for the forget gate: {@code unit_forget_bias}).
 * Parameters: {@code 4·units·(features + units + 1)}.
 *
 * <p>Example: {@code new LSTM(50).returnSequences(true).inputShape(28, 28)}. Common options are on
 * {@link RecurrentLayer}.
 */
public final class LSTM extends RecurrentLayer<LSTM> {
    private boolean unitForgetBias = true;

    public LSTM(int units) {
        super("lstm", units);
    }

    /**
     * LSTM's configuration: Keras's {@code units}, {@code unit_forget_bias}, {@code recurrent_activation}
     * and the settings all recurrent layers share.
     */
    public record Config(LayerSettings layer, int units, RecurrentSettings recurrent, boolean unitForgetBias, Activation recurrentActivation)
            implements LayerConfig {
        public Config {
            Objects.requireNonNull(recurrentActivation, "recurrentActivation");
        }

        /** With sigmoid gates (Keras's default {@code recurrent_activation}). */
        public Config(LayerSettings layer, int units, RecurrentSettings recurrent, boolean unitForgetBias) {
            this(layer, units, recurrent, unitForgetBias, Activation.SIGMOID);
        }
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static LSTM fromConfig(Config config) {
        LSTM l = new LSTM(config.units()).unitForgetBias(config.unitForgetBias()).recurrentActivation(config.recurrentActivation())
                .applyRecurrentSettings(config.recurrent());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, recurrentSettings(), unitForgetBias, recurrentActivation);
    }

    /**
     * The activation of the input, forget and output gates (Keras's {@code recurrent_activation}, default
     * sigmoid). Only sigmoid gates run in the fused kernel; others run as composed tensor operations.
     */
    public LSTM recurrentActivation(Activation value) {
        this.recurrentActivation = Objects.requireNonNull(value, "recurrentActivation");
        return this;
    }

    public Activation recurrentActivation() {
        return recurrentActivation;
    }

    /** Add 1 to the forget gate's bias at initialization (Keras's default, Jozefowicz et al. 2015). */
    public LSTM unitForgetBias(boolean value) {
        this.unitForgetBias = value;
        return this;
    }

    @Override
    FusedRecurrence.Cell cell() {
        return FusedRecurrence.Cell.LSTM;
    }

    @Override
    protected void onBuild(Shape inputShape, java.util.random.RandomGenerator rng) {
        if (unitForgetBias) {
            Initializer base = biasInitializer;
            biasInitializer = (shape, dtype, r) -> {
                Tensor b = base.create(shape, dtype, r);
                Tensor forget = b.slice(0, units, 2 * units);
                forget.assign(forget.add(1));
                return b;
            };
            super.onBuild(inputShape, rng);
            biasInitializer = base;
        } else {
            super.onBuild(inputShape, rng);
        }
    }

    @Override
    protected LSTM newLike() {
        return fromConfig(config());
    }

    @Override
    protected Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states) {
        Tensor z = xpT.add(hr.matmul(recurrentKernel.value()));
        Tensor i = recurrentActivation.apply(z.slice(1, 0, units));
        Tensor f = recurrentActivation.apply(z.slice(1, units, 2 * units));
        Tensor g = z.slice(1, 2 * units, 3 * units).tanh();
        Tensor o = recurrentActivation.apply(z.slice(1, 3 * units, 4 * units));
        Tensor c = f.mul(states[1]).add(i.mul(g));
        return new Tensor[] {o.mul(c.tanh()), c};
    }
}
