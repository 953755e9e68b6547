package dev.myelin.nn.recurrent;

import dev.myelin.tensor.Tensor;

/**
 * A fully connected recurrent layer, as Keras's {@code SimpleRNN} with its default tanh activation:
 * {@code h_t = tanh(x_t · kernel + bias + h_{t-1} · recurrent_kernel)}, output = {@code h_t}.
 *
 * <p>Shapes: input {@code [batch, time, features]}; output {@code [batch, units]} or, with
 * {@code returnSequences}, {@code [batch, time, units]}; state h {@code [batch, units]}.
 *
 * <p>Weights: {@code kernel [features, units]} (glorot-uniform), {@code recurrent_kernel [units, units]}
 * (orthogonal), {@code bias [units]} (zeros). Parameters: {@code units·(features + units + 1)}.
 *
 * <p>Example: {@code new SimpleRNN(32).inputShape(10, 8)}.
 */
public final class SimpleRNN extends RecurrentLayer {
    public SimpleRNN(int units) {
        super("simple_rnn", units);
    }

    @Override
    FusedRecurrence.Cell cell() {
        return FusedRecurrence.Cell.SIMPLE;
    }

    @Override
    protected RecurrentLayer newLike() {
        return copySettingsTo(new SimpleRNN(units));
    }

    @Override
    protected Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states) {
        return new Tensor[] {xpT.add(hr.matmul(recurrentKernel.value())).tanh()};
    }

    // covariant setters, so that `SimpleRNN l = new SimpleRNN(8).returnSequences(true)` compiles

    @Override
    public SimpleRNN returnSequences(boolean value) {
        super.returnSequences(value);
        return this;
    }

    @Override
    public SimpleRNN returnState(boolean value) {
        super.returnState(value);
        return this;
    }

    @Override
    public SimpleRNN goBackwards(boolean value) {
        super.goBackwards(value);
        return this;
    }

    @Override
    public SimpleRNN dropout(double rate) {
        super.dropout(rate);
        return this;
    }

    @Override
    public SimpleRNN recurrentDropout(double rate) {
        super.recurrentDropout(rate);
        return this;
    }

    @Override
    public SimpleRNN fused(boolean value) {
        super.fused(value);
        return this;
    }

    @Override
    public SimpleRNN seed(long value) {
        super.seed(value);
        return this;
    }

    @Override
    public SimpleRNN useBias(boolean value) {
        super.useBias(value);
        return this;
    }
}
