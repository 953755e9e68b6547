package dev.myelin.nn.recurrent;

import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
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
public final class SimpleRNN extends RecurrentLayer<SimpleRNN> {
    public SimpleRNN(int units) {
        super("simple_rnn", units);
    }

    /** SimpleRNN's configuration: Keras's {@code units} and the settings all recurrent layers share. */
    public record Config(LayerSettings layer, int units, RecurrentSettings recurrent) implements LayerConfig {}

    /** A layer with {@code config}'s settings, unbuilt. */
    public static SimpleRNN fromConfig(Config config) {
        SimpleRNN l = new SimpleRNN(config.units()).applyRecurrentSettings(config.recurrent());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), units, recurrentSettings());
    }

    @Override
    FusedRecurrence.Cell cell() {
        return FusedRecurrence.Cell.SIMPLE;
    }

    @Override
    protected SimpleRNN newLike() {
        return fromConfig(config());
    }

    @Override
    protected Tensor[] step(Tensor xpT, Tensor hr, Tensor[] states) {
        return new Tensor[] {xpT.add(hr.matmul(recurrentKernel.value())).tanh()};
    }
}
