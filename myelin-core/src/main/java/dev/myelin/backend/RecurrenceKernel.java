package dev.myelin.backend;

/**
 * An optional fused kernel for the recurrence of SimpleRNN, LSTM and GRU: all time steps in one call, and
 * a hand-written backward through time. A backend offers it through {@link Backend#recurrence}; layers
 * compose the steps from tensor operations where it is not offered.
 *
 * <p>The layer computes the input projections {@code xp = x · kernel + bias} of all steps itself; this
 * kernel runs the steps. Per step and batch row, with {@code G} gates of {@code U} units, it computes
 * {@code z = h' · U (+ recurrent bias) + xp[t]} and the cell's gate math (Keras's equations; LSTM gate
 * order i, f, c, o; GRU order z, r, h with the reset gate applied after the recurrent product). Masked
 * steps carry the previous state, and the previous output (zeros before the first unmasked step).
 * {@code h'} is the previous state times the recurrent dropout multipliers when given.
 *
 * <p>Shapes: {@code xp [B, T, G·U]}, recurrent kernel {@code [U, G·U]}, recurrent bias {@code [G·U]}
 * (GRU), states {@code [B, U]}, mask and dropout multipliers {@code B·T} and {@code B·U} values; the
 * result is packed {@code [B, T, P·U]}: per step the output, the state h and (LSTM) the cell state c.
 */
public interface RecurrenceKernel {

    /** The recurrent cells, with their number of gates and of packed parts per step. */
    enum Cell {
        SIMPLE(1, 2), LSTM(4, 3), GRU(3, 2);

        private final int gates;
        private final int packed;

        Cell(int gates, int packed) {
            this.gates = gates;
            this.packed = packed;
        }

        /** Gate blocks of U columns in the kernels. */
        public int gates() {
            return gates;
        }

        /** Blocks of U values per step in the packed result: output, h, and c for LSTM. */
        public int packed() {
            return packed;
        }
    }

    /**
     * Runs every step forward, writing the packed result into {@code packed} (a fresh zero-filled
     * contiguous view of this backend). {@code recurrentBias} (GRU only), {@code c0} (LSTM only),
     * {@code mask} and {@code dropout} may be null.
     *
     * @return what the backward pass needs, valid until it has run
     */
    Steps forward(Cell cell, View xp, View recurrentKernel, View recurrentBias, View h0, View c0, View mask, View dropout,
                  View packed);

    /** The saved state of one forward call. */
    interface Steps {
        /**
         * Backpropagates {@code gradPacked} ({@code [B, T, P·U]}) through the steps into fresh zero-filled
         * contiguous views: {@code dxp [B, T, G·U]}, {@code dKernel [U, G·U]}, {@code dBias [G·U]} (GRU,
         * else null), {@code dh0 [B, U]} and {@code dc0 [B, U]} (LSTM, else null).
         */
        void backward(View gradPacked, View dxp, View dKernel, View dBias, View dh0, View dc0);
    }
}
