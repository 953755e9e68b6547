package dev.myelin.nn.recurrent;

import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;

/**
 * Gated recurrent unit, as Keras's {@code GRU} with its default {@code reset_after=True} (the cuDNN
 * variant, Cho et al. 2014), gate order z, r, h:
 * <pre>
 * a = x_t · kernel + bias[0]          (3·units wide: [z | r | h])
 * b = h_{t-1} · recurrent_kernel + bias[1]
 * z = σ(a_z + b_z)   r = σ(a_r + b_r)   ĥ = tanh(a_h + r ⊙ b_h)
 * h_t = z ⊙ h_{t-1} + (1 − z) ⊙ ĥ        (output = h_t)
 * </pre>
 * where σ is the {@code recurrentActivation} (Keras's {@code recurrent_activation}), sigmoid by default.
 * Keras's {@code reset_after=False} (Keras 1/2's default: the reset gate applied before the recurrent
 * product, one bias) is not supported.
 *
 * <p>Shapes: input {@code [batch, time, features]}; output {@code [batch, units]} or, with
 * {@code returnSequences}, {@code [batch, time, units]}; state h {@code [batch, units]}.
 *
 * <p>Weights: {@code kernel [features, 3·units]} (glorot-uniform), {@code recurrent_kernel [units, 3·units]}
 * (orthogonal), {@code bias [2, 3·units]} (zeros: input bias, recurrent bias). Parameters:
 * {@code 3·units·(features + units + 2)}.
 *
 * <p>Example: {@code new GRU(64).inputShape(100, 16)}.
 */
public final class GRU extends RecurrentLayer<GRU> {
    public GRU(int units) {
        super("gru", units);
    }

    /** GRU's configuration: Keras's {@code units}, {@code recurrent_activation} and the settings all recurrent layers share. */
    public record Config(LayerSettings layer, int units, RecurrentSettings recurrent, Activation recurrentActivation) implements LayerConfig {
        public Config {
            Objects.requireNonNull(recurrentActivation, "recurrentActivation");
        }

        /** With sigmoid gates (Keras's default {@code recurrent_activation}). */
        public Config(LayerSettings layer, int units, RecurrentSettings recurrent) {
            this(layer, units, recurrent, Activation.SIGMOID);
        }
    }

    /** A layer with {@code config}'s settings, unbuilt. */
    public static GRU fromConfig(Config config) {
        GRU l = new GRU(config.units()).recurrentActivation(config.recurrentActivation()).applyRecurrentSettings(config.recurrent());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, recurrentSettings(), recurrentActivation);
    }

    /**
     * The activation of the update and reset gates (Keras's {@code recurrent_activation}, default sigmoid).
     * Only sigmoid gates run in the fused kernel; others run as composed tensor operations.
     */
    public GRU recurrentActivation(Activation value) {
        this.recurrentActivation = Objects.requireNonNull(value, "recurrentActivation");
        return this;
    }

    public Activation recurrentActivation() {
        return recurrentActivation;
    }

    @Override
    FusedRecurrence.Cell cell() {
        return FusedRecurrence.Cell.GRU;
    }

    @Override
    protected Shape biasShape() {
        return Shape.of(2, 3 * units);
    }

    @Override
    protected Tensor inputBias() {
        return bias == null ? null : bias.value().slice(0, 0, 1).reshape(3 * units);
    }

    @Override
    protected Tensor recurrentBias() {
        if (bias == null) return Tensor.zeros(dtype(), Shape.of(3 * units));
        return bias.value().slice(0, 1, 2).reshape(3 * units);
    }

    @Override
    protected GRU newLike() {
        return fromConfig(config());
    }

    @Override
    protected Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states) {
        Tensor inner = hr.matmul(recurrentKernel.value()).add(recurrentBias());
        Tensor z = recurrentActivation.apply(xpT.slice(1, 0, units).add(inner.slice(1, 0, units)));
        Tensor r = recurrentActivation.apply(xpT.slice(1, units, 2 * units).add(inner.slice(1, units, 2 * units)));
        Tensor hh = xpT.slice(1, 2 * units, 3 * units).add(r.mul(inner.slice(1, 2 * units, 3 * units))).tanh();
        Tensor h = hh.add(z.mul(states[0].sub(hh)));
        return new Tensor[] {h};
    }
}
