package dev.myelin.nn.recurrent;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Gated recurrent unit, as Keras's {@code GRU} with its default {@code reset_after=True} (the cuDNN
 * variant, Cho et al. 2014), gate order z, r, h:
 * <pre>
 * a = x_t · kernel + bias[0]          (3·units wide: [z | r | h])
 * b = h_{t-1} · recurrent_kernel + bias[1]
 * z = σ(a_z + b_z)   r = σ(a_r + b_r)   ĥ = tanh(a_h + r ⊙ b_h)
 * h_t = z ⊙ h_{t-1} + (1 − z) ⊙ ĥ        (output = h_t)
 * </pre>
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
public final class GRU extends RecurrentLayer {
    public GRU(int units) {
        super("gru", units);
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
    protected RecurrentLayer newLike() {
        return copySettingsTo(new GRU(units));
    }

    @Override
    protected Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states) {
        Tensor inner = hr.matmul(recurrentKernel.value()).add(recurrentBias());
        Tensor z = xpT.slice(1, 0, units).add(inner.slice(1, 0, units)).sigmoid();
        Tensor r = xpT.slice(1, units, 2 * units).add(inner.slice(1, units, 2 * units)).sigmoid();
        Tensor hh = xpT.slice(1, 2 * units, 3 * units).add(r.mul(inner.slice(1, 2 * units, 3 * units))).tanh();
        Tensor h = hh.add(z.mul(states[0].sub(hh)));
        return new Tensor[] {h};
    }

    // covariant setters, so that `GRU l = new GRU(8).returnSequences(true)` compiles

    @Override
    public GRU returnSequences(boolean value) {
        super.returnSequences(value);
        return this;
    }

    @Override
    public GRU returnState(boolean value) {
        super.returnState(value);
        return this;
    }

    @Override
    public GRU goBackwards(boolean value) {
        super.goBackwards(value);
        return this;
    }

    @Override
    public GRU dropout(double rate) {
        super.dropout(rate);
        return this;
    }

    @Override
    public GRU recurrentDropout(double rate) {
        super.recurrentDropout(rate);
        return this;
    }

    @Override
    public GRU fused(boolean value) {
        super.fused(value);
        return this;
    }

    @Override
    public GRU seed(long value) {
        super.seed(value);
        return this;
    }

    @Override
    public GRU useBias(boolean value) {
        super.useBias(value);
        return this;
    }
}
