package dev.myelin.nn.recurrent;

import dev.myelin.tensor.Tensor;
import java.util.List;

/**
 * What a recurrent layer returns with its states, as Keras's {@code return_state=True}: the output
 * ({@code [batch, units]}, or {@code [batch, time, units]} with {@code returnSequences}) and the final
 * states, {@code [h]} for SimpleRNN and GRU, {@code [h, c]} for LSTM, each {@code [batch, units]}.
 */
public record RecurrentOutput(Tensor output, List<Tensor> states) {
    public RecurrentOutput {
        states = List.copyOf(states);
    }
}
