package dev.myelin.nn.recurrent;

import dev.myelin.nn.Activation;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Objects;

/**
 * Gated recurrent unit, as Keras's {@code GRU} (Cho et al. 2014), gate order z, r, h. With Keras 3's default
 * {@code reset_after=True} (the cuDNN variant) the reset gate multiplies the recurrent product:
 * <pre>
 * a = x_t · kernel + bias[0]          (3·units wide: [z | r | h])
 * b = h_{t-1} · recurrent_kernel + bias[1]
 * z = σ(a_z + b_z)   r = σ(a_r + b_r)   ĥ = tanh(a_h + r ⊙ b_h)
 * h_t = z ⊙ h_{t-1} + (1 − z) ⊙ ĥ        (output = h_t)
 * </pre>
 * With {@link #resetAfter(boolean) resetAfter(false)} (Keras 1's GRU and standalone Keras 2's default;
 * tf.keras 2 and Keras 3 default to {@code reset_after=True}) the reset gate multiplies the previous state before the
 * recurrent product, and there is one bias:
 * <pre>
 * a = x_t · kernel + bias             (bias [3·units])
 * z = σ(a_z + h_{t-1} · U_z)   r = σ(a_r + h_{t-1} · U_r)   ĥ = tanh(a_h + (r ⊙ h_{t-1}) · U_h)
 * h_t = z ⊙ h_{t-1} + (1 − z) ⊙ ĥ
 * </pre>
 * where σ is the {@code recurrentActivation} (Keras's {@code recurrent_activation}), sigmoid by default, and
 * U_z, U_r, U_h are the recurrent kernel's three column blocks.
 *
 * <p>Shapes: input {@code [batch, time, features]}; output {@code [batch, units]} or, with
 * {@code returnSequences}, {@code [batch, time, units]}; state h {@code [batch, units]}.
 *
 * <p>Weights: {@code kernel [features, 3·units]} (glorot-uniform), {@code recurrent_kernel [units, 3·units]}
 * (orthogonal), {@code bias [2, 3·units]} (zeros: input bias, recurrent bias), or {@code [3·units]} with
 * {@code resetAfter(false)}. Parameters: {@code 3·units·(features + units + 2)} ({@code + 1} without reset_after).
 *
 * <p>Example: {@code new GRU(64).inputShape(100, 16)}; Keras 2's cell: {@code new GRU(64).resetAfter(false)}.
 */
public final class GRU extends RecurrentLayer<GRU> {
    public GRU(int units) {
        super("gru", units);
    }

    /** GRU's configuration: Keras's {@code units}, {@code recurrent_activation} and the settings all recurrent layers share. */
    public record Config(LayerSettings layer, int units, RecurrentSettings recurrent, Activation recurrentActivation, boolean resetAfter)
            implements LayerConfig {
        public Config {
            Objects.requireNonNull(recurrentActivation, "recurrentActivation");
        }

        /** With Keras 3's {@code reset_after=True}. */
        public Config(LayerSettings layer, int units, RecurrentSettings recurrent, Activation recurrentActivation) {
            this(layer, units, recurrent, recurrentActivation, true);
        }

        /** With sigmoid gates (Keras's default {@code recurrent_activation}) and {@code reset_after=True}. */
        public Config(LayerSettings layer, int units, RecurrentSettings recurrent) {
            this(layer, units, recurrent, Activation.SIGMOID);
        }
    }

    private boolean resetAfter = true;

    /** A layer with {@code config}'s settings, unbuilt. */
    public static GRU fromConfig(Config config) {
        GRU l = new GRU(config.units()).recurrentActivation(config.recurrentActivation()).resetAfter(config.resetAfter())
                .applyRecurrentSettings(config.recurrent());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, recurrentSettings(), recurrentActivation, resetAfter);
    }

    /**
     * Keras's {@code reset_after}: true (default, Keras 3's and tf.keras 2's) applies the reset gate to the
     * recurrent product and keeps two biases; false (Keras 1's, and standalone Keras 2's default) applies it to the previous
     * state before the product and keeps one bias (see the class formulas). Set before the layer is built:
     * it decides the bias shape. Only true runs in the fused float32 kernel; false runs as composed tensor
     * operations.
     */
    public GRU resetAfter(boolean value) {
        if (isBuilt() && value != resetAfter) throw new IllegalStateException("layer '" + name() + "': resetAfter must be set before the layer is built (it decides the bias shape)");
        this.resetAfter = value;
        return this;
    }

    public boolean resetAfter() {
        return resetAfter;
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

    /** The fused kernel computes reset_after=true's cell only. */
    @Override
    boolean fusedKernelApplies() {
        return resetAfter;
    }

    @Override
    protected Shape biasShape() {
        return resetAfter ? Shape.of(2, 3 * units) : Shape.of(3 * units);
    }

    @Override
    protected Tensor inputBias() {
        if (!resetAfter || bias == null) return super.inputBias();
        return bias.value().slice(0, 0, 1).reshape(3 * units);
    }

    /** The bias added to the recurrent product (reset_after=true); null with reset_after=false, which has none. */
    @Override
    protected Tensor recurrentBias() {
        if (!resetAfter) return null;
        if (bias == null) return Tensor.zeros(dtype(), Shape.of(3 * units));
        return bias.value().slice(0, 1, 2).reshape(3 * units);
    }

    @Override
    protected GRU newLike() {
        return fromConfig(config());
    }

    @Override
    protected Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states) {
        if (!resetAfter) return stepResetBefore(xpT, hr, states);
        Tensor inner = hr.matmul(recurrentKernel.value()).add(recurrentBias());
        Tensor z = recurrentActivation.apply(xpT.slice(1, 0, units).add(inner.slice(1, 0, units)));
        Tensor r = recurrentActivation.apply(xpT.slice(1, units, 2 * units).add(inner.slice(1, units, 2 * units)));
        Tensor hh = xpT.slice(1, 2 * units, 3 * units).add(r.mul(inner.slice(1, 2 * units, 3 * units))).tanh();
        Tensor h = hh.add(z.mul(states[0].sub(hh)));
        return new Tensor[] {h};
    }

    /** reset_after=false: the reset gate scales the previous state before its product with U_h. */
    private Tensor[] stepResetBefore(Tensor xpT, Tensor hr, Tensor[] states) {
        Tensor u = recurrentKernel.value();
        Tensor inner = hr.matmul(u.slice(1, 0, 2 * units));
        Tensor z = recurrentActivation.apply(xpT.slice(1, 0, units).add(inner.slice(1, 0, units)));
        Tensor r = recurrentActivation.apply(xpT.slice(1, units, 2 * units).add(inner.slice(1, units, 2 * units)));
        Tensor hh = xpT.slice(1, 2 * units, 3 * units).add(r.mul(hr).matmul(u.slice(1, 2 * units, 3 * units))).tanh();
        Tensor h = hh.add(z.mul(states[0].sub(hh)));
        return new Tensor[] {h};
    }
}
